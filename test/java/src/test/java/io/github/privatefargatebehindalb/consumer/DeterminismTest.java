package io.github.privatefargatebehindalb.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One Java program, run in several JVMs, gives one template: the construct sorts the keys of
 * environment and secrets, whatever order Java's Map.of hands them over in.
 */
class DeterminismTest {
    private static final int RUNS = 4;

    @Test
    void aMapOfEnvironmentGivesTheSameTemplateInEveryJvm() throws Exception {
        Path dir = Files.createTempDirectory("map-of");
        Set<String> keyOrders = new HashSet<>();
        List<String> templates = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            Path template = dir.resolve("template-" + run + ".json");
            Path keys = dir.resolve("keys-" + run + ".txt");
            Process process = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    MapOfEnvironment.class.getName(), template.toString(), keys.toString())
                    .inheritIO()
                    .start();
            assertEquals(0, process.waitFor(), "MapOfEnvironment run " + run);
            templates.add(Files.readString(template));
            keyOrders.add(Files.readString(keys));
        }
        // The runs saw Map.of in more than one order, so equal templates mean the order did not matter.
        assertNotEquals(1, keyOrders.size(), "Map.of iterated in one order in every JVM: " + keyOrders);
        for (String template : templates) {
            assertEquals(templates.get(0), template);
        }
    }
}
