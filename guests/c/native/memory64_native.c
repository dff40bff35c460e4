/*
 * memory64_native.c: the memory64 guest functions over one mapped GGUF file, for the native
 * build of a C guest (the baseline the wasm guest is measured against).
 *
 * It serves what the Java host serves for the same file (docs/ABI.md): layers numbered by tensor
 * name (token_embd 0, blk.N N + 1, output_norm B + 1, output B + 2, other prefixes after, in order
 * of first appearance), each layer's bytes its tensors in file order, tensors that follow one
 * another with no other layer's between them forming one extent; tensors by name with their
 * offset in their layer; metadata values in the ABI's encoding (a slice of the header: a string
 * without its length, an array without its type and count). Copies are memcpy from the mapping.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "memory64_native.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *key;
    uint32_t key_len, type, element_type;
    uint64_t count, offset, size; /* the value's encoding in the file */
} kv;

typedef struct {
    const char *name;
    uint32_t name_len, n_dims, type;
    uint64_t dims[4], start, size; /* start: in the file */
    int32_t layer;
    uint64_t offset_in_layer;
} tensor_entry;

typedef struct {
    uint64_t start, len; /* in the file */
} extent;

typedef struct {
    char name[64];
    extent *extents;
    int n_extents;
    uint64_t size;
} layer_entry;

static const uint8_t *base;
static uint64_t file_size;
static kv *kvs;
static uint64_t n_kvs;
static tensor_entry *tensors;
static uint64_t n_tensors;
static layer_entry *layers;
static int32_t n_layers;

/* A cursor over the header; fails (returns 0) past the end of the file. */
static uint64_t at;
static int bad;

static uint64_t take(uint64_t n) {
    if (bad || n > file_size || at > file_size - n) {
        bad = 1;
        return at;
    }
    uint64_t here = at;
    at += n;
    return here;
}

static uint32_t u32(void) {
    uint32_t v = 0;
    uint64_t p = take(4);
    if (!bad) memcpy(&v, base + p, 4);
    return v;
}

static uint64_t u64(void) {
    uint64_t v = 0;
    uint64_t p = take(8);
    if (!bad) memcpy(&v, base + p, 8);
    return v;
}

static uint64_t scalar_size(uint32_t type) {
    static const uint64_t sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return type < 13 ? sizes[type] : 0;
}

/* Skips one value of a type; fills the encoding's span (offset, size) and count. */
static void skip_value(uint32_t type, uint32_t *element_type, uint64_t *count, uint64_t *offset,
                       uint64_t *size) {
    if (type == 8) {
        uint64_t n = u64();
        *offset = take(n);
        *size = n;
        *count = 1;
        *element_type = type;
    } else if (type == 9) {
        uint32_t et = u32();
        uint64_t n = u64();
        uint64_t start = at;
        for (uint64_t i = 0; i < n && !bad; i++) {
            uint32_t ignored_et;
            uint64_t c, o, s;
            if (et == 9) {
                /* an array of arrays: each element keeps its type and count in the encoding */
                skip_value(9, &ignored_et, &c, &o, &s);
            } else {
                skip_value(et, &ignored_et, &c, &o, &s);
            }
        }
        *offset = start;
        *size = at - start;
        *count = n;
        *element_type = et;
    } else {
        uint64_t s = scalar_size(type);
        if (s == 0) {
            bad = 1;
            return;
        }
        *offset = take(s);
        *size = s;
        *count = 1;
        *element_type = type;
    }
}

