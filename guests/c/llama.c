/*
 * llama.c: a llama-architecture inference guest for memory64.
 *
 * A wasm32-wasi command (and a library of exports for a JVM host to drive token by token) that
 * runs a llama model whose weights stay in the host: everything the guest knows about the model
 * comes through the memory64 host functions. Hyperparameters and vocabulary are read by key
 * (memory64_metadata_info / memory64_metadata_read), tensors are found by name
 * (memory64_tensor_info gives each one's layer, offset in the layer, type and dims), and the
 * weights are copied block by block into one bounded buffer (memory64_load_layer when a block's
 * layer fits it, else each tensor's rows in chunks by memory64_load_layer_range), the next
 * block prefetched while the current one computes. Quantised weights stay quantised in the
 * buffer and are dequantised inside the dot products (llama_quant.h).
 *
 * Tokenizers, by tokenizer.ggml.model: "llama" (SentencePiece, below) and "gpt2" with
 * tokenizer.ggml.pre "llama-bpe" (Llama 3's byte-level BPE, bpe.h).
 *
 * The forward pass, the SentencePiece tokenizer and the sampler follow llama2.c's run.c
 * (karpathy/llama2.c, MIT) in their arithmetic and order, so that at temperature 0, and at any
 * temperature with the same seed, the guest prints what run.c prints for the same model.
 *
 * Memory: the weight buffer (64 MiB by default, --buffer-mib or --buffer-kib), the KV cache (2 x blocks x
 * positions x kv_dim floats), activations (a few vectors of the model's widths, plus one score
 * per position per head and two of the vocabulary's size) and the vocabulary; nothing grows with
 * the model's weights.
 *
 * Built for the host too (scripts/build-native-guest.sh): the same source over a native
 * implementation of the memory64 functions (native/memory64_native.c), as the baseline.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __wasm32__
#include "memory64.h"
#define EXPORT(name) __attribute__((export_name(name)))
#else
#include "native/memory64_native.h"
#define EXPORT(name)
#endif

#include "llama_quant.h"

/* Errors the exports return (negative, beside the host's -1..-9 which pass through). */
#define E_NO_KEY (-100)      /* a required metadata key is missing or has the wrong type */
#define E_NO_TENSOR (-101)   /* a required tensor is missing or has the wrong shape */
#define E_TYPE (-102)        /* a tensor's type is not supported */
#define E_NO_MEMORY (-103)   /* malloc failed */
#define E_STATE (-104)       /* called before m64_init, or a position past the KV cache */
#define E_BUFFER (-105)      /* a tensor row does not fit the weight buffer */
#define E_TOKENIZER (-106)   /* the tokenizer model is not supported */

#define M64_FLAG_ROPE_NEOX 1   /* force the NeoX RoPE layout */
#define M64_FLAG_ROPE_NORMAL 2 /* force the adjacent-pair layout */
#define M64_FLAG_QUIET 4       /* no warnings on stderr */

/* ---------------------------------------------------------------- metadata */

typedef struct {
    uint32_t type, element_type;
    uint64_t count, size;
} md_record;

enum { MD_U8, MD_I8, MD_U16, MD_I16, MD_U32, MD_I32, MD_F32, MD_BOOL, MD_STRING, MD_ARRAY,
       MD_U64, MD_I64, MD_F64 };

static char arch[64];

/* The key "<arch><suffix>" in buf. */
static const char *arch_key(char *buf, size_t size, const char *suffix) {
    snprintf(buf, size, "%s%s", arch, suffix);
    return buf;
}

static int md_info(const char *key, md_record *rec) {
    uint8_t raw[MEMORY64_METADATA_INFO_SIZE];
    int32_t r = memory64_metadata_info(key, (uint32_t)strlen(key), raw, sizeof raw);
    if (r < 0) {
        return r;
    }
    memcpy(&rec->type, raw, 4);
    memcpy(&rec->element_type, raw + 4, 4);
    memcpy(&rec->count, raw + 8, 8);
    memcpy(&rec->size, raw + 16, 8);
    return 0;
}

/* Reads a whole value's encoding (size bytes) into dst, in chunks the i32 length can carry. */
static int md_read_all(const char *key, void *dst, uint64_t size) {
    uint64_t done = 0;
    while (done < size) {
        uint64_t n = size - done;
        if (n > (16u << 20)) {
            n = 16u << 20;
        }
        int32_t r = memory64_metadata_read(key, (uint32_t)strlen(key), done, (uint8_t *)dst + done,
                                           (uint32_t)n);
        if (r < 0) {
            return r;
        }
        done += n;
    }
    return 0;
}

/* md_info, but 1 when the key is there, and 0 with the size bytes of def copied to out when it is
 * absent. */
static int md_find(const char *key, md_record *rec, void *out, const void *def, size_t size) {
    int r = md_info(key, rec);
    if (r == MEMORY64_LAYER_NOT_FOUND) {
        memcpy(out, def, size);
        return 0;
    }
    return r < 0 ? r : 1;
}

/* An integer scalar of any width as int64, or def when the key is absent. */
static int md_int(const char *key, int64_t def, int64_t *out) {
    md_record rec;
    int r = md_find(key, &rec, out, &def, sizeof def);
    if (r <= 0) {
        return r;
    }
    uint8_t v[8] = {0};
    if (rec.type == MD_ARRAY || rec.type == MD_STRING || rec.size > 8 || rec.type == MD_F32
        || rec.type == MD_F64) {
        return E_NO_KEY;
    }
    if ((r = md_read_all(key, v, rec.size)) < 0) {
        return r;
    }
    switch (rec.type) {
    case MD_U8: case MD_BOOL: *out = v[0]; break;
    case MD_I8: *out = (int8_t)v[0]; break;
    case MD_U16: *out = (uint16_t)(v[0] | v[1] << 8); break;
    case MD_I16: *out = (int16_t)(v[0] | v[1] << 8); break;
    case MD_U32: { uint32_t x; memcpy(&x, v, 4); *out = x; break; }
    case MD_I32: { int32_t x; memcpy(&x, v, 4); *out = x; break; }
    default: { int64_t x; memcpy(&x, v, 8); *out = x; break; }
    }
    return 0;
}

static int md_required_int(const char *key, int64_t *out) {
    int r = md_int(key, INT64_MIN, out);
    if (r == 0 && *out == INT64_MIN) {
        fprintf(stderr, "llama: metadata key %s is missing\n", key);
        return E_NO_KEY;
    }
    return r;
}

/* An integer scalar, the first element of an array of int64 (config.json's eos_token_id is a
 * list in some checkpoints), or def when the key is absent or holds something else. */
static int md_int_or(const char *key, int64_t def, int64_t *out) {
    md_record rec;
    int r = md_info(key, &rec);
    if (r == 0 && rec.type == MD_ARRAY && rec.element_type == MD_I64 && rec.count > 0) {
        return md_read_all(key, out, 8);
    }
    r = md_int(key, def, out);
    if (r == E_NO_KEY) {
        *out = def;
        return 0;
    }
    return r;
}

