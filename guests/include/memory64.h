/*
 * memory64.h: the C guest SDK for memory64.
 *
 * A wasm32 guest includes this header to call the host functions that copy bytes of a model held
 * by the host (in a 64-bit address space, far larger than the guest's own memory) into the
 * guest's linear memory. Every function is imported from the module "env" (the host may be
 * configured to use another module name; then change MEMORY64_IMPORT_MODULE before including).
 *
 * Conventions, fixed by the ABI:
 *   - Pointers and lengths are wasm32 i32 values that the host reads as UNSIGNED 32-bit numbers;
 *     offsets are i64 values read as UNSIGNED 64-bit numbers (so (uint64_t)-1 is 2^64-1, which is
 *     out of range, not "minus one").
 *   - Every function returns its documented non-negative result, or one of the negative
 *     MEMORY64_* error codes below (one table for all functions).
 *   - A call either succeeds completely or changes no guest byte, except MEMORY64_HOST_RANGE and
 *     MEMORY64_GUEST_WRITE, which may leave the destination partly written.
 *   - Layer ids are non-negative (memory64_layer_find returns one as a non-negative int32_t).
 *   - Records the host writes (stats, tensor info) are little-endian, as is wasm memory, so they
 *     can be read through the structs below directly.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MEMORY64_H
#define MEMORY64_H

#if !defined(__wasm32__)
#error "memory64.h is for wasm32 guests (pointers are i32 in the memory64 ABI)"
#endif

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MEMORY64_IMPORT_MODULE
/** The Wasm import module of every memory64 function. */
#define MEMORY64_IMPORT_MODULE "env"
#endif

#define MEMORY64_IMPORT(name) \
    __attribute__((import_module(MEMORY64_IMPORT_MODULE), import_name(name)))

/* ---- Error codes: one table for every function. Values never change. ---- */

/** The host has memory64 disabled. */
#define MEMORY64_DISABLED (-1)
/** No layer (or tensor) with that id or name. */
#define MEMORY64_LAYER_NOT_FOUND (-2)
/** max_size (or len, or dst_len) is smaller than what must be written. */
#define MEMORY64_BUFFER_TOO_SMALL (-3)
/** Offset/len outside the host layout, or the host read failed; destination may be partly written. */
#define MEMORY64_HOST_RANGE (-4)
/** The calling instance has no memory. */
#define MEMORY64_NO_GUEST_MEMORY (-5)
/** dst_ptr + len overflows 32 bits. */
#define MEMORY64_POINTER_OVERFLOW (-6)
/** dst_ptr + len is beyond the guest memory's current size. */
#define MEMORY64_OUT_OF_BOUNDS (-7)
/** The copy into guest memory failed; destination may be partly written. */
#define MEMORY64_GUEST_WRITE (-8)
/** The range or layer is not granted to this guest. */
#define MEMORY64_ACCESS_DENIED (-9)

/* ---- Records written by the host. ---- */

/** Bytes memory64_stats_into writes: five u64 counters. */
#define MEMORY64_STATS_SIZE 40u
/** Bytes memory64_tensor_info writes. */
#define MEMORY64_TENSOR_INFO_SIZE 64u
/** Bytes memory64_metadata_info writes. */
#define MEMORY64_METADATA_INFO_SIZE 24u

/** Metadata value types, numbered as GGUF numbers them (memory64_metadata_info_record.type). */
#define MEMORY64_TYPE_UINT8 0
#define MEMORY64_TYPE_INT8 1
#define MEMORY64_TYPE_UINT16 2
#define MEMORY64_TYPE_INT16 3
#define MEMORY64_TYPE_UINT32 4
#define MEMORY64_TYPE_INT32 5
#define MEMORY64_TYPE_FLOAT32 6
#define MEMORY64_TYPE_BOOL 7
#define MEMORY64_TYPE_STRING 8
#define MEMORY64_TYPE_ARRAY 9
#define MEMORY64_TYPE_UINT64 10
#define MEMORY64_TYPE_INT64 11
#define MEMORY64_TYPE_FLOAT64 12

