package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first open in a fresh JVM starts the host's SLF4J binding on a background thread (see {@code
 * dev.memory64.internal.Preinitializer}): whether the open succeeds or fails, nothing of it is left
 * running when the open returns, and the host then gets its real logger, not the substitute SLF4J
 * hands out while it is being started on another thread. Also with the start turned off.
 */
class PreinitializerTest {

    @TempDir Path dir;

    private List<String> run(String... options) throws Exception {
        Path model = dir.resolve("model.gguf");
        TestModels.rich().build().write(model);
        Path notModel = dir.resolve("not-a-model.gguf");
        Files.write(notModel, "not a model".getBytes(StandardCharsets.UTF_8));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(
                String.join(
                        java.io.File.pathSeparator,
                        location(PreinitializerMain.class),
                        location(GgufModel.class),
                        location(org.slf4j.LoggerFactory.class),
                        location(Class.forName("org.slf4j.simple.SimpleLogger"))));
        command.add(PreinitializerMain.class.getName());
        command.add(model.toString());
        command.add(notModel.toString());
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the forked JVM did not end");
        assertEquals(0, process.exitValue(), out + err);
        assertEquals("", err, "SLF4J reported something: " + err);
        return out.lines().toList();
    }

    @Test
    void nothingIsLeftRunningAfterAnOpenAndTheHostGetsItsRealLogger() throws Exception {
        for (String[] options :
                List.of(new String[0], new String[] {"-Dmemory64.preinitialize=false"})) {
            List<String> lines = run(options);
            String logger = " running=false logger=org.slf4j.simple.SimpleLogger";
            assertEquals(List.of("refused" + logger, "opened 5 layers" + logger), lines);
        }
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
