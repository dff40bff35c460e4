package dev.memory64.llama;

/** Why a generation stopped. */
public enum StopReason {
    /** It ran the steps asked for (or as many as the guest's KV cache holds). */
    STEPS,
    /** The model sampled its end-of-sequence token, or a beginning-of-sequence token (as run.c). */
    END_OF_SEQUENCE,
    /** {@link Llama#cancel()} or {@link Llama#close()} was called during it. */
    CANCELLED
}
