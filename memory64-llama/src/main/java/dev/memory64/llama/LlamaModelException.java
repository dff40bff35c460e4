package dev.memory64.llama;

import java.io.IOException;

/**
 * The inference guest cannot run a model: a hyperparameter, tensor or tokenizer it needs is missing
 * or not supported. The message says which, in the guest's words.
 */
public final class LlamaModelException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The guest's error code (negative). */
    private final int code;

    LlamaModelException(String message, int code) {
        super(message);
        this.code = code;
    }

    /**
     * Returns the guest's error code: the host's ABI codes (-1 to -9) pass through; -100 a missing
     * metadata key, -101 a missing tensor, -102 an unsupported tensor type, -103 out of guest
     * memory, -105 a row larger than the weight buffer, -106 an unsupported tokenizer.
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
