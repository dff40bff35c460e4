/**
 * GGUF model files: a validating reader of the header ({@link dev.memory64.gguf.GgufFile}), the
 * model's layers as contiguous byte ranges ({@link dev.memory64.gguf.GgufFile#layers()}), and a
 * writer for making models ({@link dev.memory64.gguf.GgufWriter}). Tensor data is never read into
 * the heap.
 */
package dev.memory64.gguf;
