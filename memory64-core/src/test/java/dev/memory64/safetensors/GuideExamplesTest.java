package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors block of docs/GUIDE.md runs and prints what the guide says. */
class GuideExamplesTest {

    @Test
    void openingASafetensorsCheckpointPrintsTheBlockCountAndATensor(@TempDir Path models)
            throws Exception {
        Checkpoints.writer(Checkpoints.llama(2)).writeSharded(models, "model", 3);
        Files.writeString(models.resolve("config.json"), Checkpoints.CONFIG);
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            GuideExamples.openingASafetensorsCheckpoint(models);
        } finally {
            System.setOut(out);
        }
        assertEquals("2 blocks; q_proj [16, 16] BF16\n", printed.toString(StandardCharsets.UTF_8));
    }
}
