/**
 * GGUF model files: a validating reader of the header ({@link dev.memory64.gguf.GgufFile}) and the
 * model's layers as contiguous byte ranges ({@link dev.memory64.gguf.GgufFile#layers()}). Tensor
 * data is never read into the heap.
 */
package dev.memory64.gguf;
