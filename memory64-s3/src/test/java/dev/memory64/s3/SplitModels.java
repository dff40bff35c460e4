package dev.memory64.s3;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.testkit.SmallModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A GGUF model split in two parts, one tensor each, as llama.cpp's gguf-split names them. */
final class SplitModels {

    private SplitModels() {}

    /**
     * Writes {@code PREFIX-00001-of-00002.gguf} and {@code PREFIX-00002-of-00002.gguf}.
     *
     * @param dir where they go
     * @param prefix the name before the part number
     * @return the two parts, in order
     */
    static List<Path> twoParts(Path dir, String prefix) throws IOException {
        List<Path> parts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            GgufWriter.Builder part =
                    GgufWriter.builder()
                            .addMetadata("split.no", GgufValue.uint16(i))
                            .addMetadata("split.count", GgufValue.uint16(2))
                            .addMetadata("split.tensors.count", GgufValue.int32(2))
                            .addTensor(
                                    "blk." + i + ".ffn_up.weight",
                                    GgmlType.F32,
                                    new long[] {256, 100},
                                    SmallModels.bytes(256 * 100 * 4, i));
            if (i == 0) {
                part.addMetadata("general.architecture", GgufValue.string("llama"));
            }
            Path path = dir.resolve(prefix + "-0000" + (i + 1) + "-of-00002.gguf");
            part.build().write(path);
            parts.add(path);
        }
        return parts;
    }
}
