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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

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
        assertEquals(9, places.size(), places.toString());
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
    void theScalingBoundsAre2To5() {
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget",
                Map.of("MinCapacity", 2, "MaxCapacity", 5));
        template.hasResourceProperties("AWS::ECS::Service", Map.of("DesiredCount", 2));
    }

    @Test
    void theTasksGetNoPublicIp() {
        template.hasResourceProperties("AWS::ECS::Service", Map.of("NetworkConfiguration",
                Map.of("AwsvpcConfiguration", Match.objectLike(Map.of("AssignPublicIp", "DISABLED")))));
    }

    @Test
    void port0RaisesTheTypeScriptMessage() {
        Stack stack = new Stack(new App(), "Bad");
        RuntimeException error = assertThrows(RuntimeException.class,
                () -> PrivateFargateBehindAlb.Builder.create(stack, "Web").port(0).build());
        assertTrue(error.getMessage().contains("port must be an integer from 1 to 65535; received 0"), error.getMessage());
    }

    @Test
    void theReadmeShowsTheExampleThisProjectRuns() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("readme")));
        Matcher block = Pattern.compile("### Java\\n\\n```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README has a Java example");
        String source = Files.readString(Path.of("src/main/java/io/github/privatefargatebehindalb/consumer/ReadmeExample.java"));
        Matcher parts = Pattern.compile("// README-START\\n(.*?)\\s*// README-END", Pattern.DOTALL).matcher(source);
        StringBuilder expected = new StringBuilder();
        while (parts.find()) {
            expected.append(parts.group(1).stripIndent().strip()).append("\n\n");
        }
        assertEquals(expected.toString().strip(), block.group(1).strip());
        ReadmeExample.run();
    }
}
