/**
 * memory64 for llama-architecture models: ggml's quantisation formats in Java, the llama2.c
 * checkpoint converter, a reference forward pass and synthetic model writers.
 */
// "memory64" is the product name; the digits are part of it, not a version.
@SuppressWarnings("module")
module dev.memory64.llama {
    requires transitive dev.memory64;

    exports dev.memory64.llama;
    exports dev.memory64.llama.reference;
}
