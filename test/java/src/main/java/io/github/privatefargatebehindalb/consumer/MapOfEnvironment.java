package io.github.privatefargatebehindalb.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.privatefargatebehindalb.PrivateFargateBehindAlb;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/**
 * A program whose environment is a Map.of, which iterates in an order that changes from JVM to JVM.
 * It writes its template and, to show that the order did change, the keys in Map.of's order.
 * Usage: MapOfEnvironment TEMPLATE_FILE KEYS_FILE
 */
public final class MapOfEnvironment {
    private MapOfEnvironment() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> environment = Map.of(
                "ALPHA", "a", "BRAVO", "b", "CHARLIE", "c", "DELTA", "d",
                "ECHO", "e", "FOXTROT", "f", "GOLF", "g", "HOTEL", "h");
        App app = new App();
        Stack stack = new Stack(app, "MapOf");
        PrivateFargateBehindAlb.Builder.create(stack, "Web").environment(environment).build();
        new ObjectMapper().writeValue(Path.of(args[0]).toFile(), Template.fromStack(stack).toJSON());
        java.nio.file.Files.writeString(Path.of(args[1]), String.join(",", environment.keySet()));
    }
}
