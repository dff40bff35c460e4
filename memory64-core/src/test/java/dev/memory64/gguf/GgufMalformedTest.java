package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A corpus of malformed GGUF files, each with the field, value, offset and message it earns. */
class GgufMalformedTest {

    /**
     * One malformed file.
     *
     * @param maxHeaderSize the limit to read with, 0 for the default
     */
    record Case(
            String name,
            byte[] bytes,
            String field,
            String value,
            long offset,
            String fragment,
            long maxHeaderSize) {

        Case(String name, byte[] bytes, String field, String value, long offset, String fragment) {
            this(name, bytes, field, value, offset, fragment, 0);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final int F32 = GgmlType.F32.id();

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedFileFailsWithItsOwnFieldValueOffsetAndMessage(Case c) {
        GgufFormatException e =
                assertThrows(
                        GgufFormatException.class,
                        () ->
                                GgufFile.read(
                                        new ByteArrayFileChannel(c.bytes),
                                        c.maxHeaderSize == 0
                                                ? GgufFile.DEFAULT_MAX_HEADER_SIZE
                                                : c.maxHeaderSize));
        assertEquals(c.field, e.field(), e.getMessage());
        assertEquals(c.value, e.value(), e.getMessage());
        assertEquals(c.offset, e.fileOffset(), e.getMessage());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "GGUF " + c.field + "=" + c.value + " at offset " + c.offset + " "),
                e.getMessage());
        assertTrue(e.getMessage().contains(c.fragment), e.getMessage());
    }

    @Test
    void theCorpusHasAtLeastThirtyDistinctCases() {
        List<Case> cases = cases().toList();
        assertTrue(cases.size() >= 30, "cases: " + cases.size());
        Set<String> names = new HashSet<>();
        for (Case c : cases) {
            assertTrue(names.add(c.name), "duplicate case name " + c.name);
        }
    }