/* Bytes of a tensor of a GGML type (block size and bytes per block), or 0 if unknown. */
static uint64_t tensor_bytes(uint32_t type, const uint64_t *dims, uint32_t n_dims) {
    uint64_t block, bytes;
    switch (type) {
    case 0: block = 1; bytes = 4; break;   /* F32 */
    case 1: block = 1; bytes = 2; break;   /* F16 */
    case 2: block = 32; bytes = 18; break; /* Q4_0 */
    case 3: block = 32; bytes = 20; break; /* Q4_1 */
    case 6: block = 32; bytes = 22; break; /* Q5_0 */
    case 7: block = 32; bytes = 24; break; /* Q5_1 */
    case 8: block = 32; bytes = 34; break; /* Q8_0 */
    case 9: block = 32; bytes = 36; break; /* Q8_1 */
    case 10: block = 256; bytes = 84; break;
    case 11: block = 256; bytes = 110; break;
    case 12: block = 256; bytes = 144; break;
    case 13: block = 256; bytes = 176; break;
    case 14: block = 256; bytes = 210; break;
    case 15: block = 256; bytes = 292; break;
    case 24: block = 1; bytes = 1; break;
    case 25: block = 1; bytes = 2; break;
    case 26: block = 1; bytes = 4; break;
    case 27: case 28: block = 1; bytes = 8; break;
    case 30: block = 1; bytes = 2; break; /* BF16 */
    default: return 0;
    }
    uint64_t n = 1;
    for (uint32_t i = 0; i < n_dims; i++) n *= dims[i];
    return n / block * bytes;
}

static int32_t layer_id_of(const char *name, uint32_t len, int32_t blocks, char *out_name,
                           int32_t *next_other, char (*others)[64], int32_t *n_others) {
    uint32_t p = 0;
    while (p < len && name[p] != '.') p++;
    if (p == 3 && memcmp(name, "blk", 3) == 0) {
        int32_t n = 0;
        uint32_t q = 4;
        while (q < len && name[q] >= '0' && name[q] <= '9') n = n * 10 + (name[q++] - '0');
        snprintf(out_name, 64, "blk.%d", n);
        return n + 1;
    }
    snprintf(out_name, 64, "%.*s", (int)(p < 63 ? p : 63), name);
    if (strcmp(out_name, "token_embd") == 0) return 0;
    if (strcmp(out_name, "output_norm") == 0) return blocks + 1;
    if (strcmp(out_name, "output") == 0) return blocks + 2;
    for (int32_t i = 0; i < *n_others; i++) {
        if (strcmp(others[i], out_name) == 0) return blocks + 3 + i;
    }
    snprintf(others[*n_others], 64, "%s", out_name);
    (*n_others)++;
    return (*next_other)++;
}