static int md_float(const char *key, float def, float *out) {
    md_record rec;
    int r = md_find(key, &rec, out, &def, sizeof def);
    if (r <= 0) {
        return r;
    }
    if (rec.type == MD_F32) {
        return md_read_all(key, out, 4);
    }
    if (rec.type == MD_F64) {
        double d;
        r = md_read_all(key, &d, 8);
        *out = (float)d;
        return r;
    }
    return E_NO_KEY;
}

/* A number of any type as a float, or def when the key is absent: config.json writes
 * rope_theta as 10000.0 in one checkpoint and 500000 in another. */
static int md_number(const char *key, float def, float *out) {
    int r = md_float(key, def, out);
    if (r == E_NO_KEY) {
        int64_t v;
        if ((r = md_int(key, 0, &v)) == 0) {
            *out = (float)v;
        }
    }
    return r;
}

/* A string value, NUL-terminated, in dst (truncated to size - 1 bytes); "" when absent. */
static int md_string(const char *key, char *dst, size_t size) {
    md_record rec;
    dst[0] = 0;
    int r = md_info(key, &rec);
    if (r == MEMORY64_LAYER_NOT_FOUND) {
        return 0;
    }
    if (r < 0) {
        return r;
    }
    if (rec.type != MD_STRING) {
        return E_NO_KEY;
    }
    uint64_t n = rec.size < size - 1 ? rec.size : size - 1;
    if ((r = md_read_all(key, dst, n)) < 0) {
        return r;
    }
    dst[n] = 0;
    return 0;
}

/* ---------------------------------------------------------------- model */

typedef struct {
    int32_t layer;   /* the store's layer holding it */
    int32_t type;    /* GGML type */
    uint64_t offset; /* in the layer */
    int64_t cols;    /* elements per row (dims[0]) */
    int64_t rows;    /* rows (dims[1]; 1 for a vector) */
    int64_t row_bytes;
    dot_fn dot;
} tensor;

typedef struct {
    tensor attn_norm, wq, wk, wv, wo, ffn_norm, w1, w2, w3;
    int32_t layer; /* the block's layer, if all its tensors are in one */
} block;

typedef struct {
    int dim, hidden, n_layers, n_heads, n_kv_heads, head_size, kv_dim, vocab, context, rope_dim;
    int rope_neox;
    float rope_base, eps;
} config;

static config cfg;
static tensor tok_embd, out_norm, out_head;

/* Where the model's hyperparameters and tensors are: GGUF's keys (after "<arch>") and tensor
 * names, or a Hugging Face checkpoint's (its config.json's keys under "config.", as the host's
 * store names them, and LlamaForCausalLM's tensor names). A key of 0: none, the default. */
typedef struct {
    int hf; /* the keys are whole (no "<arch>" prefix), and the q/k rows are Hugging Face's */
    const char *layers, *dim, *hidden, *heads, *kv_heads, *rope_dim, *context, *rope_base, *eps;
    const char *embd, *norm, *head, *block; /* block: the prefix of block N's names, a format */
    const char *attn_norm, *wq, *wk, *wv, *wo, *ffn_norm, *w1, *w2, *w3;
} naming;

static const naming gguf_names = {
    0, ".block_count", ".embedding_length", ".feed_forward_length", ".attention.head_count",
    ".attention.head_count_kv", ".rope.dimension_count", ".context_length", ".rope.freq_base",
    ".attention.layer_norm_rms_epsilon", "token_embd.weight", "output_norm.weight",
    "output.weight", "blk.%d.", "attn_norm.weight", "attn_q.weight", "attn_k.weight",
    "attn_v.weight", "attn_output.weight", "ffn_norm.weight", "ffn_gate.weight",
    "ffn_down.weight", "ffn_up.weight"};

static const naming hf_names = {
    1, "config.num_hidden_layers", "config.hidden_size", "config.intermediate_size",
    "config.num_attention_heads", "config.num_key_value_heads", 0,
    "config.max_position_embeddings", "config.rope_theta", "config.rms_norm_eps",
    "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight", "model.layers.%d.",
    "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
    "self_attn.v_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
    "mlp.gate_proj.weight", "mlp.down_proj.weight", "mlp.up_proj.weight"};

static const naming *names = &gguf_names;

/* A hyperparameter's key: GGUF's "<arch><suffix>", or a Hugging Face key as it is. */
static const char *hp_key(char *buf, size_t size, const char *name) {
    return names->hf ? name : arch_key(buf, size, name);
}

/* Whether the q and k rows are Hugging Face's (each head's halves, rotated by NeoX's RoPE) for
 * a model whose RoPE is the adjacent-pair one: their outputs are put back in pair order. */
static int hf_rows;
static block *blocks;
static int initialised;

/* The weight buffer: one layer resident at a time, or streamed chunks. */
static uint8_t *wbuf;
static uint64_t wbuf_size;
static int32_t resident = -1; /* the layer wbuf holds whole, or -1 */
static uint8_t *rowbuf;       /* one embedding row or norm vector, streamed */
static int64_t rowbuf_size;

/* Activations and the KV cache, sized by m64_init. */
static float *x, *xb, *xb2, *hb, *hb2, *q, *att, *logits, *key_cache, *value_cache;
static int max_pos;

/* Statistics. */
static uint64_t bytes_loaded, loads;
static double load_seconds;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int find_tensor(const char *name, tensor *t, int64_t cols, int64_t rows) {
    memory64_tensor_info_record info;
    int32_t r = memory64_tensor_info(name, (uint32_t)strlen(name), &info, sizeof info);
    if (r < 0) {
        fprintf(stderr, "llama: tensor %s: %s\n", name,
                memory64_error_name(r) ? memory64_error_name(r) : "error");
        return r == MEMORY64_LAYER_NOT_FOUND ? E_NO_TENSOR : r;
    }
    t->layer = (int32_t)info.layer_id;
    t->type = (int32_t)info.ggml_type;
    t->offset = info.offset_in_layer;
    t->cols = (int64_t)info.dims[0];
    t->rows = (int64_t)info.dims[1];
    if (t->cols != cols || t->rows != rows || info.dims[2] != 1 || info.dims[3] != 1) {
        fprintf(stderr, "llama: tensor %s is [%lld, %lld], expected [%lld, %lld]\n", name,
                (long long)t->cols, (long long)t->rows, (long long)cols, (long long)rows);
        return E_NO_TENSOR;
    }
    t->dot = dot_for(t->type);
    t->row_bytes = row_bytes(t->type, t->cols);
    if (!t->dot || t->row_bytes < 0) {
        fprintf(stderr, "llama: tensor %s has type %u (%s), not supported here\n", name,
                info.ggml_type, type_name(t->type));
        return E_TYPE;
    }
    if ((uint64_t)t->row_bytes > wbuf_size) {
        fprintf(stderr, "llama: a row of tensor %s (%lld bytes) is larger than the buffer\n", name,
                (long long)t->row_bytes);
        return E_BUFFER;
    }
    if (t->row_bytes > rowbuf_size && t->rows == 1) {
        rowbuf_size = t->row_bytes;
    }
    return 0;
}

