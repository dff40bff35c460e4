package dev.memory64.gguf;

import static dev.memory64.gguf.GgufSplitter.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a GGUF model gives its store every key of the header as format-neutral metadata, each
 * value in the ABI's encoding, which this test computes on its own from the written values.
 */
class GgufMetadataTest {

    @TempDir Path dir;

    /** {@link TestModels#rich()} written into the test's directory. */
    private Path rich() throws java.io.IOException {
        Path file = dir.resolve("rich.gguf");
        TestModels.rich().build().write(file);
        return file;
    }

    @Test
    void theStoreHoldsEveryHeaderKeyInOrderInTheAbiEncoding() throws Exception {
        try (GgufModel model = GgufModel.open(rich())) {
            ModelMetadata metadata = model.store().metadata();
            assertEquals(
                    model.file().metadata().keySet().stream().toList(),
                    List.copyOf(metadata.keys()));
            for (Map.Entry<String, GgufValue> entry : model.file().metadata().entrySet()) {
                GgufValue value = entry.getValue();
                MetadataValue got = metadata.get(entry.getKey()).orElseThrow();
                assertEquals(value.type().id(), got.type(), entry.getKey());
                int elementType =
                        value instanceof GgufValue.ArrayValue a
                                ? a.elementType().id()
                                : value.type().id();
                assertEquals(elementType, got.elementType(), entry.getKey());
                assertEquals(
                        value instanceof GgufValue.ArrayValue a ? a.size() : 1,
                        got.count(),
                        entry.getKey());
                assertArrayEquals(
                        encode(value),
                        got.encoding().toArray(ValueLayout.JAVA_BYTE),
                        entry.getKey());
                assertEquals(got.size(), encode(value).length);
            }
            byte[] key = "tokenizer.ggml.tokens".getBytes(StandardCharsets.UTF_8);
            assertEquals(
                    metadata.get("tokenizer.ggml.tokens").orElseThrow(),
                    metadata.find(key, key.length));
        }
    }

    @Test
    void aValueAsMetadataIsWhatTheStoreOfItsFileHolds() throws Exception {
        try (GgufModel model = GgufModel.open(rich())) {
            for (Map.Entry<String, GgufValue> entry : model.file().metadata().entrySet()) {
                MetadataValue stored = model.store().metadata().get(entry.getKey()).orElseThrow();
                MetadataValue converted = entry.getValue().toMetadataValue();
                assertEquals(stored.type(), converted.type(), entry.getKey());
                assertEquals(stored.elementType(), converted.elementType(), entry.getKey());
                assertEquals(stored.count(), converted.count(), entry.getKey());
                assertArrayEquals(
                        stored.encoding().toArray(ValueLayout.JAVA_BYTE),
                        converted.encoding().toArray(ValueLayout.JAVA_BYTE),
                        entry.getKey());
            }
        }
        MetadataValue built =
                GgufValue.array(GgufValueType.FLOAT32, List.of(GgufValue.float32(-2.5f)))
                        .toMetadataValue();
        assertEquals(MetadataValue.ARRAY, built.type());
        assertEquals(MetadataValue.FLOAT32, built.elementType());
        assertEquals(
                -2.5f,
                built.encoding()
                        .get(
                                ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                                0));
    }

    @Test
    void aSplitSetsMetadataIsItsFirstPartsHeaderWhicheverPartIsNamed() throws Exception {
        GgufSplitter.onePerPart(
                dir,
                "m",
                Map.of("general.architecture", GgufValue.string("llama")),
                f32("token_embd.weight", new byte[32]),
                f32("blk.0.w", new byte[32]));
        try (GgufModel model = GgufModel.open(dir.resolve("m-00002-of-00002.gguf"))) {
            Memory64Store store = model.store();
            assertEquals(
                    "llama",
                    new String(
                            store.metadata()
                                    .get("general.architecture")
                                    .orElseThrow()
                                    .encoding()
                                    .toArray(ValueLayout.JAVA_BYTE),
                            StandardCharsets.UTF_8));
            assertArrayEquals(
                    new byte[] {0, 0},
                    store.metadata()
                            .get("split.no")
                            .orElseThrow()
                            .encoding()
                            .toArray(ValueLayout.JAVA_BYTE));
        }
        assertEquals(2, Files.list(dir).count());
    }

    /** The ABI's encoding of a value, written from docs/ABI.md. */
    static byte[] encode(GgufValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (value) {
            case GgufValue.StringValue s ->
                    out.writeBytes(s.value().getBytes(StandardCharsets.UTF_8));
            case GgufValue.BoolValue b -> out.write(b.value() ? 1 : 0);
            case GgufValue.IntValue i -> out.writeBytes(le(i.value(), i.type().fixedSize()));
            case GgufValue.FloatValue f ->
                    out.writeBytes(
                            f.type() == GgufValueType.FLOAT32
                                    ? le(Float.floatToRawIntBits((float) f.value()), 4)
                                    : le(Double.doubleToRawLongBits(f.value()), 8));
            case GgufValue.ArrayValue a -> {
                for (GgufValue element : a.elements()) {
                    if (element instanceof GgufValue.StringValue s) {
                        byte[] utf8 = s.value().getBytes(StandardCharsets.UTF_8);
                        out.writeBytes(le(utf8.length, 8));
                        out.writeBytes(utf8);
                    } else if (element instanceof GgufValue.ArrayValue inner) {
                        out.writeBytes(le(inner.elementType().id(), 4));
                        out.writeBytes(le(inner.size(), 8));
                        out.writeBytes(encode(inner));
                    } else {
                        out.writeBytes(encode(element));
                    }
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] le(long value, int width) {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] bytes = new byte[width];
        System.arraycopy(buffer.array(), 0, bytes, 0, width);
        return bytes;
    }
}