static int by_start(const void *a, const void *b) {
    const tensor_entry *x = *(tensor_entry *const *)a, *y = *(tensor_entry *const *)b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int memory64_native_open(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return -1;
    }
    file_size = (uint64_t)st.st_size;
    base = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        perror(path);
        return -1;
    }
    at = 0;
    if (file_size < 24 || memcmp(base, "GGUF", 4) != 0) {
        fprintf(stderr, "%s: not a GGUF file\n", path);
        return -1;
    }
    take(4);
    uint32_t version = u32();
    n_tensors = u64();
    n_kvs = u64();
    if (version < 2 || version > 3 || n_kvs > file_size || n_tensors > file_size) {
        fprintf(stderr, "%s: unsupported GGUF version %u\n", path, version);
        return -1;
    }
    kvs = calloc(n_kvs, sizeof *kvs);
    tensors = calloc(n_tensors ? n_tensors : 1, sizeof *tensors);
    uint64_t alignment = 32;
    for (uint64_t i = 0; i < n_kvs && !bad; i++) {
        uint64_t len = u64();
        kvs[i].key = (const char *)base + take(len);
        kvs[i].key_len = (uint32_t)len;
        kvs[i].type = u32();
        skip_value(kvs[i].type, &kvs[i].element_type, &kvs[i].count, &kvs[i].offset, &kvs[i].size);
        if (!bad && len == 17 && memcmp(kvs[i].key, "general.alignment", 17) == 0
            && kvs[i].type == 4) {
            uint32_t a;
            memcpy(&a, base + kvs[i].offset, 4);
            alignment = a;
        }
    }
    for (uint64_t i = 0; i < n_tensors && !bad; i++) {
        tensor_entry *t = &tensors[i];
        uint64_t len = u64();
        t->name = (const char *)base + take(len);
        t->name_len = (uint32_t)len;
        t->n_dims = u32();
        if (t->n_dims < 1 || t->n_dims > 4) {
            bad = 1;
            break;
        }
        for (int d = 0; d < 4; d++) t->dims[d] = d < (int)t->n_dims ? u64() : 1;
        t->type = u32();
        t->start = u64();
        t->size = tensor_bytes(t->type, t->dims, t->n_dims);
        if (t->size == 0 && !bad) {
            fprintf(stderr, "%s: tensor %.*s has type %u, unknown here\n", path, (int)len, t->name,
                    t->type);
            return -1;
        }
    }
    if (bad) {
        fprintf(stderr, "%s: truncated or malformed header\n", path);
        return -1;
    }
    uint64_t data = (at + alignment - 1) / alignment * alignment;
    int32_t blocks = 0;
    for (uint64_t i = 0; i < n_tensors; i++) {
        tensor_entry *t = &tensors[i];
        t->start += data;
        if (t->start + t->size > file_size) {
            fprintf(stderr, "%s: tensor %.*s lies past the end of the file\n", path,
                    (int)t->name_len, t->name);
            return -1;
        }
        if (t->name_len > 4 && memcmp(t->name, "blk.", 4) == 0) {
            int32_t n = atoi(t->name + 4);
            if (n + 1 > blocks) blocks = n + 1;
        }
    }
    /* Layer ids, then extents in file order. */
    char (*others)[64] = calloc(n_tensors + 1, 64);
    int32_t n_others = 0, next_other = blocks + 3;
    n_layers = blocks + 3 + (int32_t)n_tensors;
    layers = calloc((size_t)n_layers, sizeof *layers);
    for (uint64_t i = 0; i < n_tensors; i++) {
        char name[64];
        tensors[i].layer = layer_id_of(tensors[i].name, tensors[i].name_len, blocks, name,
                                       &next_other, others, &n_others);
        snprintf(layers[tensors[i].layer].name, 64, "%s", name);
    }
    tensor_entry **order = malloc((n_tensors + 1) * sizeof *order);
    for (uint64_t i = 0; i < n_tensors; i++) order[i] = &tensors[i];
    qsort(order, n_tensors, sizeof *order, by_start);
    int32_t previous = -1;
    for (uint64_t i = 0; i < n_tensors; i++) {
        tensor_entry *t = order[i];
        layer_entry *l = &layers[t->layer];
        if (t->layer != previous || l->n_extents == 0) {
            l->extents = realloc(l->extents, (size_t)(l->n_extents + 1) * sizeof *l->extents);
            l->extents[l->n_extents].start = t->start;
            l->extents[l->n_extents].len = 0;
            l->n_extents++;
        }
        extent *e = &l->extents[l->n_extents - 1];
        uint64_t before = l->size - e->len; /* the layer's bytes before this extent */
        t->offset_in_layer = before + (t->start - e->start);
        uint64_t end = t->start + t->size - e->start;
        if (end > e->len) {
            l->size += end - e->len;
            e->len = end;
        }
        previous = t->layer;
    }
    free(order);
    free(others);
    return 0;
}

static layer_entry *layer_at(int32_t id) {
    if (id < 0 || id >= n_layers || layers[id].n_extents == 0) return NULL;
    return &layers[id];
}

int64_t memory64_layer_size(int32_t layer_id) {
    layer_entry *l = layer_at(layer_id);
    return l ? (int64_t)l->size : MEMORY64_LAYER_NOT_FOUND;
}