/** The record memory64_stats_into writes (little-endian u64 counters). */
typedef struct memory64_stats_record {
    uint64_t reads;         /**< successful read operations (layer loads + reads) */
    uint64_t writes;        /**< successful host-side write operations */
    uint64_t bytes_read;    /**< bytes copied to guests */
    uint64_t bytes_written; /**< bytes written into the host layout */
    uint64_t errors;        /**< failed calls */
} memory64_stats_record;

/** The record memory64_tensor_info writes (little-endian, 64 bytes, no padding). */
typedef struct memory64_tensor_info_record {
    uint32_t layer_id;        /**< the layer holding the tensor */
    uint32_t ggml_type;       /**< the GGML type number (0 = F32, 1 = F16, 2 = Q4_0, ...) */
    uint64_t offset_in_layer; /**< byte offset of the tensor's data inside the layer */
    uint64_t byte_size;       /**< bytes of the tensor's data */
    uint32_t n_dims;          /**< number of dimensions used, 1 to 4 */
    uint32_t reserved;        /**< always 0 */
    uint64_t dims[4];         /**< extent of each dimension, innermost first; unused ones are 1 */
} memory64_tensor_info_record;

/** The record memory64_metadata_info writes (little-endian, 24 bytes, no padding). */
typedef struct memory64_metadata_info_record {
    uint32_t type;         /**< MEMORY64_TYPE_* */
    uint32_t element_type; /**< an array's element type; otherwise equal to type */
    uint64_t count;        /**< an array's element count; otherwise 1 */
    uint64_t size;         /**< bytes of the value's encoding, which memory64_metadata_read serves */
} memory64_metadata_info_record;

#if defined(__cplusplus)
#define MEMORY64_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define MEMORY64_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else /* C99: a negative array size fails the build */
#define MEMORY64_STATIC_ASSERT_NAME2(line) memory64_static_assert_##line
#define MEMORY64_STATIC_ASSERT_NAME(line) MEMORY64_STATIC_ASSERT_NAME2(line)
#define MEMORY64_STATIC_ASSERT(cond, msg) \
    typedef char MEMORY64_STATIC_ASSERT_NAME(__LINE__)[(cond) ? 1 : -1]
#endif
MEMORY64_STATIC_ASSERT(sizeof(memory64_stats_record) == MEMORY64_STATS_SIZE,
                       "memory64_stats_record must be 40 bytes");
MEMORY64_STATIC_ASSERT(sizeof(memory64_tensor_info_record) == MEMORY64_TENSOR_INFO_SIZE,
                       "memory64_tensor_info_record must be 64 bytes");
MEMORY64_STATIC_ASSERT(sizeof(memory64_metadata_info_record) == MEMORY64_METADATA_INFO_SIZE,
                       "memory64_metadata_info_record must be 24 bytes");

/* ---- Imports. The first four are the origin design's, with its signatures. ---- */

/**
 * Copies the whole of layer `layer_id` to `dst` (at most `max_size` bytes).
 * Returns the number of bytes copied (the layer's size), or an error code:
 * MEMORY64_BUFFER_TOO_SMALL if the layer is larger than `max_size`.
 * Wasm: (i32, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_load_layer")
int32_t memory64_load_layer(int32_t layer_id, void *dst, uint32_t max_size);

/**
 * Copies `len` bytes from the host's 64-bit address `offset` to `dst`.
 * Returns `len`, or an error code (MEMORY64_HOST_RANGE if the range is outside the layout).
 * Wasm: (i64, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_read")
int32_t memory64_read(uint64_t offset, void *dst, uint32_t len);

/**
 * Returns 1 if the host has memory64 enabled, else 0.
 * Wasm: () -> i32.
 */
MEMORY64_IMPORT("memory64_is_enabled")
int32_t memory64_is_enabled(void);

/**
 * Returns the number of successful read operations (layer loads + reads) the host has served.
 * Wasm: () -> i64.
 */
MEMORY64_IMPORT("memory64_stats")
int64_t memory64_stats(void);

/**
 * Returns the size in bytes of layer `layer_id` (at most INT32_MAX), or an error code
 * (MEMORY64_LAYER_NOT_FOUND if there is no such layer).
 * Wasm: (i32) -> i64.
 */
MEMORY64_IMPORT("memory64_layer_size")
int64_t memory64_layer_size(int32_t layer_id);

