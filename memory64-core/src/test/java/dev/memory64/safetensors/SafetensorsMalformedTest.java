package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed headers, indexes and sets are refused with a {@link SafetensorsFormatException} that
 * names the file, the tensor at fault and the rule broken.
 */
class SafetensorsMalformedTest {
    @TempDir Path dir;

    /** A file: the header's length, the header, then {@code data} zero bytes. */
    static byte[] raw(long length, String header, int data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(length).put(json);
        return out.array();
    }

    static byte[] raw(String header, int data) {
        return raw(header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    /** A header of one tensor, then {@code data} bytes. */
    private static byte[] one(String tensor, int data) {
        return raw("{" + tensor + "}", data);
    }

    /** A header of two tensors, then {@code data} bytes. */
    private static byte[] two(String first, String second, int data) {
        return raw("{" + first + "," + second + "}", data);
    }

    private static String t(String name, String dtype, String shape, long begin, long end) {
        return "\""
                + name
                + "\":{\"dtype\":\""
                + dtype
                + "\",\"shape\":"
                + shape
                + ",\"data_offsets\":["
                + begin
                + ","
                + end
                + "]}";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "shorter than the length", new byte[5], "header_size", null, "5 bytes"),
                Arguments.of(
                        "length over the limit",
                        raw(100_000_001L, "{}", 0),
                        "header_size",
                        null,
                        "limit of 100000000"),
                Arguments.of(
                        "length with the top bit set",
                        raw(-1L, "{}", 0),
                        "header_size",
                        null,
                        "18446744073709551615"),
                Arguments.of(
                        "length past the file", raw(64, "{}", 0), "header_size", null, "runs past"),
                Arguments.of("not an object", raw("[]", 0), "header", null, "not a JSON object"),
                Arguments.of("not JSON", raw("{\"a\":", 0), "json", null, "not valid JSON"),
                Arguments.of(
                        "two objects", raw("{}{}", 0), "header", null, "after its JSON object"),
                Arguments.of(
                        "a tensor twice",
                        two(t("a", "F32", "[1]", 0, 4), t("a", "F32", "[1]", 4, 8), 8),
                        "duplicate_key",
                        "a",
                        "twice"),
                Arguments.of(
                        "a metadata key twice",
                        raw("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0),
                        "duplicate_key",
                        null,
                        "\"k\" twice"),
                Arguments.of(
                        "__metadata__ twice",
                        raw("{\"__metadata__\":{},\"__metadata__\":{}}", 0),
                        "duplicate_key",
                        "__metadata__",
                        "twice"),
                Arguments.of(
                        "a field twice",
                        raw(
                                "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                                4),
                        "duplicate_key",
                        "a",
                        "dtype twice"),
                Arguments.of(
                        "an unknown dtype",
                        one(t("a", "F128", "[1]", 0, 16), 16),
                        "dtype",
                        "a",
                        "\"F128\""),
                Arguments.of(
                        "a dtype not a string",
                        raw("{\"a\":{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "dtype",
                        "a",
                        "not a string"),
                Arguments.of(
                        "a negative dimension",
                        one(t("a", "F32", "[-1]", 0, 4), 4),
                        "shape",
                        "a",
                        "\"-1\""),
                Arguments.of(
                        "a fractional dimension",
                        one(t("a", "F32", "[1.5]", 0, 4), 4),
                        "shape",
                        "a",
                        "not an integer"),
                Arguments.of(
                        "a dimension past 2^63",
                        one(t("a", "F32", "[9223372036854775808]", 0, 4), 4),
                        "shape",
                        "a",
                        "not an integer"),
                Arguments.of(
                        "a shape not an array",
                        raw("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4),
                        "shape",
                        "a",
                        "not an array"),
                Arguments.of(
                        "elements past 2^63",
                        one(t("a", "U8", "[4611686018427387904,4]", 0, 4), 4),
                        "shape_overflow",
                        "a",
                        "64-bit count"),
                Arguments.of(
                        "bits past 2^63",
                        one(t("a", "F64", "[2305843009213693952]", 0, 4), 4),
                        "shape_overflow",
                        "a",
                        "64-bit size"),
                Arguments.of(
                        "bits not filling bytes",
                        one(t("a", "F4", "[3]", 0, 1), 1),
                        "misaligned",
                        "a",
                        "12 bits"),
                Arguments.of(
                        "three offsets",
                        raw(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
                                4),
                        "data_offsets",
                        "a",
                        "3 data_offsets, not 2"),
                Arguments.of(
                        "offsets backwards",
                        one(t("a", "F32", "[1]", 4, 0), 4),
                        "data_offsets",
                        "a",
                        "ends before it begins"),
                Arguments.of(
                        "offsets against dtype and shape",
                        one(t("a", "F32", "[2,2]", 0, 12), 12),
                        "data_offsets",
                        "a",
                        "F32 [2, 2] takes 16"),
                Arguments.of(
                        "overlapping tensors",
                        two(t("a", "F32", "[2]", 0, 8), t("b", "F32", "[1]", 4, 8), 8),
                        "overlap",
                        "b",
                        "overlap tensor \"a\""),
                Arguments.of(
                        "a gap between tensors",
                        two(t("a", "F32", "[1]", 0, 4), t("b", "F32", "[1]", 8, 12), 12),
                        "gap",
                        "b",
                        "[4, 8)"),
                Arguments.of(
                        "a gap at the start",
                        one(t("a", "F32", "[1]", 4, 8), 8),
                        "gap",
                        "a",
                        "[0, 4)"),
                Arguments.of(
                        "offsets past the file",
                        one(t("a", "F32", "[2]", 0, 8), 4),
                        "past_end",
                        "a",
                        "run past"),
                Arguments.of(
                        "data past the tensors",
                        one(t("a", "F32", "[1]", 0, 4), 12),
                        "gap",
                        null,
                        "[4, 12)"),
                Arguments.of(
                        "a missing field",
                        raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                        "tensor",
                        "a",
                        "lacks data_offsets"),
                Arguments.of(
                        "a tensor not an object",
                        raw("{\"a\":[1]}", 0),
                        "tensor",
                        "a",
                        "not an object"),
                Arguments.of(
                        "metadata not strings",
                        raw("{\"__metadata__\":{\"k\":1}}", 0),
                        "metadata",
                        null,
                        "not a string"),
                Arguments.of(
                        "metadata not an object",
                        raw("{\"__metadata__\":[]}", 0),
                        "metadata",
                        null,
                        "not an object"),
                Arguments.of(
                        "a name no UTF-8 holds",
                        one(t("\\ud800", "F32", "[1]", 0, 4), 4),
                        "json",
                        null,
                        "surrogate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aHeaderBreakingARuleIsRefusedNamingFileTensorAndRule(
            String what, byte[] bytes, String rule, String tensor, String detail)
            throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        SafetensorsFormatException e =
                assertThrows(SafetensorsFormatException.class, () -> SafetensorsModel.open(file));
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(tensor, e.tensor(), e.getMessage());
        assertEquals("bad.safetensors", e.file());
        assertTrue(e.getMessage().startsWith("safetensors bad.safetensors: "), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }

    @Test
    void validEdgesOpen() throws IOException {
        // Unknown fields are skipped as the reference skips them; __metadata__ may be null; a
        // header may be padded; zero-element tensors hold no bytes; an empty header is a file.
        Path file = dir.resolve("ok.safetensors");
        Files.write(
                file,
                raw(
                        "{\"__metadata__\":null,\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],"
                                + "\"extra\":{\"a\":[1,{}]}},"
                                + t("a", "F32", "[1]", 0, 4)
                                + "}   ",
                        4));
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            assertEquals(2, model.parts().get(0).tensors().size());
            assertEquals(1, model.store().tensors().size());
        }
        Files.write(file, raw("{}", 0));
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            assertEquals(0, model.store().tensors().size());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> SafetensorsModel.builder(file).withMaxHeaderSize(1));
    }

    private List<Path> twoShards() throws IOException {
        return SafetensorsWriter.create()
                .addZeros("model.layers.0.a", SafetensorsDtype.F32, 4)
                .addZeros("model.layers.1.a", SafetensorsDtype.F32, 4)
                .addZeros("model.layers.2.a", SafetensorsDtype.F32, 4)
                .writeSharded(dir, "model", 2);
    }

    /** Writes an index whose weight map has these pairs, in order (a tensor may come twice). */
    private Path weightMap(String... tensorThenFile) throws IOException {
        StringBuilder json = new StringBuilder("{\"weight_map\":{");
        for (int i = 0; i < tensorThenFile.length; i += 2) {
            json.append(i == 0 ? "\"" : ",\"").append(tensorThenFile[i]).append("\":\"");
            json.append(tensorThenFile[i + 1]).append('"');
        }
        return index(json.append("}}").toString());
    }

    private Path index(String json) throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, json);
        return index;
    }

    private SafetensorsFormatException refused(Path... given) {
        return assertThrows(SafetensorsFormatException.class, () -> SafetensorsModel.open(given));
    }

    private static void assertRule(
            SafetensorsFormatException e, String file, String tensor, String rule) {
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(tensor, e.tensor(), e.getMessage());
        assertEquals(rule, e.rule(), e.getMessage());
    }

    @Test
    void anIndexNamingAFileNotInTheSetIsRefused() throws IOException {
        List<Path> shards = twoShards();
        String a = "model-00001-of-00002.safetensors";
        String b = "model-00002-of-00002.safetensors";
        weightMap(
                "model.layers.0.a",
                a,
                "model.layers.1.a",
                a,
                "model.layers.2.a",
                "model-00003-of-00003.safetensors");
        // Opened by the index: the file is not beside it.
        assertRule(
                refused(dir.resolve("model.safetensors.index.json")),
                "model.safetensors.index.json",
                "model.layers.2.a",
                "index_file");
        // Opened by a shard: the index beside it names a file outside the set.
        assertRule(
                refused(shards.get(0)),
                "model.safetensors.index.json",
                "model.layers.2.a",
                "index_file");
        index("{\"weight_map\":{\"model.layers.0.a\":\"../x.safetensors\"}}");
        assertRule(
                refused(dir.resolve("model.safetensors.index.json")),
                "model.safetensors.index.json",
                "model.layers.0.a",
                "index_file");
        weightMap("model.layers.0.a", a, "model.layers.1.a", b, "model.layers.2.a", b);
        // The second tensor is in the first shard, but mapped to the second.
        assertRule(
                refused(shards.get(1)),
                "model.safetensors.index.json",
                "model.layers.1.a",
                "index_file");
    }

    @Test
    void aTensorInTwoFilesOrInOnlyOneOfIndexAndFilesIsRefused() throws IOException {
        List<Path> shards = twoShards();
        String a = "model-00001-of-00002.safetensors";
        String b = "model-00002-of-00002.safetensors";
        weightMap("model.layers.0.a", a, "model.layers.0.a", b);
        assertRule(
                refused(dir.resolve("model.safetensors.index.json")),
                "model.safetensors.index.json",
                "model.layers.0.a",
                "duplicate_tensor");
        weightMap("model.layers.0.a", a, "model.layers.1.a", a);
        assertRule(
                refused(shards.get(0)),
                "model.safetensors.index.json",
                "model.layers.2.a",
                "index_missing");
        weightMap(
                "model.layers.0.a",
                a,
                "model.layers.1.a",
                a,
                "model.layers.2.a",
                b,
                "model.layers.3.a",
                b);
        assertRule(
                refused(shards.get(0)),
                "model.safetensors.index.json",
                "model.layers.3.a",
                "index_missing");
        Files.delete(dir.resolve("model.safetensors.index.json"));
        // Without an index: the same tensor in both shards.
        SafetensorsWriter.create()
                .addZeros("model.layers.0.a", SafetensorsDtype.F32, 4)
                .addZeros("model.layers.9.a", SafetensorsDtype.F32, 4)
                .write(shards.get(1));
        assertRule(refused(shards.get(0)), b, "model.layers.0.a", "duplicate_tensor");
    }

    @Test
    void aSetWithAPartMissingOrMisnumberedIsRefused() throws IOException {
        List<Path> shards = twoShards();
        Files.delete(shards.get(1));
        assertThrows(
                java.nio.file.NoSuchFileException.class,
                () -> SafetensorsModel.open(shards.get(0)));
        Path third = dir.resolve("model-00003-of-00003.safetensors");
        SafetensorsWriter.create().addZeros("x", SafetensorsDtype.F32, 1).write(third);
        assertRule(
                refused(shards.get(0), third),
                "model-00003-of-00003.safetensors",
                null,
                "shard_name");
    }
}
