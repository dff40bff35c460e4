package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufRoundTripTest {

    @TempDir Path dir;

    private GgufFile writeAndRead(GgufWriter writer) throws IOException {
        Path path = dir.resolve("model.gguf");
        writer.write(path);
        assertEquals(writer.fileSize(), Files.size(path));
        return GgufFile.read(path);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyMetadataTypeRoundTrips(int version) throws IOException {
        GgufWriter writer = TestModels.rich().withVersion(version).build();
        GgufFile file = writeAndRead(writer);

        assertEquals(version, file.version());
        assertEquals(writer.metadata(), file.metadata());
        assertEquals(
                List.copyOf(writer.metadata().keySet()), List.copyOf(file.metadata().keySet()));
        Map<String, GgufValue> m = file.metadata();
        assertEquals(GgufValue.uint8(255), m.get("t.uint8"));
        assertEquals(-128, m.get("t.int8").asLong());
        assertEquals(GgufValueType.INT8, m.get("t.int8").type());
        assertEquals(65535, m.get("t.uint16").asLong());
        assertEquals(-32768, m.get("t.int16").asLong());
        assertEquals(0xFFFF_FFFFL, m.get("t.uint32").asLong());
        assertEquals(Integer.MIN_VALUE, m.get("t.int32").asLong());
        assertEquals(-0.25, m.get("t.float32").asDouble());
        assertEquals(GgufValueType.FLOAT32, m.get("t.float32").type());
        assertTrue(m.get("t.bool").asBoolean());
        assertEquals("hello, wörld", m.get("t.string").asString());
        assertEquals(-1L, m.get("t.uint64").asLong());
        assertEquals(GgufValueType.UINT64, m.get("t.uint64").type());
        assertEquals(Long.MIN_VALUE, m.get("t.int64").asLong());
        assertEquals(Math.PI, m.get("t.float64").asDouble());
        assertEquals("", m.get("t.empty_string").asString());
        assertEquals(List.of("x", "", "yz"), m.get("t.array.string").asArray().strings());
        assertEquals(1L << 63, m.get("t.array.uint64").asArray().get(0).asLong());
        assertEquals(0, m.get("t.array.empty").asArray().size());
        assertEquals(GgufValueType.INT32, m.get("t.array.empty").asArray().elementType());

        GgufValue.ArrayValue nested = m.get("t.array.nested").asArray();
        assertEquals(GgufValueType.ARRAY, nested.elementType());
        assertEquals(3, nested.size());
        GgufValue.ArrayValue inner = nested.get(0).asArray();
        assertEquals(List.of("deep"), inner.get(0).asArray().strings());
        assertEquals(3, inner.get(1).asArray().get(0).asLong());
        assertEquals(GgufValueType.UINT8, inner.get(1).asArray().elementType());
        assertTrue(nested.get(1).asArray().get(0).asBoolean());
        assertEquals(GgufValueType.STRING, nested.get(2).asArray().elementType());

        assertEquals(writer.tensors(), file.tensors());
    }

    @Test
    void typedAccessorsReadTheWellKnownKeys() throws IOException {
        GgufFile file = writeAndRead(TestModels.rich().build());
        assertEquals("llama", file.architecture().orElseThrow());
        assertEquals("tiny ü€", file.name().orElseThrow());
        assertEquals(OptionalLong.of(2), file.blockCount());
        assertEquals(OptionalLong.of(4096), file.contextLength());
        assertEquals(OptionalLong.of(32), file.embeddingLength());
        assertEquals(
                List.of("<s>", "</s>", "a", "", "😀"),
                file.metadata("tokenizer.ggml.tokens").orElseThrow().asArray().strings());
        assertTrue(file.metadata("missing").isEmpty());
    }

    @Test
    void accessorsAreEmptyWithoutTheKeys() throws IOException {
        GgufFile file = writeAndRead(GgufWriter.builder().build());
        assertTrue(file.architecture().isEmpty());
        assertTrue(file.name().isEmpty());
        assertTrue(file.blockCount().isEmpty());
        assertTrue(file.contextLength().isEmpty());
        assertTrue(file.embeddingLength().isEmpty());
        assertEquals(List.of(), file.tensors());
        assertEquals(List.of(), file.layers());
        assertEquals(24, file.headerSize());
        assertEquals(32, file.dataStart());
        assertEquals(32, file.alignment());
    }

    @Test
    void blockCountNeedsTheArchitecturesKey() throws IOException {
        GgufFile file =
                writeAndRead(
                        GgufWriter.builder()
                                .addMetadata("general.architecture", GgufValue.string("qwen2"))
                                .addMetadata("llama.block_count", GgufValue.uint32(9))
                                .addMetadata("qwen2.context_length", GgufValue.uint16(512))
                                .build());
        assertTrue(file.blockCount().isEmpty());
        assertEquals(OptionalLong.of(512), file.contextLength());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 8, 32, 64, 256, 4096, 1 << 16})
    void tensorsAreAlignedAndTheirBytesLieAtTheirFileOffsets(long alignment) throws IOException {
        GgufWriter writer = TestModels.rich().withAlignment(alignment).build();
        Path path = dir.resolve("aligned.gguf");
        writer.write(path);
        GgufFile file = GgufFile.read(path);

        assertEquals(alignment, file.alignment());
        assertEquals(alignment, file.metadata().get("general.alignment").asLong());
        assertEquals(0, file.dataStart() % alignment);
        assertTrue(file.dataStart() >= file.headerSize());
        assertTrue(file.dataStart() - file.headerSize() < alignment);
        assertEquals(0, file.fileSize() % alignment);
        byte[] bytes = Files.readAllBytes(path);
        int seed = 1;
        for (GgufTensor tensor : file.tensors()) {
            assertEquals(0, tensor.offset() % alignment, tensor.name());
            assertEquals(file.dataStart() + tensor.offset(), tensor.fileOffset());
            byte[] stored =
                    Arrays.copyOfRange(bytes, (int) tensor.fileOffset(), (int) tensor.fileEnd());
            assertArrayEquals(TestModels.data((int) tensor.byteSize(), seed++), stored);
        }
    }

    @Test
    void streamedContentLandsAtItsOffsetAndSparseTensorsReadAsZeros() throws IOException {
        byte[] expected = TestModels.data(4 * 1000, 9);
        GgufWriter writer =
                GgufWriter.builder()
                        .addSparseTensor("token_embd.weight", GgmlType.F32, new long[] {10, 10})
                        .addTensor(
                                "blk.0.x",
                                GgmlType.F32,
                                new long[] {1000},
                                channel -> {
                                    for (int at = 0; at < expected.length; at += 333) {
                                        int n = Math.min(333, expected.length - at);
                                        channel.write(ByteBuffer.wrap(expected, at, n));
                                    }
                                })
                        .addSparseTensor("output.weight", GgmlType.F32, new long[] {3})
                        .build();
        GgufFile file = writeAndRead(writer);
        byte[] bytes = Files.readAllBytes(dir.resolve("model.gguf"));
        GgufTensor streamed = file.tensor("blk.0.x").orElseThrow();
        assertArrayEquals(
                expected,
                Arrays.copyOfRange(bytes, (int) streamed.fileOffset(), (int) streamed.fileEnd()));
        GgufTensor sparse = file.tensor("token_embd.weight").orElseThrow();
        for (long i = sparse.fileOffset(); i < sparse.fileEnd(); i++) {
            assertEquals(0, bytes[(int) i]);
        }
        assertEquals(file.dataStart() + 416 + 4000 + 32, file.fileSize()); // 400->416, 4000, 12->32
    }

    /** A model of one 16-byte F32 tensor whose content writes {@code bytes} bytes. */
    private static GgufWriter writingBytes(int bytes) {
        return GgufWriter.builder()
                .addTensor(
                        "a",
                        GgmlType.F32,
                        new long[] {4},
                        channel -> channel.write(ByteBuffer.allocate(bytes)))
                .build();
    }

    @Test
    void contentThatWritesTheWrongAmountFailsAndLeavesNoFile() {
        Path path = dir.resolve("bad.gguf");
        GgufWriter tooFew = writingBytes(15);
        IllegalStateException few =
                assertThrows(IllegalStateException.class, () -> tooFew.write(path));
        assertTrue(few.getMessage().contains("wrote 15 bytes, but its byte size is 16"));
        assertFalse(Files.exists(path));
        GgufWriter tooMany = writingBytes(17);
        IllegalStateException many =
                assertThrows(IllegalStateException.class, () -> tooMany.write(path));
        assertTrue(many.getMessage().contains("past its byte size 16"), many.getMessage());
        assertFalse(Files.exists(path));
    }

    @Test
    void writerRejectsWhatTheReaderWouldReject() {
        GgufWriter.Builder builder = GgufWriter.builder().addMetadata("k", GgufValue.bool(true));
        assertThrows(
                IllegalArgumentException.class, () -> builder.addMetadata("k", GgufValue.int8(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.addMetadata("general.alignment", GgufValue.uint32(64)));
        assertThrows(IllegalArgumentException.class, () -> builder.withAlignment(48));
        assertThrows(IllegalArgumentException.class, () -> builder.withAlignment(0));
        assertThrows(IllegalArgumentException.class, () -> builder.withAlignment(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> builder.withVersion(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.addTensor("t", GgmlType.F32, new long[] {4}, new byte[15]));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.addSparseTensor("t", GgmlType.Q4_0, new long[] {16}));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.addSparseTensor("", GgmlType.F32, new long[] {1}));
        builder.addSparseTensor("t", GgmlType.F32, new long[] {1});
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.addSparseTensor("t", GgmlType.F32, new long[] {1}));
    }

    @Test
    void readingFromAChannelLeavesItsPositionAndItOpen() throws IOException {
        Path path = dir.resolve("channel.gguf");
        TestModels.rich().build().write(path);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.position(7);
            GgufFile file = GgufFile.read(channel);
            assertEquals(7, channel.position());
            assertTrue(channel.isOpen());
            assertEquals(GgufFile.read(path).tensors(), file.tensors());
        }
    }

    @Test
    void shortReadsFromTheChannelGiveTheSameResult() throws IOException {
        byte[] bytes = TestModels.richBytes(dir, "short.gguf");
        GgufFile whole = GgufFile.read(new ByteArrayFileChannel(bytes));
        for (int chunk : new int[] {1, 3, 7, 64}) {
            GgufFile file = GgufFile.read(new ByteArrayFileChannel(bytes, chunk));
            assertEquals(whole.metadata(), file.metadata());
            assertEquals(whole.tensors(), file.tensors());
        }
    }

    @Test
    void aChannelThatReturnsNoBytesFailsInsteadOfHanging() throws IOException {
        byte[] bytes = TestModels.richBytes(dir, "stuck.gguf");
        IOException e =
                assertThrows(
                        IOException.class, () -> GgufFile.read(new ByteArrayFileChannel(bytes, 0)));
        assertFalse(e instanceof GgufFormatException);
        assertTrue(
                e.getMessage().contains("returned no bytes 1000 times in a row"), e.getMessage());
    }

    @Test
    void largeVocabularyRoundTripsThroughTheBufferBoundaries() throws IOException {
        List<String> tokens = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 50_000; i++) {
            tokens.add("tok" + i + "é".repeat(random.nextInt(4)));
        }
        tokens.add("x".repeat(200_000)); // longer than the read buffer
        GgufFile file =
                writeAndRead(
                        GgufWriter.builder()
                                .addMetadata("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                                .build());
        assertEquals(tokens, file.metadata().get("tokenizer.ggml.tokens").asArray().strings());
    }

    @Test
    void scalarValuesOfEveryIntegerTypeRoundTrip() {
        GgufValueType[] types = {
            GgufValueType.UINT8, GgufValueType.INT8, GgufValueType.UINT16, GgufValueType.INT16,
            GgufValueType.UINT32, GgufValueType.INT32, GgufValueType.UINT64, GgufValueType.INT64
        };
        qt().withExamples(200)
                .forAll(integers().between(0, types.length - 1), longs().all())
                .checkAssert(
                        (index, raw) -> {
                            GgufValueType type = types[index];
                            int bits = 8 * type.fixedSize();
                            long value =
                                    bits == 64
                                            ? raw
                                            : type.isUnsigned()
                                                    ? raw & ((1L << bits) - 1)
                                                    : (raw << (64 - bits)) >> (64 - bits);
                            GgufValue written = new GgufValue.IntValue(type, value);
                            GgufValue array = GgufValue.array(type, written, written);
                            GgufFile file = roundTrip(written, array);
                            assertEquals(written, file.metadata().get("v"));
                            assertEquals(array, file.metadata().get("a"));
                            assertEquals(written, file.metadata().get("a").asArray().get(1));
                        });
    }

    @Test
    void floatValuesRoundTripBitForBit() {
        qt().withExamples(200)
                .forAll(integers().all(), longs().all())
                .checkAssert(
                        (floatBits, doubleBits) -> {
                            float f = Float.intBitsToFloat(floatBits);
                            double d = Double.longBitsToDouble(doubleBits);
                            if (Float.isNaN(f) || Double.isNaN(d)) {
                                return; // a NaN payload need not survive widening to double
                            }
                            GgufFile file = roundTrip(GgufValue.float32(f), GgufValue.float64(d));
                            assertEquals(
                                    floatBits,
                                    Float.floatToRawIntBits(
                                            (float) file.metadata().get("v").asDouble()));
                            assertEquals(
                                    doubleBits,
                                    Double.doubleToRawLongBits(
                                            file.metadata().get("a").asDouble()));
                        });
    }

    @Test
    void tensorShapesOfEveryTypeRoundTrip() {
        qt().withExamples(100)
                .forAll(
                        integers().between(0, GgmlType.values().length - 1),
                        integers().between(1, 4),
                        longs().between(1, 3),
                        longs().between(1, 5))
                .checkAssert(
                        (index, nDims, blocks, rest) -> {
                            GgmlType type = GgmlType.values()[index];
                            long[] dims = new long[nDims];
                            Arrays.fill(dims, rest);
                            dims[0] = blocks * type.blockSize();
                            try {
                                Path path = Files.createTempFile(dir, "shape", ".gguf");
                                GgufWriter writer =
                                        GgufWriter.builder()
                                                .addSparseTensor("a", type, dims)
                                                .addSparseTensor("b", type, dims)
                                                .build();
                                writer.write(path);
                                GgufFile file = GgufFile.read(path);
                                assertEquals(writer.tensors(), file.tensors());
                                GgufTensor b = file.tensors().get(1);
                                assertEquals(type, b.type());
                                assertArrayEquals(dims, b.dims());
                                assertEquals(type.byteSize(dims), b.byteSize());
                            } catch (IOException e) {
                                throw new AssertionError(e);
                            }
                        });
    }

    /** Writes {@code v} and {@code a} as metadata and reads them back from memory. */
    private GgufFile roundTrip(GgufValue v, GgufValue a) {
        try {
            Path path = dir.resolve("value.gguf");
            GgufWriter.builder().addMetadata("v", v).addMetadata("a", a).build().write(path);
            return GgufFile.read(new ByteArrayFileChannel(Files.readAllBytes(path)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
