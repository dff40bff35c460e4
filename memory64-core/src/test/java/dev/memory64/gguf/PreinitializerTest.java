package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.testkit.Forked;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        Forked.Output output =
                Forked.run(
                        Forked.java(
                                List.of(options),
                                PreinitializerMain.class,
                                List.of(
                                        PreinitializerMain.class,
                                        GgufModel.class,
                                        org.slf4j.LoggerFactory.class,
                                        Class.forName("org.slf4j.simple.SimpleLogger")),
                                List.of(model.toString(), notModel.toString())),
                        60,
                        "the forked JVM");
        assertEquals("", output.err(), "SLF4J reported something: " + output.err());
        return output.out().lines().toList();
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
}
