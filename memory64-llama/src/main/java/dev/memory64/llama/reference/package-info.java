/**
 * Reference implementations for testing llama-architecture inference: {@link
 * dev.memory64.llama.reference.ReferenceLlama} (a forward pass in double over a GGUF model), {@link
 * dev.memory64.llama.reference.LlamaTokenizer} (llama2.c's SentencePiece-style tokenizer), {@link
 * dev.memory64.llama.reference.SyntheticLlama} (seeded random-weight models in every supported
 * type, one file or a split set) and {@link dev.memory64.llama.reference.LlamaHyperparameters}.
 * They favour being obviously right over speed: for small models and for checking an engine, not
 * for serving.
 */
package dev.memory64.llama.reference;
