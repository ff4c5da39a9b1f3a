package com.myorg;

import io.github.privatefargatebehindalb.PrivateFargateBehindAlb;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.Secret;
import software.amazon.awscdk.services.secretsmanager.ISecret;

public final class TwoServicesApp {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "MyService");

        // Your own image, built from the folder app (it must serve HTTP on $PORT), with its
        // environment and a secret from Secrets Manager.
        ISecret dbPassword = software.amazon.awscdk.services.secretsmanager.Secret.fromSecretNameV2(
                stack, "DbPassword", "my-service/db-password");
        PrivateFargateBehindAlb web = PrivateFargateBehindAlb.Builder.create(stack, "Web")
                .port(8080)
                .image(ContainerImage.fromAsset("app"))
                .healthCheckPath("/healthz")
                .environment(Map.of("LOG_LEVEL", "info"))
                .secrets(Map.of("DB_PASSWORD", Secret.fromSecretsManager(dbPassword)))
                .minCapacity(2)
                .maxCapacity(5)
                .build();

        // A second service on the same load balancer, on its own port, from a private ECR repository.
        PrivateFargateBehindAlb.Builder.create(stack, "Api")
                .loadBalancer(web.getLoadBalancer())
                .port(8081)
                .image(ContainerImage.fromEcrRepository(
                        Repository.fromRepositoryName(stack, "ApiRepository", "my-api"), "1.0.0"))
                .build();

        // Let the first service's tasks reach a database on 5432.
        SecurityGroup database = SecurityGroup.Builder.create(stack, "Database").vpc(web.getVpc()).build();
        web.getConnections().allowTo(database, Port.tcp(5432));

        app.synth();
    }
}
