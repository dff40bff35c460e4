/**
 * memory64 for llama-architecture models: the inference entry point for JVM apps ({@link
 * dev.memory64.llama.Llama}, the guest {@code guests/c/llama.c} under Chicory or Endive), ggml's
 * quantisation formats in Java, the llama2.c checkpoint converter, a reference forward pass and
 * synthetic model writers.
 */
// "memory64" is the product name; the digits are part of it, not a version.
@SuppressWarnings("module")
module dev.memory64.llama {
    requires transitive dev.memory64;
    requires dev.memory64.chicory;
    requires dev.memory64.endive;
    requires com.dylibso.chicory.compiler;
    requires com.dylibso.chicory.wasi;
    requires run.endive.wasi;
    requires tools.jackson.core;

    exports dev.memory64.llama;
    exports dev.memory64.llama.reference;
}
