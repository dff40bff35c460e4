package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.internal.LayerChecksum;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example ({@link ReadmeExample}) works. Run on Endive too, where the
 * example is the generated rename of Chicory's: moving a host to Endive is that rename
 * (docs/GUIDE.md). {@code ReadmeBlockTest} checks that the README shows exactly the example's body.
 */
class ReadmeExampleTest {

    @Test
    void exampleChecksumsEveryLayerOfATinyGgufModel(@TempDir Path dir) throws IOException {
        // One tensor per layer, so each layer's bytes are its tensor's bytes.
        Map<String, byte[]> tensors = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (String name :
                List.of(
                        "token_embd.weight",
                        "blk.0.attn_q.weight",
                        "blk.1.attn_q.weight",
                        "output_norm.weight",
                        "output.weight")) {
            byte[] data = new byte[4 * 8 * (2 + tensors.size())];
            random.nextBytes(data);
            tensors.put(name, data);
        }
        GgufWriter.Builder writer =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(2));
        for (Map.Entry<String, byte[]> t : tensors.entrySet()) {
            long rows = t.getValue().length / (4 * 8);
            writer.addTensor(t.getKey(), GgmlType.F32, new long[] {8, rows}, t.getValue());
        }
        Path model = dir.resolve("tiny.gguf");
        writer.build().write(model);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReadmeExample.run(model, Guests.ROOT.resolve("c").resolve("layer_checksum.wasm"), out);

        // Layer ids in the origin design's numbering: token_embd 0, blk.N N+1, then output_norm
        // and output.
        List<String> expected = new ArrayList<>();
        long total = 0;
        int id = 0;
        for (byte[] data : tensors.values()) {
            long checksum = LayerChecksum.of(MemorySegment.ofArray(data));
            expected.add(
                    "layer "
                            + id++
                            + " size "
                            + data.length
                            + " checksum "
                            + LayerChecksum.hex(checksum));
            total += data.length;
        }
        expected.add("total layers " + tensors.size() + " bytes " + total);
        assertEquals(String.join("\n", expected) + "\n", out.toString(StandardCharsets.UTF_8));
    }
}
