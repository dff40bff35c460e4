package dev.memory64.gguf;

import static dev.memory64.gguf.GgufValueType.ARRAY;
import static dev.memory64.gguf.GgufValueType.BOOL;
import static dev.memory64.gguf.GgufValueType.INT32;
import static dev.memory64.gguf.GgufValueType.STRING;
import static dev.memory64.gguf.GgufValueType.UINT32;
import static dev.memory64.gguf.GgufValueType.UINT64;
import static dev.memory64.gguf.GgufValueType.UINT8;
import static dev.memory64.gguf.RawGguf.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed GGUF files as a table: each row names the rule a file breaks, builds the
 * file, and gives the start of the refusal it earns, {@code field=value at offset N reason}.
 */
class GgufMalformedTest {

    /** A refusal's parts: the field, its value, the field's offset, and the reason. */
    private static final Pattern REFUSAL = Pattern.compile("([^=]+)=(.*?) at offset (\\d+) (.+)");

    private static final int F32 = GgmlType.F32.id();

    /**
     * One malformed file.
     *
     * @param maxHeaderSize the header size limit to read with
     * @param refusal the start of the message after {@code "GGUF "}
     */
    record Case(String name, byte[] bytes, long maxHeaderSize, String refusal) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A row of the table before its refusal: the rule's name, the file, the header limit. */
    private record Row(String name, byte[] bytes, long maxHeaderSize) {
        Row under(long limit) {
            return new Row(name, bytes, limit);
        }

        Case refused(String refusal) {
            return new Case(name, bytes, maxHeaderSize, refusal);
        }
    }

    private static Row file(String name, byte[] bytes) {
        return new Row(name, bytes, GgufFile.DEFAULT_MAX_HEADER_SIZE);
    }