    @Test
    void theExceptionIsAnIoExceptionWithTheDocumentedMessageShape() {
        GgufFormatException e =
                new GgufFormatException(
                        "tensor_count",
                        "18446744073709551615",
                        8,
                        "cannot fit in the 1024 remaining bytes of the file");
        assertEquals(
                "GGUF tensor_count=18446744073709551615 at offset 8 cannot fit in the 1024"
                        + " remaining bytes of the file",
                e.getMessage());
        assertTrue(e instanceof java.io.IOException);
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        header(cases);
        metadata(cases);
        wellKnownKeys(cases);
        tensorInfos(cases);
        placement(cases);
        return cases.stream();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static void header(List<Case> cases) {
        cases.add(
                new Case(
                        "empty file",
                        new byte[0],
                        "magic",
                        "",
                        0,
                        "is truncated: it needs 4 bytes, but the file ends at offset 0"));
        cases.add(
                new Case(
                        "GGML magic",
                        "GGML\3\0\0\0".getBytes(StandardCharsets.US_ASCII),
                        "magic",
                        "0x47474D4C",
                        0,
                        "is not the GGUF magic 0x47475546 (\"GGUF\"): not a GGUF file"));
        cases.add(
                new Case(
                        "version 1",
                        RawGguf.header(1, 0, 0).toBytes(),
                        "version",
                        "1",
                        4,
                        "is not supported: only GGUF versions 2 and 3 are (version 1 is obsolete)"));
        cases.add(
                new Case(
                        "version 7",
                        RawGguf.header(7, 0, 0).toBytes(),
                        "version",
                        "7",
                        4,
                        "is not a supported GGUF version (2 or 3)"));
        cases.add(
                new Case(
                        "big-endian version 3",
                        RawGguf.header(0x0300_0000, 0, 0).toBytes(),
                        "version",
                        "50331648",
                        4,
                        "is a byte-swapped version 3: big-endian GGUF is not supported"));
        cases.add(
                new Case(
                        "tensor_count of 2^64-1",
                        RawGguf.header(3, -1, 0).toBytes(),
                        "tensor_count",
                        "18446744073709551615",
                        8,
                        "cannot fit in the 8 remaining bytes of the file (a tensor info takes at"
                                + " least 24)"));
        cases.add(
                new Case(
                        "metadata_kv_count of 2^40",
                        RawGguf.header(3, 0, 1L << 40).toBytes(),
                        "metadata_kv_count",
                        "1099511627776",
                        16,
                        "cannot fit in the 0 remaining bytes of the file (a metadata entry takes"
                                + " at least 13)"));
        cases.add(
                new Case(
                        "file ends inside metadata_kv_count",
                        Arrays.copyOf(RawGguf.header(3, 0, 0).toBytes(), 20),
                        "metadata_kv_count",
                        "",
                        16,
                        "is truncated: it needs 8 bytes, but the file ends at offset 20"));
        RawGguf longKey = RawGguf.header(3, 0, 1).string("x".repeat(100)).u32(0).u8(0);
        cases.add(
                new Case(
                        "header past the header size limit",
                        longKey.toBytes(),
                        "metadata[0].key.length",
                        "100",
                        24,
                        "cannot fit in the 32 bytes left under the header size limit of 64 bytes",
                        64));
    }

    private static void metadata(List<Case> cases) {
        cases.add(
                new Case(
                        "key length past the end of the file",
                        RawGguf.header(3, 0, 1).u64(1000).zeros(20).toBytes(),
                        "metadata[0].key.length",
                        "1000",
                        24,
                        "cannot fit in the 20 remaining bytes of the file"));
        cases.add(
                new Case(
                        "key that is not UTF-8",
                        RawGguf.header(3, 0, 1).string(bytes(0x61, 0xFF)).u32(0).u8(0).toBytes(),
                        "metadata[0].key",
                        "[61 ff]",
                        32,
                        "is not valid UTF-8 (2 bytes)"));
        RawGguf duplicate = RawGguf.header(3, 0, 2).key("a", GgufValueType.UINT8).u8(1);
        long secondKey = duplicate.position();
        duplicate.key("a", GgufValueType.UINT8).u8(2);
        cases.add(
                new Case(
                        "duplicate metadata key",
                        duplicate.toBytes(),
                        "metadata[1].key",
                        "\"a\"",
                        secondKey,
                        "repeats the key already defined at offset 24: keys are unique"));
        cases.add(
                new Case(
                        "metadata value type 13",
                        RawGguf.header(3, 0, 1).string("k").u32(13).u64(0).toBytes(),
                        "metadata[\"k\"].type",
                        "13",
                        33,
                        "is not a GGUF metadata value type (0 to 12)"));
        cases.add(
                new Case(
                        "metadata value type 2^32-1",
                        RawGguf.header(3, 0, 1).string("k").u32(-1).u64(0).toBytes(),
                        "metadata[\"k\"].type",
                        "4294967295",
                        33,
                        "is not a GGUF metadata value type (0 to 12)"));
        cases.add(
                new Case(
                        "bool of 2",
                        RawGguf.header(3, 0, 1).key("k", GgufValueType.BOOL).u8(2).toBytes(),
                        "metadata[\"k\"]",
                        "2",
                        37,
                        "is not a valid bool (0 or 1)"));
        RawGguf boolArray =
                RawGguf.header(3, 0, 1)
                        .key("k", GgufValueType.ARRAY)
                        .u32(GgufValueType.BOOL.id())
                        .u64(3);
        long elements = boolArray.position();
        boolArray.u8(1).u8(0).u8(0xFF);
        cases.add(
                new Case(
                        "bool array element of 255",
                        boolArray.toBytes(),
                        "metadata[\"k\"][2]",
                        "255",
                        elements + 2,
                        "is not a valid bool (0 or 1)"));
        cases.add(
                new Case(
                        "string value longer than the file",
                        RawGguf.header(3, 0, 1)
                                .key("k", GgufValueType.STRING)
                                .u64(1L << 62)
                                .zeros(3)
                                .toBytes(),
                        "metadata[\"k\"].length",
                        "4611686018427387904",
                        37,
                        "cannot fit in the 3 remaining bytes of the file"));
        cases.add(
                new Case(
                        "string value with an overlong UTF-8 form",
                        RawGguf.header(3, 0, 1)
                                .key("k", GgufValueType.STRING)
                                .string(bytes(0xC0, 0x80))
                                .toBytes(),
                        "metadata[\"k\"]",
                        "[c0 80]",
                        45,
                        "is not valid UTF-8"));
        cases.add(
                new Case(
                        "string value with an encoded surrogate",
                        RawGguf.header(3, 0, 1)
                                .key("k", GgufValueType.STRING)
                                .string(bytes(0x61, 0xED, 0xA0, 0x80))
                                .toBytes(),
                        "metadata[\"k\"]",
                        "[61 ed a0 80]",
                        45,
                        "is not valid UTF-8 (4 bytes)"));
        cases.add(
                new Case(
                        "array count larger than the file",
                        RawGguf.header(3, 0, 1)
                                .key("k", GgufValueType.ARRAY)
                                .u32(GgufValueType.UINT32.id())
                                .u64(5)
                                .u32(1)
                                .toBytes(),
                        "metadata[\"k\"].count",
                        "5",
                        41,
                        "cannot fit in the 4 remaining bytes of the file (an element of type uint32"
                                + " takes at least 4)"));
        cases.add(
                new Case(
                        "array element type 13",
                        RawGguf.header(3, 0, 1)
                                .key("k", GgufValueType.ARRAY)
                                .u32(13)
                                .u64(0)
                                .toBytes(),
                        "metadata[\"k\"].element_type",
                        "13",
                        37,
                        "is not a GGUF metadata value type (0 to 12)"));
        RawGguf deep = RawGguf.header(3, 0, 1).key("k", GgufValueType.ARRAY);
        long deepest = 0;
        for (int depth = 1; depth <= 9; depth++) {
            deepest = deep.position();
            deep.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        cases.add(
                new Case(
                        "arrays nested nine deep",
                        deep.u32(GgufValueType.UINT8.id()).u64(0).toBytes(),
                        "metadata[\"k\"]" + "[0]".repeat(7) + ".element_type",
                        "array",
                        deepest - 12,
                        "nests arrays more than 8 levels deep"));
        RawGguf hugeElement =
                RawGguf.header(3, 0, 1)
                        .key("k", GgufValueType.ARRAY)
                        .u32(GgufValueType.STRING.id())
                        .u64(2)
                        .string("ok");
        long secondLength = hugeElement.position();
        hugeElement.u64(-2).zeros(16);
        cases.add(
                new Case(
                        "string array element longer than the file",
                        hugeElement.toBytes(),
                        "metadata[\"k\"][1].length",
                        "18446744073709551614",
                        secondLength,
                        "cannot fit in the 16 remaining bytes of the file"));
        RawGguf badElement =
                RawGguf.header(3, 0, 1)
                        .key("k", GgufValueType.ARRAY)
                        .u32(GgufValueType.STRING.id())
                        .u64(1);
        long firstBytes = badElement.position() + 8;
        badElement.string(bytes(0xF8, 0x88, 0x80, 0x80, 0x80));
        cases.add(
                new Case(
                        "string array element that is not UTF-8",
                        badElement.toBytes(),
                        "metadata[\"k\"][0]",
                        "[f8 88 80 80 80]",
                        firstBytes,
                        "is not valid UTF-8 (5 bytes)"));
        RawGguf cutArray =
                RawGguf.header(3, 0, 1)
                        .key("k", GgufValueType.ARRAY)
                        .u32(GgufValueType.STRING.id())
                        .u64(2)
                        .string("x".repeat(20));
        cases.add(
                new Case(
                        "file ends inside a string array",
                        cutArray.toBytes(),
                        "metadata[\"k\"][1].length",
                        "",
                        cutArray.position(),
                        "is truncated: it needs 8 bytes, but the file ends at offset "
                                + cutArray.position()));
    }

    private static void wellKnownKeys(List<Case> cases) {
        long value = 24 + 8 + "general.alignment".length() + 4;
        cases.add(
                new Case(
                        "alignment of 48",
                        RawGguf.header(3, 0, 1)
                                .key("general.alignment", GgufValueType.UINT32)
                                .u32(48)
                                .toBytes(),
                        "metadata[\"general.alignment\"]",
                        "48",
                        value,
                        "is not a power of two"));
        cases.add(
                new Case(
                        "alignment of 0",
                        RawGguf.header(3, 0, 1)
                                .key("general.alignment", GgufValueType.UINT32)
                                .u32(0)
                                .toBytes(),
                        "metadata[\"general.alignment\"]",
                        "0",
                        value,
                        "is not a power of two"));
        cases.add(
                new Case(
                        "alignment of type int32",
                        RawGguf.header(3, 0, 1)
                                .key("general.alignment", GgufValueType.INT32)
                                .u32(32)
                                .toBytes(),
                        "metadata[\"general.alignment\"]",
                        "32",
                        value,
                        "has type int32, but general.alignment must be a uint32"));
        cases.add(
                new Case(
                        "architecture of type uint32",
                        RawGguf.header(3, 0, 1)
                                .key("general.architecture", GgufValueType.UINT32)
                                .u32(7)
                                .toBytes(),
                        "metadata[\"general.architecture\"]",
                        "7",
                        24 + 8 + "general.architecture".length() + 4,
                        "has type uint32, but general.architecture must be a string"));
        RawGguf negative =
                RawGguf.header(3, 0, 2).key("llama.block_count", GgufValueType.INT32).u32(-1);
        negative.key("general.architecture", GgufValueType.STRING).string("llama");
        cases.add(
                new Case(
                        "negative block count",
                        negative.toBytes(),
                        "metadata[\"llama.block_count\"]",
                        "-1",
                        24 + 8 + "llama.block_count".length() + 4,
                        "is negative, but llama.block_count is a count"));
        RawGguf text =
                RawGguf.header(3, 0, 2)
                        .key("general.architecture", GgufValueType.STRING)
                        .string("qwen2");
        long textAt = text.position() + 8 + "qwen2.context_length".length() + 4;
        text.key("qwen2.context_length", GgufValueType.STRING).string("4096");
        cases.add(
                new Case(
                        "context length of type string",
                        text.toBytes(),
                        "metadata[\"qwen2.context_length\"]",
                        "\"4096\"",
                        textAt,
                        "has type string, but qwen2.context_length must be an integer"));
        RawGguf huge =
                RawGguf.header(3, 0, 2)
                        .key("general.architecture", GgufValueType.STRING)
                        .string("gpt2");
        long hugeAt = huge.position() + 8 + "gpt2.embedding_length".length() + 4;
        huge.key("gpt2.embedding_length", GgufValueType.UINT64).u64(1L << 63);
        cases.add(
                new Case(
                        "embedding length of 2^63",
                        huge.toBytes(),
                        "metadata[\"gpt2.embedding_length\"]",
                        "9223372036854775808",
                        hugeAt,
                        "exceeds Long.MAX_VALUE=9223372036854775807"));
    }

    private static void tensorInfos(List<Case> cases) {
        cases.add(
                new Case(
                        "tensor name longer than the file",
                        RawGguf.header(3, 1, 0).u64(99).zeros(30).toBytes(),
                        "tensor[0].name.length",
                        "99",
                        24,
                        "cannot fit in the 30 remaining bytes of the file"));
        cases.add(
                new Case(
                        "empty tensor name",
                        RawGguf.header(3, 1, 0).tensor("", new long[] {1}, F32, 0).toBytes(),
                        "tensor[0].name",
                        "\"\"",
                        24,
                        "is empty: every tensor needs a name"));
        RawGguf twice = RawGguf.header(3, 2, 0).tensor("t", new long[] {8}, F32, 0);
        long second = twice.position();
        twice.tensor("t", new long[] {8}, F32, 32).padTo(32).zeros(64);
        cases.add(
                new Case(
                        "duplicate tensor name",
                        twice.toBytes(),
                        "tensor[1].name",
                        "\"t\"",
                        second,
                        "repeats the name of the tensor at offset 24: tensor names are unique"));
        cases.add(
                new Case(
                        "five dimensions",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[] {1, 1, 1, 1, 1}, F32, 0)
                                .toBytes(),
                        "tensor[\"t\"].n_dims",
                        "5",
                        33,
                        "is more than the 4 dimensions ggml allows"));
        cases.add(
                new Case(
                        "2^32-1 dimensions",
                        RawGguf.header(3, 1, 0).string("t").u32(-1).zeros(40).toBytes(),
                        "tensor[\"t\"].n_dims",
                        "4294967295",
                        33,
                        "is more than the 4 dimensions ggml allows"));
        cases.add(
                new Case(
                        "dimension of zero",
                        RawGguf.header(3, 1, 0).tensor("t", new long[] {8, 0}, F32, 0).toBytes(),
                        "tensor[\"t\"].dims[1]",
                        "0",
                        45,
                        "is zero: this reader requires every dimension to be at least 1"));
        cases.add(
                new Case(
                        "dimension of 2^63",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[] {1L << 63}, F32, 0)
                                .toBytes(),
                        "tensor[\"t\"].dims[0]",
                        "9223372036854775808",
                        37,
                        "exceeds Long.MAX_VALUE=9223372036854775807"));
        cases.add(
                new Case(
                        "element count overflow",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[] {1L << 32, 1L << 32}, F32, 0)
                                .toBytes(),
                        "tensor[\"t\"].dims[1]",
                        "4294967296",
                        45,
                        "makes the element count overflow: 4294967296 * 4294967296 exceeds"
                                + " Long.MAX_VALUE"));
        cases.add(
                new Case(
                        "byte size overflow",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[] {1L << 62}, GgmlType.F64.id(), 0)
                                .toBytes(),
                        "tensor[\"t\"].type",
                        "F64",
                        45,
                        "makes the byte size overflow: 4611686018427387904 blocks * 8 bytes"));
        cases.add(
                new Case(
                        "removed type Q4_2",
                        RawGguf.header(3, 1, 0).tensor("t", new long[] {32}, 4, 0).toBytes(),
                        "tensor[\"t\"].type",
                        "4",
                        45,
                        "is not a known GGML type (4 and 5 were Q4_2 and Q4_3, removed from ggml)"));
        cases.add(
                new Case(
                        "removed type Q4_0_8_8",
                        RawGguf.header(3, 1, 0).tensor("t", new long[] {32}, 33, 0).toBytes(),
                        "tensor[\"t\"].type",
                        "33",
                        45,
                        "is not a known GGML type (31 to 33 were Q4_0_4_4"));
        cases.add(
                new Case(
                        "unknown type 100",
                        RawGguf.header(3, 1, 0).tensor("t", new long[] {32}, 100, 0).toBytes(),
                        "tensor[\"t\"].type",
                        "100",
                        45,
                        "is not a known GGML type"));
        cases.add(
                new Case(
                        "row not a multiple of the block size",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[] {16, 2}, GgmlType.Q4_0.id(), 0)
                                .toBytes(),
                        "tensor[\"t\"].dims[0]",
                        "16",
                        37,
                        "gives a row of 16 elements, not a multiple of the block size 32 of type"
                                + " Q4_0"));
        cases.add(
                new Case(
                        "quantized scalar",
                        RawGguf.header(3, 1, 0)
                                .tensor("t", new long[0], GgmlType.Q8_0.id(), 0)
                                .toBytes(),
                        "tensor[\"t\"].n_dims",
                        "0",
                        33,
                        "gives a row of 1 elements, not a multiple of the block size 32"));
        byte[] whole = RawGguf.header(3, 1, 0).tensor("t", new long[] {8, 8}, F32, 0).toBytes();
        cases.add(
                new Case(
                        "file ends inside a tensor info",
                        Arrays.copyOf(whole, 50),
                        "tensor[\"t\"].dims[1]",
                        "",
                        45,
                        "is truncated: it needs 8 bytes, but the file ends at offset 50"));
    }

    private static void placement(List<Case> cases) {
        RawGguf misaligned = RawGguf.header(3, 1, 0).string("t").u32(1).u64(8).u32(F32);
        long offsetField = misaligned.position();
        misaligned.u64(4).padTo(32).zeros(64);
        cases.add(
                new Case(
                        "misaligned tensor offset",
                        misaligned.toBytes(),
                        "tensor[\"t\"].offset",
                        "4",
                        offsetField,
                        "is not a multiple of the alignment 32"));
        RawGguf same = RawGguf.header(3, 2, 0).tensor("a", new long[] {8}, F32, 0);
        long sameOffset = same.position() + 8 + 1 + 4 + 8 + 4;
        same.tensor("b", new long[] {8}, F32, 0).padTo(32).zeros(64);
        cases.add(
                new Case(
                        "two tensors at one offset",
                        same.toBytes(),
                        "tensor[\"b\"].offset",
                        "0",
                        sameOffset,
                        "makes the data of tensor \"b\" [96, 128) overlap the data of tensor \"a\""
                                + " [96, 128)"));
        RawGguf partial = RawGguf.header(3, 2, 0).tensor("a", new long[] {16}, F32, 0);
        long partialOffset = partial.position() + 8 + 1 + 4 + 8 + 4;
        partial.tensor("b", new long[] {8}, F32, 32).padTo(32).zeros(128);
        cases.add(
                new Case(
                        "overlapping tensors",
                        partial.toBytes(),
                        "tensor[\"b\"].offset",
                        "32",
                        partialOffset,
                        "makes the data of tensor \"b\" [128, 160) overlap the data of tensor"
                                + " \"a\" [96, 160)"));
        RawGguf past =
                RawGguf.header(3, 1, 0).tensor("t", new long[] {8}, F32, 0).padTo(32).zeros(31);
        cases.add(
                new Case(
                        "tensor data past the end of the file",
                        past.toBytes(),
                        "tensor[\"t\"].offset",
                        "0",
                        49,
                        "puts the tensor's 32 bytes past the end of the file: data starts at 64"
                                + " and the file has 95 bytes"));
        RawGguf far =
                RawGguf.header(3, 1, 0).tensor("t", new long[] {8}, F32, -32).padTo(32).zeros(32);
        cases.add(
                new Case(
                        "tensor offset of 2^64-32",
                        far.toBytes(),
                        "tensor[\"t\"].offset",
                        "18446744073709551584",
                        49,
                        "puts the tensor's 32 bytes past the end of the file"));
        RawGguf noData = RawGguf.header(3, 1, 0).tensor("t", new long[] {1}, F32, 0);
        cases.add(
                new Case(
                        "tensor data start past the end of the file",
                        noData.toBytes(),
                        "tensor[\"t\"].offset",
                        "0",
                        49,
                        "data starts at 64 and the file has 57 bytes"));
    }
}
