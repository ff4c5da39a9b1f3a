package io.github.privatefargatebehindalb.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.privatefargatebehindalb.PrivateFargateBehindAlb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.HealthCheck;

/** What the TypeScript tests prove, proved again through the Java package and its builder API. */
class ConsumerTest {
    private static Template template;

    @BeforeAll
    static void synthesize() throws IOException {
        App app = new App();
        Stack stack = new Stack(app, "Consumer");
        PrivateFargateBehindAlb.Builder.create(stack, "Web").port(8080).minCapacity(2).maxCapacity(5).build();
        template = Template.fromStack(stack);
        Path out = Path.of(System.getProperty("consumers.out"));
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("java.template.json").toFile(), template.toJSON());
    }

    @Test
    void port8080IsInEveryPortPlaceAnd80InNone() {
        List<String> places = new ArrayList<>();
        for (Object resource : template.toJSON().get("Resources") instanceof Map<?, ?> resources ? resources.values() : List.of()) {
            walk(((Map<?, ?>) resource).get("Properties"), places);
        }
        places.removeIf("443"::equals);
        assertEquals(10, places.size(), places.toString());
        assertEquals(new TreeSet<>(List.of("8080")), new TreeSet<>(places));
    }

    private static void walk(Object value, List<String> places) {
        if (value instanceof List<?> list) {
            list.forEach(item -> walk(item, places));
        } else if (value instanceof Map<?, ?> map) {
            if ("PORT".equals(map.get("Name"))) {
                places.add(String.valueOf(map.get("Value")));
            }
            if (map.containsKey("FromPort") && "tcp".equals(map.get("IpProtocol"))) {
                places.add(String.valueOf(map.get("FromPort")));
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                boolean scalar = !(entry.getValue() instanceof Map) && !(entry.getValue() instanceof List);
                if ((key.equals("Port") || key.equals("ContainerPort") || key.equals("HostPort")) && scalar) {
                    places.add(String.valueOf(entry.getValue()));
                } else if (!key.equals("FromPort") && !key.equals("ToPort")) {
                    walk(entry.getValue(), places);
                }
            }
        }
    }

    @Test
    void theTargetGroupIsOfTypeIp() {
        template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup",
                Map.of("TargetType", "ip", "Port", 8080, "Protocol", "HTTP"));
    }

    @Test
    void theFourEndpointsAreThere() {
        Map<String, Map<String, Object>> endpoints = template.findResources("AWS::EC2::VPCEndpoint");
        List<String> services = endpoints.values().stream()
                .map(endpoint -> {
                    Map<?, ?> properties = (Map<?, ?>) endpoint.get("Properties");
                    List<?> join = (List<?>) ((Map<?, ?>) properties.get("ServiceName")).get("Fn::Join");
                    return String.valueOf(((List<?>) join.get(1)).get(2));
                })
                .sorted()
                .collect(Collectors.toList());
        assertEquals(List.of(".ecr.api", ".ecr.dkr", ".logs", ".s3"), services);
    }

    @Test
    void theScalingBoundsAre2To5AndTheServiceSetsNoDesiredCount() {
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget",
                Map.of("MinCapacity", 2, "MaxCapacity", 5));
        template.hasResourceProperties("AWS::ECS::Service", Map.of("DesiredCount", Match.absent()));
    }

    @Test
    void theTasksGetNoPublicIp() {
        template.hasResourceProperties("AWS::ECS::Service", Map.of("NetworkConfiguration",
                Map.of("AwsvpcConfiguration", Match.objectLike(Map.of("AssignPublicIp", "DISABLED")))));
    }

    /** Constructing throws nothing: the app's synthesis refuses, as aws-cdk-lib's own validations do, at the construct's path. */
    @Test
    void port0IsRefusedAtSynthAtTheConstructPath() {
        App app = new App();
        PrivateFargateBehindAlb.Builder.create(new Stack(app, "Bad"), "Web").port(0).build();
        RuntimeException error = assertThrows(RuntimeException.class, app::synth);
        assertTrue(error.getMessage().contains("Validation failed with the following errors:\n  [Bad/Web] port must be an integer from 1 to 65535; received 0"),
                error.getMessage());
    }

    /** ARM64 with one task on demand and the rest on Spot, and the container options, give the TypeScript template. */
    @Test
    void arm64SpotAndTheContainerOptionsSynthesizeTheTypeScriptTemplate() throws IOException {
        Stack stack = new Stack(new App(), "Consumer");
        PrivateFargateBehindAlb.Builder.create(stack, "Web")
                .cpuArchitecture(CpuArchitecture.ARM64)
                .capacityProviderStrategies(List.of(
                        CapacityProviderStrategy.builder().capacityProvider("FARGATE").base(1).weight(0).build(),
                        CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").weight(1).build()))
                .entryPoint(List.of("/docker-entrypoint.sh"))
                .command(List.of("nginx", "-g", "daemon off;"))
                .containerHealthCheck(HealthCheck.builder()
                        .command(List.of("CMD-SHELL", "wget -q -O /dev/null http://localhost:$PORT/ || exit 1"))
                        .interval(Duration.seconds(15))
                        .startPeriod(Duration.seconds(10))
                        .build())
                .ephemeralStorageGiB(30)
                .readonlyRootFilesystem(true)
                .targetRequestsPerTarget(500)
                .targetMemoryUtilizationPercent(75)
                .build();
        Map<String, Object> synthesized = Template.fromStack(stack).toJSON();
        Path out = Path.of(System.getProperty("consumers.out"));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("java.arm64-spot.template.json").toFile(), synthesized);
        Map<?, ?> typescript = new ObjectMapper().readValue(out.resolve("typescript.arm64-spot.template.json").toFile(), Map.class);
        assertEquals(typescript, new ObjectMapper().readValue(out.resolve("java.arm64-spot.template.json").toFile(), Map.class));
    }

    @Test
    void aWeightAbove1000IsRefusedAtSynthNamingTheBuilderMethod() {
        App app = new App();
        PrivateFargateBehindAlb.Builder.create(new Stack(app, "Bad"), "Web")
                .capacityProviderStrategies(List.of(
                        CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").weight(1001).build()))
                .build();
        RuntimeException error = assertThrows(RuntimeException.class, app::synth);
        assertTrue(error.getMessage().contains("[Bad/Web] capacityProviderStrategies[0].weight must be an integer from 0 to 1000; received 1001"),
                error.getMessage());
    }

    @Test
    void javaSynthesizesTheTypeScriptTemplate() throws IOException {
        Path out = Path.of(System.getProperty("consumers.out"));
        Map<?, ?> typescript = new ObjectMapper().readValue(out.resolve("typescript.template.json").toFile(), Map.class);
        assertEquals(typescript, new ObjectMapper().readValue(out.resolve("java.template.json").toFile(), Map.class));
    }
}