    private static Row file(String name, RawGguf gguf) {
        return file(name, gguf.toBytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedFileFailsWithItsOwnFieldValueOffsetAndMessage(Case c) {
        Matcher expected = REFUSAL.matcher(c.refusal);
        assertTrue(expected.matches(), "not field=value at offset N reason: " + c.refusal);
        GgufFormatException e =
                assertThrows(
                        GgufFormatException.class,
                        () -> GgufFile.read(new ByteArrayFileChannel(c.bytes), c.maxHeaderSize));
        assertEquals(expected.group(1), e.field(), e.getMessage());
        assertEquals(expected.group(2), e.value(), e.getMessage());
        assertEquals(Long.parseLong(expected.group(3)), e.fileOffset(), e.getMessage());
        assertTrue(e.getMessage().startsWith("GGUF " + c.refusal), e.getMessage());
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
        return Stream.of(
                // The fixed header (24 bytes): magic, version, counts; the header size limit.
                file("empty file", new byte[0])
                        .refused(
                                "magic= at offset 0 is truncated: it needs 4 bytes, but the file"
                                        + " ends at offset 0"),
                file("GGML magic", "GGML\3\0\0\0".getBytes(StandardCharsets.US_ASCII))
                        .refused(
                                "magic=0x47474D4C at offset 0 is not the GGUF magic 0x47475546"
                                        + " (\"GGUF\"): not a GGUF file"),
                file("version 1", header(1, 0, 0))
                        .refused(
                                "version=1 at offset 4 is not supported: only GGUF versions 2 and 3"
                                        + " are (version 1 is obsolete)"),
                file("version 7", header(7, 0, 0))
                        .refused("version=7 at offset 4 is not a supported GGUF version (2 or 3)"),
                file("big-endian version 3", header(0x0300_0000, 0, 0))
                        .refused(
                                "version=50331648 at offset 4 is a byte-swapped version 3:"
                                        + " big-endian GGUF is not supported"),
                file("tensor_count of 2^64-1", header(3, -1, 0))
                        .refused(
                                "tensor_count=18446744073709551615 at offset 8 cannot fit in the 8"
                                        + " remaining bytes of the file (a tensor info takes at"
                                        + " least 24)"),
                file("metadata_kv_count of 2^40", header(3, 0, 1L << 40))
                        .refused(
                                "metadata_kv_count=1099511627776 at offset 16 cannot fit in the 0"
                                        + " remaining bytes of the file (a metadata entry takes at"
                                        + " least 13)"),
                file(
                                "file ends inside metadata_kv_count",
                                Arrays.copyOf(header(3, 0, 0).toBytes(), 20))
                        .refused(
                                "metadata_kv_count= at offset 16 is truncated: it needs 8 bytes,"
                                        + " but the file ends at offset 20"),
                file(
                                "header past the header size limit",
                                header(3, 0, 1).string("x".repeat(100)).u32(0).u8(0))
                        .under(64)
                        .refused(
                                "metadata[0].key.length=100 at offset 24 cannot fit in the 32 bytes"
                                        + " left under the header size limit of 64 bytes"),
                // Metadata entries from offset 24: key (u64 length, bytes), u32 type, value.
                file("key length past the end of the file", header(3, 0, 1).u64(1000).zeros(20))
                        .refused(
                                "metadata[0].key.length=1000 at offset 24 cannot fit in the 20"
                                        + " remaining bytes of the file"),
                file(
                                "key that is not UTF-8",
                                header(3, 0, 1).string(bytes(0x61, 0xFF)).u32(0).u8(0))
                        .refused(
                                "metadata[0].key=[61 ff] at offset 32 is not valid UTF-8 (2"
                                        + " bytes)"),
                file(
                                "duplicate metadata key",
                                header(3, 0, 2).key("a", UINT8).u8(1).key("a", UINT8).u8(2))
                        .refused(
                                "metadata[1].key=\"a\" at offset 38 repeats the key already defined"
                                        + " at offset 24: keys are unique"),
                file("metadata value type 13", header(3, 0, 1).string("k").u32(13).u64(0))
                        .refused(
                                "metadata[\"k\"].type=13 at offset 33 is not a GGUF metadata value"
                                        + " type (0 to 12)"),
                file("metadata value type 2^32-1", header(3, 0, 1).string("k").u32(-1).u64(0))
                        .refused(
                                "metadata[\"k\"].type=4294967295 at offset 33 is not a GGUF"
                                        + " metadata value type (0 to 12)"),
                file("bool of 2", oneEntry(BOOL).u8(2))
                        .refused("metadata[\"k\"]=2 at offset 37 is not a valid bool (0 or 1)"),
                file(
                                "bool array element of 255",
                                oneEntry(ARRAY).u32(BOOL.id()).u64(3).u8(1).u8(0).u8(0xFF))
                        .refused(
                                "metadata[\"k\"][2]=255 at offset 51 is not a valid bool (0 or 1)"),
                file("string value longer than the file", oneEntry(STRING).u64(1L << 62).zeros(3))
                        .refused(
                                "metadata[\"k\"].length=4611686018427387904 at offset 37 cannot fit"
                                        + " in the 3 remaining bytes of the file"),
                file(
                                "string value with an overlong UTF-8 form",
                                oneEntry(STRING).string(bytes(0xC0, 0x80)))
                        .refused("metadata[\"k\"]=[c0 80] at offset 45 is not valid UTF-8"),
                file(
                                "string value with an encoded surrogate",
                                oneEntry(STRING).string(bytes(0x61, 0xED, 0xA0, 0x80)))
                        .refused(
                                "metadata[\"k\"]=[61 ed a0 80] at offset 45 is not valid UTF-8 (4"
                                        + " bytes)"),
                file(
                                "array count larger than the file",
                                oneEntry(ARRAY).u32(UINT32.id()).u64(5).u32(1))
                        .refused(
                                "metadata[\"k\"].count=5 at offset 41 cannot fit in the 4 remaining"
                                        + " bytes of the file (an element of type uint32 takes"
                                        + " at least 4)"),
                file("array element type 13", oneEntry(ARRAY).u32(13).u64(0))
                        .refused(
                                "metadata[\"k\"].element_type=13 at offset 37 is not a GGUF"
                                        + " metadata value type (0 to 12)"),
                file("arrays nested nine deep", nestedArrays(9))
                        .refused(
                                "metadata[\"k\"][0][0][0][0][0][0][0].element_type=array at offset"
                                        + " 121 nests arrays more than 8 levels deep"),
                file(
                                "string array element longer than the file",
                                stringArray(2).string("ok").u64(-2).zeros(16))
                        .refused(
                                "metadata[\"k\"][1].length=18446744073709551614 at offset 59 cannot"
                                        + " fit in the 16 remaining bytes of the file"),
                file(
                                "string array element that is not UTF-8",
                                stringArray(1).string(bytes(0xF8, 0x88, 0x80, 0x80, 0x80)))
                        .refused(
                                "metadata[\"k\"][0]=[f8 88 80 80 80] at offset 57 is not valid"
                                        + " UTF-8 (5 bytes)"),
                file("file ends inside a string array", stringArray(2).string("x".repeat(20)))
                        .refused(
                                "metadata[\"k\"][1].length= at offset 77 is truncated: it needs 8"
                                        + " bytes, but the file ends at offset 77"),
                // Keys whose type and value the reader checks: general.*, architecture counts.
                file("alignment of 48", header(3, 0, 1).key("general.alignment", UINT32).u32(48))
                        .refused(
                                "metadata[\"general.alignment\"]=48 at offset 53 is not a power of"
                                        + " two"),
                file("alignment of 0", header(3, 0, 1).key("general.alignment", UINT32).u32(0))
                        .refused(
                                "metadata[\"general.alignment\"]=0 at offset 53 is not a power of"
                                        + " two"),
                file(
                                "alignment of type int32",
                                header(3, 0, 1).key("general.alignment", INT32).u32(32))
                        .refused(
                                "metadata[\"general.alignment\"]=32 at offset 53 has type int32,"
                                        + " but general.alignment must be a uint32"),
                file(
                                "architecture of type uint32",
                                header(3, 0, 1).key("general.architecture", UINT32).u32(7))
                        .refused(
                                "metadata[\"general.architecture\"]=7 at offset 56 has type uint32,"
                                        + " but general.architecture must be a string"),
                file(
                                "negative block count",
                                header(3, 0, 2)
                                        .key("llama.block_count", INT32)
                                        .u32(-1)
                                        .key("general.architecture", STRING)
                                        .string("llama"))
                        .refused(
                                "metadata[\"llama.block_count\"]=-1 at offset 53 is negative, but"
                                        + " llama.block_count is a count"),
                file(
                                "context length of type string",
                                header(3, 0, 2)
                                        .key("general.architecture", STRING)
                                        .string("qwen2")
                                        .key("qwen2.context_length", STRING)
                                        .string("4096"))
                        .refused(
                                "metadata[\"qwen2.context_length\"]=\"4096\" at offset 101 has type"
                                        + " string, but qwen2.context_length must be an integer"),
                file(
                                "embedding length of 2^63",
                                header(3, 0, 2)
                                        .key("general.architecture", STRING)
                                        .string("gpt2")
                                        .key("gpt2.embedding_length", UINT64)
                                        .u64(1L << 63))
                        .refused(
                                "metadata[\"gpt2.embedding_length\"]=9223372036854775808 at offset"
                                        + " 101 exceeds Long.MAX_VALUE=9223372036854775807"),
                // Tensor infos: a name, n_dims, the dims, the GGML type and the data offset.
                file("tensor name longer than the file", header(3, 1, 0).u64(99).zeros(30))
                        .refused(
                                "tensor[0].name.length=99 at offset 24 cannot fit in the 30"
                                        + " remaining bytes of the file"),
                file("empty tensor name", header(3, 1, 0).tensor("", new long[] {1}, F32, 0))
                        .refused(
                                "tensor[0].name=\"\" at offset 24 is empty: every tensor needs a"
                                        + " name"),
                file("duplicate tensor name", twoTensors("t", 8, "t", 32, 64))
                        .refused(
                                "tensor[1].name=\"t\" at offset 57 repeats the name of the tensor"
                                        + " at offset 24: tensor names are unique"),
                file(
                                "five dimensions",
                                header(3, 1, 0).tensor("t", new long[] {1, 1, 1, 1, 1}, F32, 0))
                        .refused(
                                "tensor[\"t\"].n_dims=5 at offset 33 is more than the 4 dimensions"
                                        + " ggml allows"),
                file("2^32-1 dimensions", header(3, 1, 0).string("t").u32(-1).zeros(40))
                        .refused(
                                "tensor[\"t\"].n_dims=4294967295 at offset 33 is more than the 4"
                                        + " dimensions ggml allows"),
                file("dimension of zero", header(3, 1, 0).tensor("t", new long[] {8, 0}, F32, 0))
                        .refused(
                                "tensor[\"t\"].dims[1]=0 at offset 45 is zero: this reader requires"
                                        + " every dimension to be at least 1"),
                file(
                                "dimension of 2^63",
                                header(3, 1, 0).tensor("t", new long[] {1L << 63}, F32, 0))
                        .refused(
                                "tensor[\"t\"].dims[0]=9223372036854775808 at offset 37 exceeds"
                                        + " Long.MAX_VALUE=9223372036854775807"),
                file(
                                "element count overflow",
                                header(3, 1, 0)
                                        .tensor("t", new long[] {1L << 32, 1L << 32}, F32, 0))
                        .refused(
                                "tensor[\"t\"].dims[1]=4294967296 at offset 45 makes the element"
                                        + " count overflow: 4294967296 * 4294967296 exceeds"
                                        + " Long.MAX_VALUE"),
                file(
                                "byte size overflow",
                                header(3, 1, 0)
                                        .tensor("t", new long[] {1L << 62}, GgmlType.F64.id(), 0))
                        .refused(
                                "tensor[\"t\"].type=F64 at offset 45 makes the byte size overflow:"
                                        + " 4611686018427387904 blocks * 8 bytes"),
                file("removed type Q4_2", header(3, 1, 0).tensor("t", new long[] {32}, 4, 0))
                        .refused(
                                "tensor[\"t\"].type=4 at offset 45 is not a known GGML type (4 and"
                                        + " 5 were Q4_2 and Q4_3, removed from ggml)"),
                file("removed type Q4_0_8_8", header(3, 1, 0).tensor("t", new long[] {32}, 33, 0))
                        .refused(
                                "tensor[\"t\"].type=33 at offset 45 is not a known GGML type (31 to"
                                        + " 33 were Q4_0_4_4"),
                file("unknown type 100", header(3, 1, 0).tensor("t", new long[] {32}, 100, 0))
                        .refused("tensor[\"t\"].type=100 at offset 45 is not a known GGML type"),
                file(
                                "row not a multiple of the block size",
                                header(3, 1, 0)
                                        .tensor("t", new long[] {16, 2}, GgmlType.Q4_0.id(), 0))
                        .refused(
                                "tensor[\"t\"].dims[0]=16 at offset 37 gives a row of 16 elements,"
                                        + " not a multiple of the block size 32 of type Q4_0"),
                file(
                                "quantized scalar",
                                header(3, 1, 0).tensor("t", new long[0], GgmlType.Q8_0.id(), 0))
                        .refused(
                                "tensor[\"t\"].n_dims=0 at offset 33 gives a row of 1 elements, not"
                                        + " a multiple of the block size 32"),
                file(
                                "file ends inside a tensor info",
                                Arrays.copyOf(
                                        header(3, 1, 0)
                                                .tensor("t", new long[] {8, 8}, F32, 0)
                                                .toBytes(),
                                        50))
                        .refused(
                                "tensor[\"t\"].dims[1]= at offset 45 is truncated: it needs 8"
                                        + " bytes, but the file ends at offset 50"),
                // Where tensor data lies: aligned, apart from other tensors, and inside the file.
                file(
                                "misaligned tensor offset",
                                header(3, 1, 0)
                                        .string("t")
                                        .u32(1)
                                        .u64(8)
                                        .u32(F32)
                                        .u64(4)
                                        .padTo(32)
                                        .zeros(64))
                        .refused(
                                "tensor[\"t\"].offset=4 at offset 49 is not a multiple of the"
                                        + " alignment 32"),
                file("two tensors at one offset", twoTensors("a", 8, "b", 0, 64))
                        .refused(
                                "tensor[\"b\"].offset=0 at offset 82 makes the data of tensor \"b\""
                                        + " [96, 128) overlap the data of tensor \"a\" [96, 128)"),
                file("overlapping tensors", twoTensors("a", 16, "b", 32, 128))
                        .refused(
                                "tensor[\"b\"].offset=32 at offset 82 makes the data of tensor"
                                        + " \"b\" [128, 160) overlap the data of tensor \"a\" [96,"
                                        + " 160)"),
                file(
                                "tensor data past the end of the file",
                                header(3, 1, 0)
                                        .tensor("t", new long[] {8}, F32, 0)
                                        .padTo(32)
                                        .zeros(31))
                        .refused(
                                "tensor[\"t\"].offset=0 at offset 49 puts the tensor's 32 bytes"
                                        + " past the end of the file: data starts at 64 and the"
                                        + " file has 95 bytes"),
                file(
                                "tensor offset of 2^64-32",
                                header(3, 1, 0)
                                        .tensor("t", new long[] {8}, F32, -32)
                                        .padTo(32)
                                        .zeros(32))
                        .refused(
                                "tensor[\"t\"].offset=18446744073709551584 at offset 49 puts the"
                                        + " tensor's 32 bytes past the end of the file"),
                file(
                                "tensor data start past the end of the file",
                                header(3, 1, 0).tensor("t", new long[] {1}, F32, 0))
                        .refused(
                                "tensor[\"t\"].offset=0 at offset 49 puts the tensor's 4 bytes past"
                                        + " the end of the file: data starts at 64 and the file"
                                        + " has 57 bytes"));
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** A metadata entry "k" holding an array of {@code depth} nested arrays, the last of uint8. */
    private static RawGguf nestedArrays(int depth) {
        RawGguf gguf = oneEntry(ARRAY);
        for (int i = 0; i < depth; i++) {
            gguf.u32(ARRAY.id()).u64(1);
        }
        return gguf.u32(UINT8.id()).u64(0);
    }

    /**
     * Two F32 tensors, the first at data offset 0 and the second of 8 elements, then the data.
     *
     * @param data how many zero bytes of data follow the header, from the alignment of 32
     */
    private static RawGguf twoTensors(
            String first, long firstElements, String second, long secondOffset, int data) {
        return header(3, 2, 0)
                .tensor(first, new long[] {firstElements}, F32, 0)
                .tensor(second, new long[] {8}, F32, secondOffset)
                .padTo(32)
                .zeros(data);
    }

    /** A header with one metadata entry, "k", of this type; its value comes next. */
    private static RawGguf oneEntry(GgufValueType type) {
        return header(3, 0, 1).key("k", type);
    }

    /** A header with one metadata entry, "k", an array of strings; its elements come next. */
    private static RawGguf stringArray(long count) {
        return oneEntry(ARRAY).u32(STRING.id()).u64(count);
    }
}