static int block_tensor(int l, const char *suffix, tensor *t, int64_t cols, int64_t rows) {
    char name[128];
    int n = snprintf(name, sizeof name, names->block, l);
    snprintf(name + n, sizeof name - (size_t)n, "%s", suffix);
    return find_tensor(name, t, cols, rows);
}

/* Makes layer `layer` resident in wbuf when it fits (loading it unless it already is), else
 * marks wbuf as holding no layer so that its tensors stream. */
static int enter_layer(int32_t layer) {
    if (resident == layer) {
        return 0;
    }
    int64_t size = memory64_layer_size(layer);
    if (size < 0) {
        return (int)size;
    }
    if ((uint64_t)size > wbuf_size) {
        resident = -1;
        return 0;
    }
    double t0 = now();
    int32_t r = memory64_load_layer(layer, wbuf, (uint32_t)wbuf_size);
    load_seconds += now() - t0;
    if (r < 0) {
        resident = -1;
        return r;
    }
    bytes_loaded += (uint64_t)size;
    loads++;
    resident = layer;
    return 0;
}

static int load_range(int32_t layer, uint64_t offset, void *dst, uint64_t len) {
    double t0 = now();
    int32_t r = memory64_load_layer_range(layer, offset, dst, (uint32_t)len);
    load_seconds += now() - t0;
    if (r < 0) {
        return r;
    }
    bytes_loaded += len;
    loads++;
    return 0;
}

/* out[i] = row i of t · x, for every row: from wbuf when t's layer is resident, else streaming
 * as many whole rows as the buffer holds at a time. */
static void matmul_rows(float *out, const uint8_t *w, const tensor *t, const float *in,
                        int64_t rows) {
    /* A row is at most wbuf_size bytes and a tensor's rows fit an int (a guest's memory). */
    matmul_any(t->type, out, w, (int)t->row_bytes, in, (int)t->cols, (int)rows);
}

static int matmul(float *out, const float *in, const tensor *t) {
    if (resident == t->layer) {
        matmul_rows(out, wbuf + t->offset, t, in, t->rows);
        return 0;
    }
    resident = -1;
    int64_t per_chunk = (int64_t)(wbuf_size / (uint64_t)t->row_bytes);
    for (int64_t r0 = 0; r0 < t->rows; r0 += per_chunk) {
        int64_t n = t->rows - r0 < per_chunk ? t->rows - r0 : per_chunk;
        int r = load_range(t->layer, t->offset + (uint64_t)(r0 * t->row_bytes), wbuf,
                           (uint64_t)(n * t->row_bytes));
        if (r < 0) {
            return r;
        }
        matmul_rows(out + r0, wbuf, t, in, n);
    }
    return 0;
}

/* Row `row` of t dequantised into out (an embedding row, a norm's weights). */
static int load_row(float *out, const tensor *t, int64_t row) {
    const uint8_t *src;
    if (resident == t->layer) {
        src = wbuf + t->offset + row * t->row_bytes;
    } else {
        int r = load_range(t->layer, t->offset + (uint64_t)(row * t->row_bytes), rowbuf,
                           (uint64_t)t->row_bytes);
        if (r < 0) {
            return r;
        }
        src = rowbuf;
    }
    dequant_row(t->type, src, out, (int)t->cols);
    return 0;
}

/* ---------------------------------------------------------------- forward pass (run.c's) */

static NOINLINE void rmsnorm(float *o, const float *in, const float *weight, int size) {
    float ss = 0.0f;
    for (int j = 0; j < size; j++) {
        ss += in[j] * in[j];
    }
    ss /= size;
    ss += cfg.eps;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < size; j++) {
        o[j] = weight[j] * (ss * in[j]);
    }
}

static NOINLINE void softmax(float *v, int size) {
    float max_val = v[0];
    for (int i = 1; i < size; i++) {
        if (v[i] > max_val) {
            max_val = v[i];
        }
    }
    float sum = 0.0f;
    for (int i = 0; i < size; i++) {
        v[i] = expf(v[i] - max_val);
        sum += v[i];
    }
    for (int i = 0; i < size; i++) {
        v[i] /= sum;
    }
}

/* Hugging Face's llama holds each head's query and key rows as two halves, (x[i], x[i + hs/2]),
 * where llama2.c and GGUF interleave them, (x[2i], x[2i+1]) (llama.cpp's converter permutes them
 * back): the outputs of such rows, put back in pair order, are the GGUF rows' outputs bit for
 * bit, each being the same row's dot product. tmp holds head_size floats. */
static NOINLINE void interleave_heads(float *v, int n_heads, float *tmp) {
    int hs = cfg.head_size;
    int half = hs / 2;
    for (int h = 0; h < n_heads; h++) {
        float *x = v + h * hs;
        memcpy(tmp, x, (size_t)hs * sizeof *x);
        for (int i = 0; i < half; i++) {
            x[2 * i] = tmp[i];
            x[2 * i + 1] = tmp[half + i];
        }
    }
}

/* Rotates q (n_heads heads of head_size) and k (n_kv_heads heads) for position pos. Adjacent pairs
 * (x[2i], x[2i+1]) in the normal layout, as run.c; (x[i], x[i + rope_dim/2]) in the NeoX layout.
 * Dimensions past rope_dim in a head are left as they are. Each pair's angle is computed once for
 * every head of both (run.c computes it per head; the values are the same). */
static NOINLINE void rope(float *qv, int n_heads, float *kv, int n_kv_heads, int pos) {
    int hs = cfg.head_size;
    int rd = cfg.rope_dim;
    for (int i = 0; i < rd; i += 2) {
        float freq = 1.0f / powf(cfg.rope_base, i / (float)rd);
        float val = pos * freq;
        float fcr = cosf(val);
        float fci = sinf(val);
        int a = cfg.rope_neox ? i / 2 : i;
        int b = cfg.rope_neox ? i / 2 + rd / 2 : i + 1;
        for (int h = 0; h < n_heads + n_kv_heads; h++) {
            float *v = h < n_heads ? qv + h * hs : kv + (h - n_heads) * hs;
            float v0 = v[a];
            float v1 = v[b];
            v[a] = v0 * fcr - v1 * fci;
            v[b] = v0 * fci + v1 * fcr;
        }
    }
}

/* One head's attention over positions 0..pos, as run.c computes it, with the same sums in the same
 * order: four positions' scores at a time (sharing the loads of the query), then each output
 * element as one sum over the positions (four elements at a time, sharing the loads of the
 * weights) instead of run.c's pass over the output per position. */
