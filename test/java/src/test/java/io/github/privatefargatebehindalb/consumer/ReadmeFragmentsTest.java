package io.github.privatefargatebehindalb.consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

/**
 * Every Java block of the README but the whole programs ConsumerTest runs, compiled as the body of a
 * class of its own and run against a stack in a fresh App, whose template is then synthesized.
 */
class ReadmeFragmentsTest {
    /** Imported by every block, after its own import lines. */
    private static final List<String> DEFAULT_IMPORTS = List.of(
            "io.github.privatefargatebehindalb.*",
            "software.amazon.awscdk.*",
            "software.amazon.awscdk.services.ec2.*",
            "software.amazon.awscdk.services.ecs.*",
            "software.amazon.awscdk.services.route53.*",
            "java.util.*");

    /** Names other parts of the README declare, declared for a block that uses one and does not declare it. */
    private static final Map<String, String> DEFAULT_DECLARATIONS = Map.of(
            "web", "io.github.privatefargatebehindalb.PrivateFargateBehindAlb web = "
                    + "io.github.privatefargatebehindalb.PrivateFargateBehindAlb.Builder.create(stack, \"ReadmeWeb\").build();",
            "hostedZone", "software.amazon.awscdk.services.route53.IHostedZone hostedZone = "
                    + "software.amazon.awscdk.services.route53.HostedZone.fromLookup(stack, \"ReadmeHostedZone\", "
                    + "software.amazon.awscdk.services.route53.HostedZoneProviderProps.builder().domainName(\"example.com\").build());",
            "zone", "software.amazon.awscdk.services.route53.IHostedZone zone = "
                    + "software.amazon.awscdk.services.route53.HostedZone.fromLookup(stack, \"ReadmeZone\", "
                    + "software.amazon.awscdk.services.route53.HostedZoneProviderProps.builder().domainName(\"example.com\").build());");

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*$");

    /** A fenced block: the README line of its first code line, and its code. */
    private record Block(int line, String code) {
    }

    /** A generated class: its name, its source, and the README line of each of its lines (0: generated). */
    private record Generated(Block block, String name, String source, int[] readmeLines) {
        int readmeLine(long generatedLine) {
            return generatedLine >= 1 && generatedLine <= readmeLines.length ? readmeLines[(int) generatedLine - 1] : 0;
        }
    }