int32_t memory64_load_layer_range(int32_t layer_id, uint64_t offset, void *dst, uint32_t len) {
    layer_entry *l = layer_at(layer_id);
    if (!l) return MEMORY64_LAYER_NOT_FOUND;
    if (offset > l->size || len > l->size - offset) return MEMORY64_HOST_RANGE;
    uint8_t *out = dst;
    uint64_t skip = offset, left = len;
    for (int i = 0; i < l->n_extents && left > 0; i++) {
        extent *e = &l->extents[i];
        if (skip >= e->len) {
            skip -= e->len;
            continue;
        }
        uint64_t n = e->len - skip < left ? e->len - skip : left;
        memcpy(out, base + e->start + skip, n);
        out += n;
        left -= n;
        skip = 0;
    }
    return (int32_t)len;
}

int32_t memory64_load_layer(int32_t layer_id, void *dst, uint32_t max_size) {
    layer_entry *l = layer_at(layer_id);
    if (!l) return MEMORY64_LAYER_NOT_FOUND;
    if (l->size > max_size) return MEMORY64_BUFFER_TOO_SMALL;
    return memory64_load_layer_range(layer_id, 0, dst, (uint32_t)l->size);
}

int32_t memory64_layer_find(const void *name, uint32_t name_len) {
    for (int32_t i = 0; i < n_layers; i++) {
        if (layers[i].n_extents && strlen(layers[i].name) == name_len
            && memcmp(layers[i].name, name, name_len) == 0)
            return i;
    }
    return MEMORY64_LAYER_NOT_FOUND;
}

int32_t memory64_tensor_info(const void *name, uint32_t name_len, void *dst, uint32_t dst_len) {
    for (uint64_t i = 0; i < n_tensors; i++) {
        tensor_entry *t = &tensors[i];
        if (t->name_len == name_len && memcmp(t->name, name, name_len) == 0) {
            if (dst_len < MEMORY64_TENSOR_INFO_SIZE) return MEMORY64_BUFFER_TOO_SMALL;
            memory64_tensor_info_record r = {(uint32_t)t->layer, t->type, t->offset_in_layer,
                                             t->size, t->n_dims, 0,
                                             {t->dims[0], t->dims[1], t->dims[2], t->dims[3]}};
            memcpy(dst, &r, sizeof r);
            return MEMORY64_TENSOR_INFO_SIZE;
        }
    }
    return MEMORY64_LAYER_NOT_FOUND;
}

int32_t memory64_prefetch(int32_t layer_id) {
    layer_entry *l = layer_at(layer_id);
    if (!l) return MEMORY64_LAYER_NOT_FOUND;
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < l->n_extents; i++) {
        uint64_t s = l->extents[i].start / (uint64_t)page * (uint64_t)page;
        madvise((void *)(base + s), l->extents[i].start + l->extents[i].len - s, MADV_WILLNEED);
    }
    return 0;
}

static kv *find_kv(const void *key, uint32_t key_len) {
    for (uint64_t i = 0; i < n_kvs; i++) {
        if (kvs[i].key_len == key_len && memcmp(kvs[i].key, key, key_len) == 0) return &kvs[i];
    }
    return NULL;
}

int32_t memory64_metadata_info(const void *key, uint32_t key_len, void *dst, uint32_t dst_len) {
    kv *k = find_kv(key, key_len);
    if (!k) return MEMORY64_LAYER_NOT_FOUND;
    if (dst_len < MEMORY64_METADATA_INFO_SIZE) return MEMORY64_BUFFER_TOO_SMALL;
    uint8_t *out = dst;
    memcpy(out, &k->type, 4);
    memcpy(out + 4, &k->element_type, 4);
    memcpy(out + 8, &k->count, 8);
    memcpy(out + 16, &k->size, 8);
    return MEMORY64_METADATA_INFO_SIZE;
}

int32_t memory64_metadata_read(const void *key, uint32_t key_len, uint64_t value_offset, void *dst,
                               uint32_t len) {
    kv *k = find_kv(key, key_len);
    if (!k) return MEMORY64_LAYER_NOT_FOUND;
    if (value_offset > k->size || len > k->size - value_offset) return MEMORY64_HOST_RANGE;
    memcpy(dst, base + k->offset + value_offset, len);
    return (int32_t)len;
}