static NOINLINE void attention_head(int h, int pos, size_t loff) {
    int hs = cfg.head_size;
    int kv_dim = cfg.kv_dim;
    int kv_mul = cfg.n_heads / cfg.n_kv_heads;
    const float *qh = q + h * hs;
    float *a = att + (size_t)h * max_pos;
    const float *kh = key_cache + loff + (h / kv_mul) * hs;
    float scale = sqrtf(hs);
    int t = 0;
    for (; t + 4 <= pos + 1; t += 4) {
        const float *k0 = kh + (size_t)t * kv_dim;
        const float *k1 = k0 + kv_dim;
        const float *k2 = k1 + kv_dim;
        const float *k3 = k2 + kv_dim;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int i = 0; i < hs; i++) {
            float qi = qh[i];
            s0 += qi * k0[i];
            s1 += qi * k1[i];
            s2 += qi * k2[i];
            s3 += qi * k3[i];
        }
        a[t] = s0 / scale;
        a[t + 1] = s1 / scale;
        a[t + 2] = s2 / scale;
        a[t + 3] = s3 / scale;
    }
    for (; t <= pos; t++) {
        const float *k = kh + (size_t)t * kv_dim;
        float score = 0.0f;
        for (int i = 0; i < hs; i++) {
            score += qh[i] * k[i];
        }
        a[t] = score / scale;
    }
    softmax(a, pos + 1);
    float *o = xb + h * hs;
    const float *vh = value_cache + loff + (h / kv_mul) * hs;
    int i = 0;
    for (; i + 4 <= hs; i += 4) {
        const float *v = vh + i;
        float o0 = 0.0f, o1 = 0.0f, o2 = 0.0f, o3 = 0.0f;
        for (t = 0; t <= pos; t++, v += kv_dim) {
            float w = a[t];
            o0 += w * v[0];
            o1 += w * v[1];
            o2 += w * v[2];
            o3 += w * v[3];
        }
        o[i] = o0;
        o[i + 1] = o1;
        o[i + 2] = o2;
        o[i + 3] = o3;
    }
    for (; i < hs; i++) {
        const float *v = vh + i;
        float oi = 0.0f;
        for (t = 0; t <= pos; t++, v += kv_dim) {
            oi += a[t] * v[0];
        }
        o[i] = oi;
    }
}

static NOINLINE void add(float *a, const float *b, int n) {
    for (int i = 0; i < n; i++) {
        a[i] += b[i];
    }
}

static NOINLINE void swiglu(float *a, const float *b, int n) {
    for (int i = 0; i < n; i++) {
        float val = a[i];
        val *= (1.0f / (1.0f + expf(-val)));
        val *= b[i];
        a[i] = val;
    }
}

static void prefetch_after(int l) {
    int32_t next = l + 1 < cfg.n_layers ? blocks[l + 1].layer : out_head.layer;
    if (next >= 0) {
        memory64_prefetch(next);
    }
}

static int forward_block(int l, int pos) {
    block *b = &blocks[l];
    int dim = cfg.dim;
    int r;
    if ((r = enter_layer(b->layer)) < 0) {
        return r;
    }
    prefetch_after(l);
    size_t loff = (size_t)l * max_pos * cfg.kv_dim;
    float *k = key_cache + loff + (size_t)pos * cfg.kv_dim;
    float *v = value_cache + loff + (size_t)pos * cfg.kv_dim;
    if ((r = load_row(xb2, &b->attn_norm, 0)) < 0) {
        return r;
    }
    rmsnorm(xb, x, xb2, dim);
    if ((r = matmul(q, xb, &b->wq)) < 0 || (r = matmul(k, xb, &b->wk)) < 0
        || (r = matmul(v, xb, &b->wv)) < 0) {
        return r;
    }
    if (hf_rows) {
        interleave_heads(q, cfg.n_heads, xb2);
        interleave_heads(k, cfg.n_kv_heads, xb2);
    }
    rope(q, cfg.n_heads, k, cfg.n_kv_heads, pos);
    for (int h = 0; h < cfg.n_heads; h++) {
        attention_head(h, pos, loff);
    }
    if ((r = matmul(xb2, xb, &b->wo)) < 0) {
        return r;
    }
    add(x, xb2, dim);
    if ((r = load_row(xb2, &b->ffn_norm, 0)) < 0) {
        return r;
    }
    rmsnorm(xb, x, xb2, dim);
    if ((r = matmul(hb, xb, &b->w1)) < 0 || (r = matmul(hb2, xb, &b->w3)) < 0) {
        return r;
    }
    swiglu(hb, hb2, cfg.hidden);
    if ((r = matmul(xb, hb, &b->w2)) < 0) {
        return r;
    }
    add(x, xb, dim);
    return 0;
}

/* ---------------------------------------------------------------- tokenizer (run.c's) */

#include "bpe.h"

static char **vocab;      /* NUL-terminated pieces, "▁" turned into " " */
static int *vocab_len;
static float *vocab_scores;
static int32_t *vocab_types;
static int *lookup;       /* open-addressing hash table of token ids, -1 empty */
static uint32_t lookup_mask;
static int bos_id = 1, eos_id = 2;
static int byte_ids[256]; /* the id of each byte token <0xHH>, or -1 */
static char byte_pieces[512];

static uint32_t hash_bytes(const char *s, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    }
    return h;
}

static int str_lookup(const char *s, int n) {
    for (uint32_t i = hash_bytes(s, n) & lookup_mask;; i = (i + 1) & lookup_mask) {
        int id = lookup[i];
        if (id < 0) {
            return -1;
        }
        if (vocab_len[id] == n && memcmp(vocab[id], s, (size_t)n) == 0) {
            return id;
        }
    }
}

static int is_byte_piece(const char *p, int *value) {
    static const char hex[] = "0123456789ABCDEF";
    if (strlen(p) != 6 || memcmp(p, "<0x", 3) != 0 || p[5] != '>') {
        return 0;
    }
    const char *hi = memchr(hex, p[3], 16), *lo = memchr(hex, p[4], 16);
    if (!hi || !lo || !p[3] || !p[4]) {
        return 0;
    }
    *value = (int)((hi - hex) * 16 + (lo - hex));
    return 1;
}

static int vocab_loaded;

