package dev.memory64.gguf;

import java.io.IOException;
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
}
