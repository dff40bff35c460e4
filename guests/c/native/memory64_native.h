/*
 * memory64_native.h: the memory64 guest functions for a NATIVE build of a C guest.
 *
 * The baseline of the inference guest: the same llama.c compiled for the host (clang -O2), over
 * memory64_native.c, which maps one GGUF file and serves its layers, tensors and metadata as
 * the Java host does (docs/ABI.md: layer numbering of GGUF models, the metadata encoding). The
 * declarations mirror guests/include/memory64.h (which is for wasm32 only) for the functions a
 * guest uses; pointers are native here. Not part of the wasm build.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MEMORY64_NATIVE_H
#define MEMORY64_NATIVE_H

#include <stdint.h>

#define MEMORY64_DISABLED (-1)
#define MEMORY64_LAYER_NOT_FOUND (-2)
#define MEMORY64_BUFFER_TOO_SMALL (-3)
#define MEMORY64_HOST_RANGE (-4)

#define MEMORY64_TENSOR_INFO_SIZE 64u
#define MEMORY64_METADATA_INFO_SIZE 24u

typedef struct memory64_tensor_info_record {
    uint32_t layer_id;
    uint32_t ggml_type;
    uint64_t offset_in_layer;
    uint64_t byte_size;
    uint32_t n_dims;
    uint32_t reserved;
    uint64_t dims[4];
} memory64_tensor_info_record;

/** Maps a GGUF file and plans its layers; 0, or -1 with a message on stderr. */
int memory64_native_open(const char *path);

int32_t memory64_load_layer(int32_t layer_id, void *dst, uint32_t max_size);
int64_t memory64_layer_size(int32_t layer_id);
int32_t memory64_load_layer_range(int32_t layer_id, uint64_t layer_offset, void *dst,
                                  uint32_t len);
int32_t memory64_layer_find(const void *name, uint32_t name_len);
int32_t memory64_tensor_info(const void *name, uint32_t name_len, void *dst, uint32_t dst_len);
int32_t memory64_prefetch(int32_t layer_id);
int32_t memory64_metadata_info(const void *key, uint32_t key_len, void *dst, uint32_t dst_len);
int32_t memory64_metadata_read(const void *key, uint32_t key_len, uint64_t value_offset, void *dst,
                               uint32_t len);

static inline const char *memory64_error_name(int64_t code) {
    switch (code) {
    case MEMORY64_DISABLED: return "DISABLED";
    case MEMORY64_LAYER_NOT_FOUND: return "LAYER_NOT_FOUND";
    case MEMORY64_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case MEMORY64_HOST_RANGE: return "HOST_RANGE";
    default: return 0;
    }
}

#endif /* MEMORY64_NATIVE_H */