static int load_vocab(void) {
    char model[32];
    int r;
    if (vocab_loaded) {
        return 0;
    }
    if ((r = md_string("tokenizer.ggml.model", model, sizeof model)) < 0) {
        return r;
    }
    if (strcmp(model, "gpt2") == 0) {
        r = bpe_load(&cfg.vocab, &bos_id, &eos_id);
        vocab_loaded = r == 0;
        return r;
    }
    if (strcmp(model, "llama") != 0) {
        fprintf(stderr,
                "llama: tokenizer.ggml.model \"%s\" is not supported (only \"llama\" and \"gpt2\")\n",
                model);
        return E_TOKENIZER;
    }
    md_record rec;
    if ((r = md_info("tokenizer.ggml.tokens", &rec)) < 0 || rec.type != MD_ARRAY
        || rec.element_type != MD_STRING) {
        fprintf(stderr, "llama: no tokenizer.ggml.tokens\n");
        return r < 0 ? r : E_NO_KEY;
    }
    int n = (int)rec.count;
    uint8_t *raw = malloc(rec.size + 1);
    vocab = malloc((size_t)n * sizeof *vocab);
    vocab_len = malloc((size_t)n * sizeof *vocab_len);
    vocab_scores = calloc((size_t)n, sizeof *vocab_scores);
    vocab_types = malloc((size_t)n * sizeof *vocab_types);
    if (!raw || !vocab || !vocab_len || !vocab_scores || !vocab_types) {
        return E_NO_MEMORY;
    }
    if ((r = md_read_all("tokenizer.ggml.tokens", raw, rec.size)) < 0) {
        return r;
    }
    /* Each piece in place: its u64 length becomes room for the terminator of the one before. */
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        uint64_t len;
        if (at + 8 > rec.size) {
            return E_NO_KEY;
        }
        memcpy(&len, raw + at, 8);
        at += 8;
        if (len > rec.size - at) {
            return E_NO_KEY;
        }
        char *piece = (char *)raw + at - 1; /* overwrites the length's last byte */
        memmove(piece, raw + at, len);
        /* SentencePiece's "▁" (U+2581, E2 96 81) is a space in llama2.c's vocabulary. */
        int w = 0;
        for (uint64_t j = 0; j < len; j++) {
            if (j + 2 < len && (uint8_t)piece[j] == 0xe2 && (uint8_t)piece[j + 1] == 0x96
                && (uint8_t)piece[j + 2] == 0x81) {
                piece[w++] = ' ';
                j += 2;
            } else {
                piece[w++] = piece[j];
            }
        }
        piece[w] = 0;
        vocab[i] = piece;
        vocab_len[i] = w;
        at += len;
    }
    if ((r = md_info("tokenizer.ggml.scores", &rec)) == 0 && rec.type == MD_ARRAY
        && rec.element_type == MD_F32 && rec.count == (uint64_t)n) {
        if ((r = md_read_all("tokenizer.ggml.scores", vocab_scores, rec.size)) < 0) {
            return r;
        }
    }
    for (int i = 0; i < n; i++) {
        vocab_types[i] = 1;
    }
    if ((r = md_info("tokenizer.ggml.token_type", &rec)) == 0 && rec.type == MD_ARRAY
        && rec.element_type == MD_I32 && rec.count == (uint64_t)n) {
        if ((r = md_read_all("tokenizer.ggml.token_type", vocab_types, rec.size)) < 0) {
            return r;
        }
    }
    int64_t v;
    if ((r = md_int("tokenizer.ggml.bos_token_id", INT64_MIN, &v)) < 0
        || (v == INT64_MIN && (r = md_int_or("config.bos_token_id", 1, &v)) < 0)) {
        return r;
    }
    bos_id = (int)v;
    if ((r = md_int("tokenizer.ggml.eos_token_id", INT64_MIN, &v)) < 0
        || (v == INT64_MIN && (r = md_int_or("config.eos_token_id", 2, &v)) < 0)) {
        return r;
    }
    eos_id = (int)v;
    uint32_t size = 16;
    while (size < 2u * (uint32_t)n) {
        size <<= 1;
    }
    lookup = malloc(size * sizeof *lookup);
    if (!lookup) {
        return E_NO_MEMORY;
    }
    memset(lookup, 0xff, size * sizeof *lookup);
    lookup_mask = size - 1;
    for (int i = 0; i < n; i++) {
        if (str_lookup(vocab[i], vocab_len[i]) >= 0) {
            continue; /* a duplicate piece: the first id wins */
        }
        uint32_t j = hash_bytes(vocab[i], vocab_len[i]) & lookup_mask;
        while (lookup[j] >= 0) {
            j = (j + 1) & lookup_mask;
        }
        lookup[j] = i;
    }
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        byte_ids[b] = str_lookup(name, 6);
        byte_pieces[2 * b] = (char)b;
        byte_pieces[2 * b + 1] = 0;
    }
    cfg.vocab = n;
    vocab_loaded = 1;
    return 0;
}

/* run.c's encode: BOS, a dummy-prefix space before non-empty text, each UTF-8 character as its
 * token or its bytes' tokens, then merging the adjacent pair with the best-scoring merged token
 * until none merges. Returns the token count. */
static int encode(const char *text, int text_len, int bos, int *tokens) {
    if (bpe_active) {
        return bpe_encode(text, text_len, bos ? bos_id : -1, tokens);
    }
    int n = 0;
    if (bos) {
        tokens[n++] = bos_id;
    }
    if (text_len > 0) {
        int space = str_lookup(" ", 1);
        if (space >= 0) {
            tokens[n++] = space;
        }
    }
    for (int i = 0; i < text_len;) {
        int len = 1;
        while (i + len < text_len && len < 4 && ((uint8_t)text[i + len] & 0xc0) == 0x80) {
            len++;
        }
        int id = str_lookup(text + i, len);
        if (id >= 0) {
            tokens[n++] = id;
        } else {
            for (int j = 0; j < len; j++) {
                int b = byte_ids[(uint8_t)text[i + j]];
                tokens[n++] = b >= 0 ? b : (uint8_t)text[i + j] + 3;
            }
        }
        i += len;
    }
    char *buf = NULL;
    size_t buf_size = 0;
    for (;;) {
        float best_score = -1e10f;
        int best_id = -1, best_idx = -1;
        for (int i = 0; i < n - 1; i++) {
            size_t la = (size_t)vocab_len[tokens[i]], lb = (size_t)vocab_len[tokens[i + 1]];
            if (la + lb > buf_size) {
                buf_size = 2 * (la + lb);
                free(buf);
                buf = malloc(buf_size);
                if (!buf) {
                    return E_NO_MEMORY;
                }
            }
            memcpy(buf, vocab[tokens[i]], la);
            memcpy(buf + la, vocab[tokens[i + 1]], lb);
            int id = str_lookup(buf, (int)(la + lb));
            if (id != -1 && vocab_scores[id] > best_score) {
                best_score = vocab_scores[id];
                best_id = id;
                best_idx = i;
            }
        }
        if (best_idx == -1) {
            break;
        }
        tokens[best_idx] = best_id;
        for (int i = best_idx + 1; i < n - 1; i++) {
            tokens[i] = tokens[i + 1];
        }
        n--;
    }
    free(buf);
    return n;
}

/* run.c's decode: the piece of token after prev, without its leading space after BOS, a byte
 * token as its raw byte; its length in *len. A BPE token: its bytes. */
static const char *decode(int prev, int token, int *len) {
    if (bpe_active) {
        return bpe_piece(token, len);
    }
    const char *piece = vocab[token];
    if (prev == bos_id && piece[0] == ' ') {
        piece++;
    }
    int b;
    if (is_byte_piece(piece, &b)) {
        piece = byte_pieces + 2 * b;
    }
    *len = (int)strlen(piece);
    return piece;
}

/* Whether run.c's safe_printf prints the piece: not empty, and a single byte only if it is
 * printable or white space (in the C locale). A BPE piece always (its bytes may be part of a
 * character). */
static int printable(const char *piece) {
    if (bpe_active) {
        return 1;
    }
    if (piece[0] == 0) {
        return 0;
    }
    if (piece[1] == 0) {
        uint8_t c = (uint8_t)piece[0];
        return (c >= 0x20 && c < 0x7f) || c == ' ' || (c >= '\t' && c <= '\r');
    }
    return 1;
}

/* ---------------------------------------------------------------- sampler (run.c's) */

typedef struct {
    float prob;
    int index;
} prob_index;

static prob_index *probindex, *probtmp;
static float temperature, topp;
static uint64_t rng_state;

static uint32_t random_u32(uint64_t *state) {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * 0x2545F4914F6CDD1Dull) >> 32);
}

