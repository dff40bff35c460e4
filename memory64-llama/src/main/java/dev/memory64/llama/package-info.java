/**
 * Llama-architecture models for memory64: {@link dev.memory64.llama.GgmlCodec} (ggml's tensor types
 * in Java, matching llama.cpp's reference bit for bit), the llama2.c checkpoint converter, and
 * writers of synthetic models for tests and measurements.
 */
package dev.memory64.llama;