    private static List<Block> readmeFences(String language) throws IOException {
        String[] lines = Files.readString(Path.of(System.getProperty("readme"))).split("\n", -1);
        List<Block> blocks = new ArrayList<>();
        Integer start = null;
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            if (start == null && line.equals("```" + language)) {
                start = number + 1;
            } else if (start != null && line.equals("```")) {
                StringBuilder code = new StringBuilder();
                for (int i = start; i < number; i++) {
                    code.append(lines[i - 1]).append('\n');
                }
                blocks.add(new Block(start, code.toString()));
                start = null;
            }
        }
        assertTrue(start == null, "README's " + language + " block at line " + start + " is closed");
        return blocks;
    }

    private static Generated generate(Block block) {
        String name = "ReadmeLine" + block.line();
        List<String> source = new ArrayList<>();
        List<Integer> readmeLines = new ArrayList<>();
        List<String> body = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        source.add("package readme;");
        readmeLines.add(0);
        String[] lines = block.code().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (IMPORT.matcher(lines[i]).matches()) {
                source.add(lines[i]);
                readmeLines.add(block.line() + i);
            } else {
                body.add(lines[i]);
                bodyLines.add(block.line() + i);
            }
        }
        for (String defaultImport : DEFAULT_IMPORTS) {
            source.add("import " + defaultImport + ";");
            readmeLines.add(0);
        }
        source.add("public final class " + name + " {");
        source.add("    public static void run(final software.amazon.awscdk.Stack stack) {");
        readmeLines.add(0);
        readmeLines.add(0);
        String code = String.join("\n", body);
        for (Map.Entry<String, String> declaration : new TreeMap<>(DEFAULT_DECLARATIONS).entrySet()) {
            String variable = Pattern.quote(declaration.getKey());
            boolean used = Pattern.compile("\\b" + variable + "\\b").matcher(code).find();
            boolean declared = Pattern.compile("[\\w>]\\s+" + variable + "\\s*[=;]").matcher(code).find();
            if (used && !declared) {
                source.add("        " + declaration.getValue());
                readmeLines.add(0);
            }
        }
        source.addAll(body);
        readmeLines.addAll(bodyLines);
        source.add("    }");
        source.add("}");
        readmeLines.add(0);
        readmeLines.add(0);
        return new Generated(block, name, String.join("\n", source) + "\n",
                readmeLines.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void everyJavaBlockOfTheReadmeThatIsNotAWholeProgramCompilesAndBuildsAServiceThatSynthesizes(@TempDir Path work) throws Exception {
        Set<String> programs = Set.of(ConsumerTest.readmeBlock("Install and run", "java"), ConsumerTest.readmeBlock("Usage", "java"));
        List<Generated> fragments = readmeFences("java").stream()
                .filter(block -> !programs.contains(block.code()))
                .map(ReadmeFragmentsTest::generate)
                .collect(Collectors.toList());
        assertFalse(fragments.isEmpty(), "README has Java blocks besides its whole programs");

        Path sources = Files.createDirectories(work.resolve("sources"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        Map<String, Generated> byFile = new HashMap<>();
        List<Path> files = new ArrayList<>();
        for (Generated fragment : fragments) {
            Path file = Files.createDirectories(sources.resolve("readme")).resolve(fragment.name() + ".java");
            Files.writeString(file, fragment.source());
            files.add(file);
            byFile.put(file.toUri().getPath(), fragment);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "the tests run on a JDK, whose compiler compiles the README's blocks");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean compiled;
        try (StandardJavaFileManager fileManager = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            compiled = compiler.getTask(null, fileManager, diagnostics,
                    List.of("-d", classes.toString(), "-classpath", classpath, "-proc:none"),
                    null, fileManager.getJavaFileObjectsFromPaths(files)).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
            if (diagnostic.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Generated fragment = diagnostic.getSource() == null ? null : byFile.get(diagnostic.getSource().toUri().getPath());
            String where = fragment == null ? "" : "README.md line " + fragment.block().line() + ": the Java block";
            int line = fragment == null ? 0 : fragment.readmeLine(diagnostic.getLineNumber());
            errors.add(where + (line > 0 ? " at line " + line : " (in the generated wrapper)") + ": "
                    + diagnostic.getMessage(Locale.ROOT));
        }
        assertTrue(compiled && errors.isEmpty(), "the README's Java blocks compile:\n" + String.join("\n", errors));

        Map<Integer, String> failures = new LinkedHashMap<>();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            for (Generated fragment : fragments) {
                Stack stack = new Stack(new App(), "Readme", StackProps.builder()
                        .env(Environment.builder().account("123456789012").region("us-east-1").build())
                        .build());
                try {
                    loader.loadClass("readme." + fragment.name()).getMethod("run", Stack.class).invoke(null, stack);
                    if (Template.fromStack(stack).findResources("AWS::ECS::Service").isEmpty()) {
                        failures.put(fragment.block().line(), "the Java block builds no service in stack");
                    }
                } catch (InvocationTargetException error) {
                    Throwable cause = error.getCause();
                    String at = "";
                    for (StackTraceElement frame : cause.getStackTrace()) {
                        if (frame.getClassName().equals("readme." + fragment.name())) {
                            at = " at line " + fragment.readmeLine(frame.getLineNumber());
                            break;
                        }
                    }
                    // The first line of a jsii error: its message, without the JavaScript stack.
                    String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
                    failures.put(fragment.block().line(), "the Java block fails" + at + ": " + cause.getClass().getName() + ": " + message);
                } catch (RuntimeException error) {
                    String message = String.valueOf(error.getMessage()).lines().findFirst().orElse("");
                    failures.put(fragment.block().line(), "the Java block's stack does not synthesize: " + message);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.entrySet().stream()
                .map(failure -> "README.md line " + failure.getKey() + ": " + failure.getValue())
                .collect(Collectors.joining("\n")));
    }
}