static float random_f32(uint64_t *state) {
    return (random_u32(state) >> 8) / 16777216.0f;
}

static NOINLINE int sample_argmax(const float *p, int n) {
    int max_i = 0;
    float max_p = p[0];
    for (int i = 1; i < n; i++) {
        if (p[i] > max_p) {
            max_i = i;
            max_p = p[i];
        }
    }
    return max_i;
}

static NOINLINE int sample_mult(const float *p, int n, float coin) {
    float cdf = 0.0f;
    for (int i = 0; i < n; i++) {
        cdf += p[i];
        if (coin < cdf) {
            return i;
        }
    }
    return n - 1;
}

/* A stable merge sort by descending probability (run.c sorts with qsort; glibc's is a merge
 * sort, stable: ties keep their index order here too). */
static void sort_desc(prob_index *a, prob_index *tmp, int n) {
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                tmp[k++] = a[j].prob > a[i].prob ? a[j++] : a[i++];
            }
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
}

static NOINLINE int sample_topp(const float *p, int n, float top_p, float coin) {
    int n0 = 0;
    const float cutoff = (1.0f - top_p) / (n - 1);
    for (int i = 0; i < n; i++) {
        if (p[i] >= cutoff) {
            probindex[n0].index = i;
            probindex[n0].prob = p[i];
            n0++;
        }
    }
    sort_desc(probindex, probtmp, n0);
    float cumulative = 0.0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cumulative += probindex[i].prob;
        if (cumulative > top_p) {
            last = i;
            break;
        }
    }
    float r = coin * cumulative;
    float cdf = 0.0f;
    for (int i = 0; i <= last; i++) {
        cdf += probindex[i].prob;
        if (r < cdf) {
            return probindex[i].index;
        }
    }
    return probindex[last].index;
}

static int sample(float *lg) {
    if (temperature == 0.0f) {
        return sample_argmax(lg, cfg.vocab);
    }
    for (int i = 0; i < cfg.vocab; i++) {
        lg[i] /= temperature;
    }
    softmax(lg, cfg.vocab);
    float coin = random_f32(&rng_state);
    if (topp <= 0 || topp >= 1) {
        return sample_mult(lg, cfg.vocab, coin);
    }
    return sample_topp(lg, cfg.vocab, topp, coin);
}

/* ---------------------------------------------------------------- exports */

static int quiet;

/*
 * Reads the model's hyperparameters, vocabulary and tensor table from the store, and allocates
 * a weight buffer of buffer_kib KiB (0: 64 MiB) and a KV cache for max_positions positions (0: the model's
 * context length). flags: M64_FLAG_ROPE_NEOX / M64_FLAG_ROPE_NORMAL force a RoPE layout,
 * M64_FLAG_QUIET silences warnings. Returns 0, or a negative error (the host's codes pass
 * through; -100.. are the guest's, see the top of this file). Call once.
 */
EXPORT("m64_init")
int32_t m64_init(int32_t buffer_kib, int32_t max_positions, int32_t flags) {
    if (initialised) {
        return E_STATE;
    }
    quiet = flags & M64_FLAG_QUIET;
    quant_init();
    int r;
    char key[128];
    if ((r = md_string("general.architecture", arch, sizeof arch)) < 0) {
        return r;
    }
    md_record rec;
    names = &gguf_names;
    if (!arch[0] && md_info(hf_names.layers, &rec) == 0) {
        /* No GGUF keys, but a Hugging Face config.json's: its model_type is the architecture. */
        names = &hf_names;
        if ((r = md_string("config.model_type", arch, sizeof arch)) < 0) {
            return r;
        }
        if (!arch[0]) {
            snprintf(arch, sizeof arch, "llama");
        }
    }
    if (!arch[0]) {
        fprintf(stderr, "llama: metadata key general.architecture is missing (nor is there a"
                        " Hugging Face config.num_hidden_layers)\n");
        return E_NO_KEY;
    }
    int64_t v;
#define REQUIRE(field, name)                                                 \
    if ((r = md_required_int(hp_key(key, sizeof key, names->name), &v)) < 0) { \
        return r;                                                            \
    }                                                                        \
    cfg.field = (int)v
    REQUIRE(n_layers, layers);
    REQUIRE(dim, dim);
    REQUIRE(hidden, hidden);
    REQUIRE(n_heads, heads);
#undef REQUIRE
    if ((r = md_int(hp_key(key, sizeof key, names->kv_heads), cfg.n_heads, &v)) < 0) {
        return r;
    }
    cfg.n_kv_heads = (int)v;
    if (cfg.n_heads <= 0) {
        fprintf(stderr, "llama: inconsistent hyperparameters\n");
        return E_NO_KEY;
    }
    cfg.head_size = cfg.dim / cfg.n_heads;
    cfg.kv_dim = cfg.head_size * cfg.n_kv_heads;
    v = cfg.head_size; /* Hugging Face's llama rotates whole heads */
    if (names->rope_dim
        && (r = md_int(hp_key(key, sizeof key, names->rope_dim), cfg.head_size, &v)) < 0) {
        return r;
    }
    cfg.rope_dim = (int)v;
    if ((r = md_int(hp_key(key, sizeof key, names->context), 2048, &v)) < 0) {
        return r;
    }
    cfg.context = (int)v;
    if (names->hf) {
        if ((r = md_number(names->rope_base, 10000.0f, &cfg.rope_base)) < 0
            || (r = md_number(names->eps, 1e-5f, &cfg.eps)) < 0) {
            return r;
        }
    } else if ((r = md_float(arch_key(key, sizeof key, names->rope_base), 10000.0f,
                             &cfg.rope_base)) < 0
               || (r = md_float(arch_key(key, sizeof key, names->eps), 1e-5f, &cfg.eps)) < 0) {
        return r;
    }
    if (cfg.n_heads <= 0 || cfg.n_kv_heads <= 0 || cfg.n_heads % cfg.n_kv_heads != 0
        || cfg.dim % cfg.n_heads != 0 || cfg.rope_dim > cfg.head_size || cfg.rope_dim % 2 != 0) {
        fprintf(stderr, "llama: inconsistent hyperparameters\n");
        return E_NO_KEY;
    }
    /* llama.cpp's rope type by architecture: adjacent pairs for llama and its kin, NeoX for
     * these; a flag overrides. */
    static const char *const neox_archs[] = {"qwen2", "qwen2moe", "qwen3", "qwen3moe", "phi2",
                                             "phi3", "gptneox", "stablelm", "falcon", "gemma",
                                             "gemma2", "gemma3", "starcoder2", "olmo2", 0};
    cfg.rope_neox = 0;
    for (int i = 0; neox_archs[i]; i++) {
        if (strcmp(arch, neox_archs[i]) == 0) {
            cfg.rope_neox = 1;
        }
    }
    if (flags & M64_FLAG_ROPE_NEOX) {
        cfg.rope_neox = 1;
    } else if (flags & M64_FLAG_ROPE_NORMAL) {
        cfg.rope_neox = 0;
    }
    /* Hugging Face's rows rotated as halves are NeoX's layout; for an adjacent-pair model, they
     * are put back in pair order and rotated as GGUF's are (the same sums, so the same bits). */
    hf_rows = names->hf && !cfg.rope_neox;
    if (hf_rows && cfg.head_size % 2 != 0) {
        fprintf(stderr, "llama: inconsistent hyperparameters\n");
        return E_NO_KEY;
    }
    if ((r = load_vocab()) < 0) {
        return r;
    }

    wbuf_size = buffer_kib > 0 ? (uint64_t)buffer_kib << 10 : (uint64_t)64 << 20;
    wbuf = malloc(wbuf_size);
    if (!wbuf) {
        return E_NO_MEMORY;
    }
    rowbuf_size = 0;
    int dim = cfg.dim, kv = cfg.kv_dim, hid = cfg.hidden, nv = cfg.vocab;
    if ((r = find_tensor(names->embd, &tok_embd, dim, nv)) < 0
        || (r = find_tensor(names->norm, &out_norm, dim, 1)) < 0) {
        return r;
    }
    r = find_tensor(names->head, &out_head, dim, nv);
    if (r == E_NO_TENSOR) {
        out_head = tok_embd; /* tied embeddings */
    } else if (r < 0) {
        return r;
    }
    blocks = calloc((size_t)cfg.n_layers, sizeof *blocks);
    if (!blocks) {
        return E_NO_MEMORY;
    }
    for (int l = 0; l < cfg.n_layers; l++) {
        block *b = &blocks[l];
        if ((r = block_tensor(l, names->attn_norm, &b->attn_norm, dim, 1)) < 0
            || (r = block_tensor(l, names->wq, &b->wq, dim, dim)) < 0
            || (r = block_tensor(l, names->wk, &b->wk, dim, kv)) < 0
            || (r = block_tensor(l, names->wv, &b->wv, dim, kv)) < 0
            || (r = block_tensor(l, names->wo, &b->wo, dim, dim)) < 0
            || (r = block_tensor(l, names->ffn_norm, &b->ffn_norm, dim, 1)) < 0
            || (r = block_tensor(l, names->w1, &b->w1, dim, hid)) < 0
            || (r = block_tensor(l, names->w2, &b->w2, hid, dim)) < 0
            || (r = block_tensor(l, names->w3, &b->w3, dim, hid)) < 0) {
            return r;
        }
        b->layer = b->wq.layer;
    }
    if (tok_embd.row_bytes > rowbuf_size) {
        rowbuf_size = tok_embd.row_bytes;
    }
    rowbuf = malloc((size_t)rowbuf_size);

    max_pos = max_positions > 0 ? max_positions : cfg.context;
    if (max_pos > cfg.context && !quiet) {
        fprintf(stderr,
                "llama: warning: %d positions asked, past the model's context length %d\n",
                max_pos, cfg.context);
    }
    size_t cache = (size_t)cfg.n_layers * max_pos * kv;
    x = calloc((size_t)dim, sizeof(float));
    xb = calloc((size_t)dim, sizeof(float));
    xb2 = calloc((size_t)dim, sizeof(float));
    hb = calloc((size_t)hid, sizeof(float));
    hb2 = calloc((size_t)hid, sizeof(float));
    q = calloc((size_t)dim, sizeof(float));
    att = calloc((size_t)cfg.n_heads * max_pos, sizeof(float));
    logits = calloc((size_t)nv, sizeof(float));
    key_cache = calloc(cache, sizeof(float));
    value_cache = calloc(cache, sizeof(float));
    probindex = calloc((size_t)nv, sizeof *probindex);
    probtmp = calloc((size_t)nv, sizeof *probtmp);
    if (!rowbuf || !x || !xb || !xb2 || !hb || !hb2 || !q || !att || !logits || !key_cache
        || !value_cache || !probindex || !probtmp) {
        return E_NO_MEMORY;
    }
    temperature = 0.0f;
    topp = 0.9f;
    rng_state = 1;
    initialised = 1;
    return 0;
}

