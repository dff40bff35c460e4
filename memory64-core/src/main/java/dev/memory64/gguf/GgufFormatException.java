package dev.memory64.gguf;

import dev.memory64.model.ModelText;
import dev.memory64.model.TensorEntry;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * A GGUF file is malformed: a field holds a value the format does not allow, or the file ends
 * before a field.
 *
 * <p>The message always has the shape {@code GGUF <field>=<value> at offset <offset> <problem>},
 * for example {@code GGUF tensor_count=18446744073709551615 at offset 8 cannot fit in the 1024
 * remaining bytes of the file}. The parts are also available on their own: {@link #field()}, {@link
 * #value()} and {@link #fileOffset()}.
 *
 * <p>Field names follow the GGUF specification: {@code magic}, {@code version}, {@code
 * tensor_count}, {@code metadata_kv_count}, {@code metadata["general.alignment"]}, {@code
 * metadata["tokenizer.ggml.tokens"][5]}, {@code metadata[3].key}, {@code
 * tensor["blk.0.attn_q.weight"].offset}, {@code tensor[2].name}, {@code layer["blk.0"]}.
 */
public final class GgufFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The name of the malformed field. */
    private final String field;

    /** The offending value as text. */
    private final String value;

    /** The byte offset of the field in the file. */
    private final long fileOffset;

    /**
     * Creates an exception for one malformed field.
     *
     * @param field the field's name, e.g. {@code tensor_count} or {@code tensor["x"].type}
     * @param value the offending value as text (unsigned values in unsigned decimal, magic numbers
     *     in hex), or the empty string when the field could not be read at all
     * @param fileOffset the byte offset of the field in the file
     * @param problem what is wrong, completing the sentence {@code GGUF field=value at offset n
     *     ...}
     * @throws NullPointerException if {@code field}, {@code value} or {@code problem} is null
     */
    public GgufFormatException(String field, String value, long fileOffset, String problem) {
        super(
                "GGUF "
                        + Objects.requireNonNull(field, "field")
                        + "="
                        + Objects.requireNonNull(value, "value")
                        + " at offset "
                        + fileOffset
                        + " "
                        + Objects.requireNonNull(problem, "problem"));
        this.field = field;
        this.value = value;
        this.fileOffset = fileOffset;
    }

    /**
     * Returns the name of the malformed field.
     *
     * @return the field, e.g. {@code tensor_count} or {@code tensor["blk.0.ffn_up.weight"].dims[1]}
     */
    public String field() {
        return field;
    }

    /**
     * Returns the offending value as text.
     *
     * @return the value (unsigned values in unsigned decimal, magic numbers in hex), or the empty
     *     string when the file ended before the field could be read
     */
    public String value() {
        return value;
    }

    /**
     * Returns the byte offset of the malformed field in the file.
     *
     * @return the offset from the start of the file
     */
    public long fileOffset() {
        return fileOffset;
    }

    // ---------------------------------------------------------------- refusals of the reader

    /** {@code tensor["name"]}, built only for a message (a model has thousands of tensors). */
    static String tensorField(String name) {
        return "tensor[" + ModelText.quote(name) + "]";
    }

    /** A refusal of a tensor's placement: its field, its byte range and its offset. */
    static GgufFormatException tensorRefused(TensorEntry tensor, String why) {
        return new GgufFormatException(
                tensorField(tensor.name()),
                "[" + tensor.offset() + ", " + tensor.end() + ")",
                tensor.offset(),
                why);
    }

    // The reader's other refusals, each built in a method of its own: the parse runs once per
    // tensor and per key on a cold JVM, and small methods compile sooner.

    static GgufFormatException badMagic(int magic, int expected) {
        return new GgufFormatException(
                "magic",
                hex(magic),
                0,
                "is not the GGUF magic " + hex(expected) + " (\"GGUF\"): not a GGUF file");
    }

    static GgufFormatException badVersion(int version) {
        String why;
        int swapped = Integer.reverseBytes(version);
        if (swapped == 2 || swapped == 3) {
            why = "is a byte-swapped version " + swapped + ": big-endian GGUF is not supported";
        } else if (version == 1) {
            why = "is not supported: only GGUF versions 2 and 3 are (version 1 is obsolete)";
        } else {
            why = "is not a supported GGUF version (2 or 3)";
        }
        return new GgufFormatException("version", Integer.toUnsignedString(version), 4, why);
    }

    /** A count of elements of at least {@code minSize} bytes past the end of the file. */
    static GgufFormatException pastFile(
            String field, long count, long offset, long remaining, int minSize, String what) {
        return cannotFit(
                field,
                count,
                offset,
                remaining
                        + " remaining bytes of the file"
                        + (minSize > 1 ? " (" + what + " takes at least " + minSize + ")" : ""));
    }

    /** A count past the header size limit. */
    static GgufFormatException pastLimit(
            String field, long count, long offset, long remaining, long maxHeaderSize) {
        String room =
                remaining
                        + " bytes left under the header size limit of "
                        + maxHeaderSize
                        + " bytes";
        return cannotFit(field, count, offset, room);
    }

    /** A count that cannot fit in the room named, e.g. {@code "12 remaining bytes of the file"}. */
    private static GgufFormatException cannotFit(
            String field, long count, long offset, String room) {
        return new GgufFormatException(
                field, Long.toUnsignedString(count), offset, "cannot fit in the " + room);
    }

    static GgufFormatException truncated(String field, long offset, long n, long fileSize) {
        return new GgufFormatException(
                field,
                "",
                offset,
                "is truncated: it needs " + n + " bytes, but the file ends at offset " + fileSize);
    }

    static GgufFormatException pastHeaderLimit(String field, long offset, long maxHeaderSize) {
        return new GgufFormatException(
                field,
                "",
                offset,
                "lies past the header size limit of " + maxHeaderSize + " bytes");
    }

    static GgufFormatException shrank(long fileSize, long offset) {
        return new GgufFormatException(
                "file",
                Long.toString(fileSize),
                offset,
                "ended early: the file shrank while it was being read");
    }

    static GgufFormatException invalidUtf8(
            String field, byte[] bytes, int index, long offset, int length) {
        StringBuilder hex = new StringBuilder();
        int shown = Math.min(length, 16);
        for (int i = 0; i < shown; i++) {
            hex.append(i == 0 ? "" : " ")
                    .append(String.format(Locale.ROOT, "%02x", bytes[index + i] & 0xFF));
        }
        if (shown < length) {
            hex.append(" ...");
        }
        return new GgufFormatException(
                field, "[" + hex + "]", offset, "is not valid UTF-8 (" + length + " bytes)");
    }

    static GgufFormatException repeatedKey(int index, String key, long offset, long previous) {
        return new GgufFormatException(
                "metadata[" + index + "].key",
                ModelText.quote(key),
                offset,
                "repeats the key already defined at offset " + previous + ": keys are unique");
    }

    static GgufFormatException unknownValueType(String field, int typeId, long offset) {
        return new GgufFormatException(
                field,
                Integer.toUnsignedString(typeId),
                offset,
                "is not a GGUF metadata value type (0 to 12)");
    }

    static GgufFormatException badBool(String field, int raw, long offset) {
        return new GgufFormatException(
                field, Integer.toString(raw), offset, "is not a valid bool (0 or 1)");
    }

    static GgufFormatException nestedTooDeep(String field, long offset) {
        return new GgufFormatException(
                field,
                "array",
                offset,
                "nests arrays more than "
                        + GgufValue.MAX_ARRAY_DEPTH
                        + " levels deep, the most this reader accepts");
    }

    /** A well-known key whose value has the wrong type: it {@code must} be something else. */
    static GgufFormatException wrongKeyType(String key, GgufValue value, long offset, String must) {
        return new GgufFormatException(
                keyField(key),
                shortText(value),
                offset,
                "has type " + value.type().typeName() + ", but " + key + " must be " + must);
    }

    static GgufFormatException negativeCount(String key, GgufValue value, long offset) {
        return new GgufFormatException(
                keyField(key),
                value.toString(),
                offset,
                value.type() == GgufValueType.UINT64
                        ? "exceeds Long.MAX_VALUE=" + Long.MAX_VALUE
                        : "is negative, but " + key + " is a count");
    }

    static GgufFormatException badAlignment(long alignment, long offset) {
        return new GgufFormatException(
                keyField(GgufFile.KEY_ALIGNMENT),
                Long.toString(alignment),
                offset,
                "is not a power of two: general.alignment must be 1, 2, 4, 8, ...");
    }

    static GgufFormatException emptyName(int index, long offset) {
        return new GgufFormatException(
                "tensor[" + index + "].name",
                "\"\"",
                offset,
                "is empty: every tensor needs a name");
    }

    static GgufFormatException repeatedName(int index, String name, long offset, long previous) {
        return new GgufFormatException(
                "tensor[" + index + "].name",
                ModelText.quote(name),
                offset,
                "repeats the name of the tensor at offset "
                        + previous
                        + ": tensor names are unique");
    }

    static GgufFormatException tooManyDims(String name, int nDims, long offset) {
        return new GgufFormatException(
                tensorField(name) + ".n_dims",
                Integer.toUnsignedString(nDims),
                offset,
                "is more than the " + GgufTensor.MAX_DIMS + " dimensions ggml allows");
    }

    static String dimField(String name, int d) {
        return tensorField(name) + ".dims[" + d + "]";
    }

    static GgufFormatException badDim(String name, int d, long dim, long elements, long offset) {
        if (dim == 0) {
            return new GgufFormatException(
                    dimField(name, d),
                    "0",
                    offset,
                    "is zero: this reader requires every dimension to be at least 1");
        }
        if (dim < 0) {
            return new GgufFormatException(
                    dimField(name, d),
                    Long.toUnsignedString(dim),
                    offset,
                    "exceeds Long.MAX_VALUE=" + Long.MAX_VALUE);
        }
        return new GgufFormatException(
                dimField(name, d),
                Long.toString(dim),
                offset,
                "makes the element count overflow: "
                        + elements
                        + " * "
                        + dim
                        + " exceeds Long.MAX_VALUE="
                        + Long.MAX_VALUE);
    }

    static GgufFormatException unknownType(String name, int typeId, long offset) {
        String removed =
                switch (typeId) {
                    case 4, 5 -> " (4 and 5 were Q4_2 and Q4_3, removed from ggml)";
                    case 31, 32, 33 ->
                            " (31 to 33 were Q4_0_4_4, Q4_0_4_8, Q4_0_8_8, removed from GGUF)";
                    case 36, 37, 38 ->
                            " (36 to 38 were IQ4_NL_4_4, IQ4_NL_4_8, IQ4_NL_8_8, removed)";
                    default -> "";
                };
        return new GgufFormatException(
                tensorField(name) + ".type",
                Integer.toUnsignedString(typeId),
                offset,
                "is not a known GGML type" + removed);
    }

    static GgufFormatException partialBlock(
            String name, int nDims, long rowElements, GgmlType type, long nDimsOffset) {
        return new GgufFormatException(
                nDims == 0 ? tensorField(name) + ".n_dims" : dimField(name, 0),
                Long.toString(nDims == 0 ? 0 : rowElements),
                nDims == 0 ? nDimsOffset : nDimsOffset + 4,
                "gives a row of "
                        + rowElements
                        + " elements, not a multiple of the block size "
                        + type.blockSize()
                        + " of type "
                        + type);
    }

    static GgufFormatException sizeOverflow(String name, long blocks, GgmlType type, long offset) {
        return new GgufFormatException(
                tensorField(name) + ".type",
                type.toString(),
                offset,
                "makes the byte size overflow: "
                        + blocks
                        + " blocks * "
                        + type.bytesPerBlock()
                        + " bytes exceeds Long.MAX_VALUE="
                        + Long.MAX_VALUE);
    }

    /** A refusal of a tensor's offset field. */
    private static GgufFormatException offsetRefused(GgufParser.TensorInfo info, String why) {
        return new GgufFormatException(
                tensorField(info.name()) + ".offset",
                Long.toUnsignedString(info.offset()),
                info.offsetField(),
                why);
    }

    static GgufFormatException misaligned(GgufParser.TensorInfo info, long alignment) {
        return offsetRefused(info, "is not a multiple of the alignment " + alignment);
    }

    static GgufFormatException pastEnd(GgufParser.TensorInfo info, long dataStart, long fileSize) {
        return offsetRefused(
                info,
                "puts the tensor's "
                        + info.byteSize()
                        + " bytes past the end of the file: data starts at "
                        + dataStart
                        + " and the file has "
                        + fileSize
                        + " bytes");
    }

    static GgufFormatException overlap(
            GgufParser.TensorInfo info, GgufParser.TensorInfo before, long dataStart) {
        // The offsets are in order and checked against the file here: never negative.
        return offsetRefused(
                info,
                "makes the data of tensor "
                        + ModelText.quote(info.name())
                        + " ["
                        + (dataStart + info.offset())
                        + ", "
                        + (dataStart + info.offset() + info.byteSize())
                        + ") overlap the data of tensor "
                        + ModelText.quote(before.name())
                        + " ["
                        + (dataStart + before.offset())
                        + ", "
                        + (dataStart + before.offset() + before.byteSize())
                        + ")");
    }

    private static String keyField(String key) {
        return "metadata[" + ModelText.quote(key) + "]";
    }

    private static String shortText(GgufValue value) {
        return value instanceof GgufValue.StringValue s
                ? ModelText.quote(s.value())
                : value.toString();
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }
}
