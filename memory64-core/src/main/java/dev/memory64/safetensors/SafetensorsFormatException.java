package dev.memory64.safetensors;

import dev.memory64.model.ModelText;
import java.io.IOException;
import java.util.Objects;

/**
 * A safetensors checkpoint is malformed: its header breaks a rule of the format, or its index and
 * its files disagree.
 *
 * <p>The message names the file, the tensor (where one is at fault) and the rule: {@code
 * safetensors model-00002-of-00004.safetensors: tensor "model.layers.7.mlp.up_proj.weight" breaks
 * rule data_offsets: [0, 12] hold 12 bytes, but F32 [2, 2] takes 16}. The parts are also available
 * on their own: {@link #file()}, {@link #tensor()} and {@link #rule()}.
 */
public final class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file's name: a shard, the index, or a URI's last segment. */
    private final String file;

    /** The tensor at fault, or null if the fault is not one tensor's. */
    private final String tensor;

    /** The broken rule's short name. */
    private final String rule;

    /**
     * Creates an exception for one broken rule.
     *
     * @param file the file's name (a shard, the index, or a URI's last segment)
     * @param tensor the tensor at fault, or null if the fault is not one tensor's
     * @param rule the rule's short name, e.g. {@code data_offsets}, {@code dtype}, {@code
     *     header_size}, {@code duplicate_key}
     * @param problem what is wrong, a sentence's end
     * @throws NullPointerException if {@code file}, {@code rule} or {@code problem} is null
     */
    public SafetensorsFormatException(String file, String tensor, String rule, String problem) {
        super(
                "safetensors "
                        + Objects.requireNonNull(file, "file")
                        + ": "
                        + (tensor == null ? "" : "tensor " + ModelText.quote(tensor) + " ")
                        + "breaks rule "
                        + Objects.requireNonNull(rule, "rule")
                        + ": "
                        + Objects.requireNonNull(problem, "problem"));
        this.file = file;
        this.tensor = tensor;
        this.rule = rule;
    }

    /**
     * Returns the file whose content breaks the rule.
     *
     * @return the file's name as the checkpoint was opened with it
     */
    public String file() {
        return file;
    }

    /**
     * Returns the tensor at fault.
     *
     * @return its name, or null if the fault is not one tensor's (the header's size, its JSON)
     */
    public String tensor() {
        return tensor;
    }

    /**
     * Returns the rule's short name.
     *
     * @return e.g. {@code data_offsets}, {@code overlap}, {@code gap}, {@code dtype}
     */
    public String rule() {
        return rule;
    }
}