/**
 * Reads only the vocabulary from the store, so that m64_encode, m64_decode_piece, m64_vocab_size,
 * m64_bos and m64_eos work without the model's weights or hyperparameters (m64_init may follow).
 * Returns 0, or a negative error.
 */
EXPORT("m64_init_tokenizer")
int32_t m64_init_tokenizer(void) {
    return load_vocab();
}

/** Allocates n bytes of guest memory (for the host to write a prompt into); 0 on failure. */
EXPORT("m64_alloc")
int32_t m64_alloc(int32_t n) {
    return (int32_t)(intptr_t)malloc((size_t)(n > 0 ? n : 1));
}

/** Frees what m64_alloc returned. */
EXPORT("m64_free")
void m64_free(int32_t ptr) {
    free((void *)(intptr_t)ptr);
}

/** The vocabulary's size, BOS and EOS ids, and the KV cache's positions (after m64_init). */
EXPORT("m64_vocab_size") int32_t m64_vocab_size(void) { return cfg.vocab; }
EXPORT("m64_bos") int32_t m64_bos(void) { return bos_id; }
EXPORT("m64_eos") int32_t m64_eos(void) { return eos_id; }
EXPORT("m64_max_positions") int32_t m64_max_positions(void) { return max_pos; }

/**
 * Encodes text_len bytes of UTF-8 at text (with a BOS first if bos) into tokens, which must hold
 * text_len + 3 ids. Returns the number of tokens, or a negative error. A "llama" vocabulary
 * encodes as run.c does (a dummy-prefix space first); a "gpt2" one as llama.cpp's BPE with
 * parse_special (bpe.h: a special token's text in the text is that token).
 */
EXPORT("m64_encode")
int32_t m64_encode(int32_t text, int32_t text_len, int32_t bos, int32_t tokens) {
    if (!vocab_loaded || text_len < 0) {
        return E_STATE;
    }
    return encode((const char *)(intptr_t)text, text_len, bos, (int *)(intptr_t)tokens);
}

/**
 * Runs the model on token at position pos (0-based, below m64_max_positions), leaving the
 * logits at m64_logits(). Loads every block's weights once. Returns 0, or a negative error.
 */
EXPORT("m64_forward")
int32_t m64_forward(int32_t token, int32_t pos) {
    if (!initialised || pos < 0 || pos >= max_pos || token < 0 || token >= cfg.vocab) {
        return E_STATE;
    }
    /* One row of the embedding by range (from wbuf only if its layer happens to be resident). */
    int r = load_row(x, &tok_embd, token);
    if (r < 0) {
        return r;
    }
    for (int l = 0; l < cfg.n_layers; l++) {
        if ((r = forward_block(l, pos)) < 0) {
            return r;
        }
    }
    if ((r = enter_layer(out_norm.layer)) < 0 || (r = load_row(xb2, &out_norm, 0)) < 0) {
        return r;
    }
    rmsnorm(x, x, xb2, cfg.dim);
    if ((r = enter_layer(out_head.layer)) < 0 || (r = matmul(logits, x, &out_head)) < 0) {
        return r;
    }
    if (cfg.n_layers > 0) {
        memory64_prefetch(blocks[0].layer);
    }
    return 0;
}