/**
 * Writes the host's counters to `dst` as a memory64_stats_record.
 * Returns MEMORY64_STATS_SIZE (40), or an error code (MEMORY64_BUFFER_TOO_SMALL if `len` < 40).
 * Wasm: (i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_stats_into")
int32_t memory64_stats_into(void *dst, uint32_t len);

/**
 * Copies `len` bytes of layer `layer_id`, starting `layer_offset` bytes into the layer, to `dst`:
 * streams a layer larger than the guest's buffer in chunks.
 * Returns `len`, or an error code (MEMORY64_HOST_RANGE if the range is not inside the layer).
 * Wasm: (i32, i64, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_load_layer_range")
int32_t memory64_load_layer_range(int32_t layer_id, uint64_t layer_offset, void *dst,
                                  uint32_t len);

/**
 * Looks a layer up by its UTF-8 name (`name_len` bytes at `name`, no terminator needed).
 * Returns the layer id (non-negative), or an error code (MEMORY64_LAYER_NOT_FOUND).
 * Wasm: (i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_layer_find")
int32_t memory64_layer_find(const void *name, uint32_t name_len);

/**
 * Describes the tensor with the UTF-8 name (`name_len` bytes at `name`) by writing a
 * memory64_tensor_info_record to `dst`.
 * Returns MEMORY64_TENSOR_INFO_SIZE (64), or an error code (MEMORY64_LAYER_NOT_FOUND if there is
 * no such tensor, MEMORY64_BUFFER_TOO_SMALL if `dst_len` < 64).
 * Wasm: (i32, i32, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_tensor_info")
int32_t memory64_tensor_info(const void *name, uint32_t name_len, void *dst, uint32_t dst_len);

/**
 * Hints the host to bring layer `layer_id`'s pages in ahead of use (useful for mapped files).
 * Returns 0, or an error code. Never required for correctness.
 * Wasm: (i32) -> i32.
 */
MEMORY64_IMPORT("memory64_prefetch")
int32_t memory64_prefetch(int32_t layer_id);

/**
 * Describes the model's metadata value under the UTF-8 key (`key_len` bytes at `key`) by writing
 * a memory64_metadata_info_record to `dst`.
 * Returns MEMORY64_METADATA_INFO_SIZE (24), or an error code (MEMORY64_LAYER_NOT_FOUND if there is
 * no such key, MEMORY64_BUFFER_TOO_SMALL if `dst_len` < 24).
 * Wasm: (i32, i32, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_metadata_info")
int32_t memory64_metadata_info(const void *key, uint32_t key_len, void *dst, uint32_t dst_len);

/**
 * Copies `len` bytes of the encoding of the metadata value under the UTF-8 key, starting
 * `value_offset` bytes into it, to `dst` (the encoding is in docs/ABI.md: a scalar's little-endian
 * bytes, a string's UTF-8 bytes, an array's elements; a string array's elements each as a u64
 * length and the bytes). Returns `len`, or an error code (MEMORY64_LAYER_NOT_FOUND if there is no
 * such key, MEMORY64_HOST_RANGE if the range is not inside the encoding).
 * Wasm: (i32, i32, i64, i32, i32) -> i32.
 */
MEMORY64_IMPORT("memory64_metadata_read")
int32_t memory64_metadata_read(const void *key, uint32_t key_len, uint64_t value_offset, void *dst,
                               uint32_t len);

/* ---- Helpers. ---- */

/** Returns the name of an error code ("LAYER_NOT_FOUND"), or NULL for a non-error value. */
static inline const char *memory64_error_name(int64_t code) {
    switch (code) {
    case MEMORY64_DISABLED: return "DISABLED";
    case MEMORY64_LAYER_NOT_FOUND: return "LAYER_NOT_FOUND";
    case MEMORY64_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case MEMORY64_HOST_RANGE: return "HOST_RANGE";
    case MEMORY64_NO_GUEST_MEMORY: return "NO_GUEST_MEMORY";
    case MEMORY64_POINTER_OVERFLOW: return "POINTER_OVERFLOW";
    case MEMORY64_OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
    case MEMORY64_GUEST_WRITE: return "GUEST_WRITE";
    case MEMORY64_ACCESS_DENIED: return "ACCESS_DENIED";
    default: return 0;
    }
}

#undef MEMORY64_IMPORT

#ifdef __cplusplus
}
#endif

#endif /* MEMORY64_H */
