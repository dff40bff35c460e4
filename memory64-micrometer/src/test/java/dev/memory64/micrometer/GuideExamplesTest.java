package dev.memory64.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer block of docs/GUIDE.md ({@link GuideExamples}) runs and does what it says. */
class GuideExamplesTest {

    @Test
    void everyMeterOfTheModelsStoreIsTaggedWithTheModelAndTheStore(@TempDir Path dir)
            throws IOException {
        Path path = dir.resolve("llama-7b.gguf");
        GgufWriter.builder()
                .addMetadata("general.architecture", GgufValue.string("llama"))
                .addMetadata("llama.block_count", GgufValue.uint32(1))
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {8, 4}, new byte[128])
                .addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {8, 8}, new byte[256])
                .build()
                .write(path);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (GgufModel model = GgufModel.open(path)) {
            GuideExamples.micrometer(model, registry);

            List<Meter> meters = registry.getMeters();
            // The ten meters of the guide's table, each tagged model=llama-7b and store=<name>.
            assertEquals(10, meters.size());
            Set<Tag> tags =
                    Set.of(Tag.of("model", "llama-7b"), Tag.of("store", model.store().name()));
            for (Meter meter : meters) {
                assertEquals(tags, Set.copyOf(meter.getId().getTags()), meter.getId().toString());
            }
            assertEquals(
                    Set.of(
                            "memory64.reads",
                            "memory64.writes",
                            "memory64.bytes.read",
                            "memory64.bytes.written",
                            "memory64.errors",
                            "memory64.size",
                            "memory64.layers",
                            "memory64.residency.bytes.released",
                            "memory64.residency.bytes.prefetched",
                            "memory64.residency.window"),
                    meters.stream().map(m -> m.getId().getName()).collect(Collectors.toSet()));
            assertEquals(2.0, registry.get("memory64.layers").gauge().value());
        }
    }
}