/** The logits of the last m64_forward (vocab_size floats). */
EXPORT("m64_logits")
int32_t m64_logits(void) {
    return (int32_t)(intptr_t)logits;
}

/**
 * Sets the sampler: temperature (0 = greedy), top-p (outside (0, 1): sample from the whole
 * distribution), and the xorshift generator's seed (as run.c's --s; must not be 0).
 */
EXPORT("m64_sampler")
void m64_sampler(float temp, float top_p, int64_t seed) {
    temperature = temp < 0.0f ? 0.0f : temp;
    topp = top_p;
    rng_state = (uint64_t)seed;
}

/** Samples the next token from the logits of the last m64_forward (and consumes them). */
EXPORT("m64_sample")
int32_t m64_sample(void) {
    return sample(logits);
}

/**
 * m64_forward(token, pos), then m64_sample(): the next token, or a negative error.
 */
EXPORT("m64_step")
int32_t m64_step(int32_t token, int32_t pos) {
    int r = m64_forward(token, pos);
    return r < 0 ? r : sample(logits);
}

/**
 * Writes the text that run.c prints for token after prev into dst (at most dst_len bytes, no
 * terminator): its piece without a leading space after BOS, a byte token as its byte, nothing
 * for an unprintable single byte. A "gpt2" vocabulary's token: its bytes whatever prev (a
 * special token its text; a byte may be part of a UTF-8 character), so that the pieces of a
 * text's tokens are the text. Returns the byte length (which may exceed dst_len: then only
 * dst_len bytes were written), or a negative error. Needs m64_init or m64_init_tokenizer.
 */
EXPORT("m64_decode_piece")
int32_t m64_decode_piece(int32_t prev, int32_t token, int32_t dst, int32_t dst_len) {
    if (!vocab_loaded || token < 0 || token >= cfg.vocab) {
        return E_STATE;
    }
    int32_t n;
    const char *piece = decode(prev, token, &n);
    if (!printable(piece)) {
        return 0;
    }
    memcpy((void *)(intptr_t)dst, piece, (size_t)(n < dst_len ? n : dst_len));
    return n;
}

/** Bytes of weights the guest has loaded so far. */
EXPORT("m64_bytes_loaded")
int64_t m64_bytes_loaded(void) {
    return (int64_t)bytes_loaded;
}

/** Nanoseconds the guest has spent in weight loads so far, by its monotonic clock. */
EXPORT("m64_load_nanos")
int64_t m64_load_nanos(void) {
    return (int64_t)(load_seconds * 1e9);
}

/* ---------------------------------------------------------------- command */

static void usage(void) {
    fprintf(stderr,
            "usage: llama [--prompt TEXT] [--steps N] [--temperature T] [--top-p P] [--seed S]\n"
            "             [--buffer-mib M | --buffer-kib K] [--rope normal|neox]"
#ifndef __wasm32__
            " --model FILE.gguf"
#endif
            "\n");
}

int main(int argc, char **argv) {
    const char *prompt = "";
    int steps = 256;
    float temp = 1.0f, top_p = 0.9f;
    unsigned long long seed = 0;
    int buffer_kib = 64 << 10, flags = 0;
#ifndef __wasm32__
    const char *model = NULL;
#endif
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) {
            usage();
            return 64;
        }
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--prompt") == 0) {
            prompt = v;
        } else if (strcmp(a, "--steps") == 0) {
            steps = atoi(v);
        } else if (strcmp(a, "--temperature") == 0) {
            temp = (float)atof(v);
        } else if (strcmp(a, "--top-p") == 0) {
            top_p = (float)atof(v);
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--buffer-mib") == 0) {
            buffer_kib = atoi(v) << 10;
        } else if (strcmp(a, "--buffer-kib") == 0) {
            buffer_kib = atoi(v);
        } else if (strcmp(a, "--rope") == 0 && strcmp(v, "neox") == 0) {
            flags |= M64_FLAG_ROPE_NEOX;
        } else if (strcmp(a, "--rope") == 0 && strcmp(v, "normal") == 0) {
            flags |= M64_FLAG_ROPE_NORMAL;
#ifndef __wasm32__
        } else if (strcmp(a, "--model") == 0) {
            model = v;
#endif
        } else {
            usage();
            return 64;
        }
    }
#ifndef __wasm32__
    if (!model || memory64_native_open(model) != 0) {
        if (!model) {
            usage();
        }
        return 64;
    }
#endif
    /* run.c's argument rules. */
    if (temp < 0.0f) {
        temp = 0.0f;
    }
    if (top_p < 0.0f || 1.0f < top_p) {
        top_p = 0.9f;
    }
    if (steps < 0) {
        steps = 0;
    }
    if (seed == 0) {
        seed = (unsigned int)time(NULL);
    }
    double t0 = now();
    int r = m64_init(buffer_kib, steps, flags);
    if (r < 0) {
        fprintf(stderr, "llama: init failed: %d\n", r);
        return 1;
    }
    if (steps == 0) {
        steps = max_pos;
    }
    double t_init = now() - t0;
    m64_sampler(temp, top_p, (int64_t)seed);
    int text_len = (int)strlen(prompt);
    int *tokens = malloc((size_t)(text_len + 3) * sizeof(int));
    int n_prompt = tokens ? encode(prompt, text_len, 1, tokens) : E_NO_MEMORY;
    if (n_prompt < 1) {
        fprintf(stderr, "llama: the prompt encodes to no tokens\n");
        return 1;
    }
    double start = now(), first = 0;
    uint64_t loaded0 = bytes_loaded;
    double load0 = load_seconds;
    int token = tokens[0], pos = 0;
    while (pos < steps) {
        if ((r = m64_forward(token, pos)) < 0) {
            fprintf(stderr, "llama: forward failed at position %d: %d\n", pos, r);
            return 1;
        }
        int next = pos < n_prompt - 1 ? tokens[pos + 1] : sample(logits);
        pos++;
        if (next == bos_id) {
            break;
        }
        int len;
        const char *piece = decode(token, next, &len);
        if (printable(piece)) {
            fwrite(piece, 1, (size_t)len, stdout);
            fflush(stdout);
        }
        token = next;
        if (pos == 1) {
            first = now();
        }
    }
    printf("\n");
    fflush(stdout);
    double end = now();
    double secs = end - start;
    fprintf(stderr,
            "llama: %s, %d blocks, dim %d, hidden %d, heads %d/%d, vocab %d, rope %s, init %.3f s\n",
            arch, cfg.n_layers, cfg.dim, cfg.hidden, cfg.n_heads, cfg.n_kv_heads, cfg.vocab,
            cfg.rope_neox ? "neox" : "normal", t_init);
    if (pos > 1) {
        fprintf(stderr, "achieved tok/s: %f\n", (pos - 1) / (end - first));
    }
    fprintf(stderr,
            "generated %d tokens in %.3f s (%.1f tok/s; weights %.4f GB in %.3f s = %.1f%% of the "
            "time), weight buffer %llu KiB\n",
            pos, secs, pos / secs, (bytes_loaded - loaded0) / 1e9, load_seconds - load0,
            100.0 * (load_seconds - load0) / secs, (unsigned long long)(wbuf_size >> 10));
    return 0;
}
