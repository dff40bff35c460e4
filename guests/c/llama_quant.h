/*
 * llama_quant.h: row · vector kernels for the weight types of the llama inference guest.
 *
 * Each kernel takes one row of a weight matrix as it is stored (ggml's block layout for the
 * quantised types, read from ggml's ggml-common.h and ggml-quants.c) and a float vector, and
 * returns their dot product, dequantising block by block on the way: a tensor is never expanded
 * into floats. Each kernel is a small function of its own (never inlined): one giant function
 * runs in the JVM's interpreter under Chicory's compiler (DESIGN.md, "Inference guests").
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef LLAMA_QUANT_H
#define LLAMA_QUANT_H

#include <stdint.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

/* GGML type numbers (ggml.h's enum ggml_type). */
enum {
    GGML_F32 = 0,
    GGML_F16 = 1,
    GGML_Q4_0 = 2,
    GGML_Q5_0 = 6,
    GGML_Q8_0 = 8,
    GGML_Q4_K = 12,
    GGML_Q5_K = 13,
    GGML_Q6_K = 14,
    GGML_BF16 = 30
};

#define QK 32   /* elements per block of Q4_0, Q5_0, Q8_0 */
#define QK_K 256 /* elements per super-block of the K-quants */

/* Block sizes in bytes. */
#define Q4_0_BYTES 18  /* f16 d, 16 bytes of nibbles */
#define Q5_0_BYTES 22  /* f16 d, u32 high bits, 16 bytes of nibbles */
#define Q8_0_BYTES 34  /* f16 d, 32 int8 */
#define Q4_K_BYTES 144 /* f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles */
#define Q5_K_BYTES 176 /* as Q4_K plus 32 bytes of fifth bits before the nibbles */
#define Q6_K_BYTES 210 /* 128 bytes low nibbles, 64 bytes high 2 bits, 16 int8 scales, f16 d */

/* f16 -> f32 for every 16-bit pattern; filled by quant_init. */
static float f16_table[65536];

static float f16_bits_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                mant <<= 1;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static void quant_init(void) {
    for (uint32_t i = 0; i < 65536; i++) {
        f16_table[i] = f16_bits_to_f32((uint16_t)i);
    }
}

static inline float f16_at(const uint8_t *p) {
    return f16_table[(uint16_t)(p[0] | (p[1] << 8))];
}

static inline float bf16_at(const uint8_t *p) {
    uint32_t bits = (uint32_t)(p[0] | (p[1] << 8)) << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Bytes of one row of n elements of a type, or -1 if the type is not supported or n does not
 * fill whole blocks. */
static int64_t row_bytes(int type, int64_t n) {
    switch (type) {
    case GGML_F32: return 4 * n;
    case GGML_F16:
    case GGML_BF16: return 2 * n;
    case GGML_Q4_0: return n % QK ? -1 : n / QK * Q4_0_BYTES;
    case GGML_Q5_0: return n % QK ? -1 : n / QK * Q5_0_BYTES;
    case GGML_Q8_0: return n % QK ? -1 : n / QK * Q8_0_BYTES;
    case GGML_Q4_K: return n % QK_K ? -1 : n / QK_K * Q4_K_BYTES;
    case GGML_Q5_K: return n % QK_K ? -1 : n / QK_K * Q5_K_BYTES;
    case GGML_Q6_K: return n % QK_K ? -1 : n / QK_K * Q6_K_BYTES;
    default: return -1;
    }
}

static const char *type_name(int type) {
    switch (type) {
    case GGML_F32: return "F32";
    case GGML_F16: return "F16";
    case GGML_BF16: return "BF16";
    case GGML_Q4_0: return "Q4_0";
    case GGML_Q5_0: return "Q5_0";
    case GGML_Q8_0: return "Q8_0";
    case GGML_Q4_K: return "Q4_K";
    case GGML_Q5_K: return "Q5_K";
    case GGML_Q6_K: return "Q6_K";
    default: return "unsupported";
    }
}

/* F32 rows accumulate in order, in float, as llama2.c's matmul does: the greedy text of a float
 * model is then the reference's to the byte. */
static NOINLINE float dot_f32(const uint8_t *row, const float *x, int n) {
    const float *w = (const float *)row;
    float sum = 0.0f;
    for (int j = 0; j < n; j++) {
        sum += w[j] * x[j];
    }
    return sum;
}

static NOINLINE float dot_f16(const uint8_t *row, const float *x, int n) {
    const uint16_t *w = (const uint16_t *)row;
    float sum = 0.0f;
    for (int j = 0; j < n; j++) {
        sum += f16_table[w[j]] * x[j];
    }
    return sum;
}

static NOINLINE float dot_bf16(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int j = 0; j < n; j++) {
        sum += bf16_at(row + 2 * j) * x[j];
    }
    return sum;
}

static NOINLINE float dot_q8_0(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK; b++, row += Q8_0_BYTES, x += QK) {
        const int8_t *q = (const int8_t *)(row + 2);
        float s = 0.0f;
        for (int j = 0; j < QK; j++) {
            s += q[j] * x[j];
        }
        sum += s * f16_at(row);
    }
    return sum;
}

static NOINLINE float dot_q4_0(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK; b++, row += Q4_0_BYTES, x += QK) {
        const uint8_t *q = row + 2;
        float s = 0.0f;
        for (int j = 0; j < QK / 2; j++) {
            s += ((q[j] & 0x0f) - 8) * x[j] + ((q[j] >> 4) - 8) * x[j + QK / 2];
        }
        sum += s * f16_at(row);
    }
    return sum;
}

static NOINLINE float dot_q5_0(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK; b++, row += Q5_0_BYTES, x += QK) {
        uint32_t qh;
        memcpy(&qh, row + 2, 4);
        const uint8_t *q = row + 6;
        float s = 0.0f;
        for (int j = 0; j < QK / 2; j++) {
            int lo = (q[j] & 0x0f) | (((qh >> j) << 4) & 0x10);
            int hi = (q[j] >> 4) | ((qh >> (j + 12)) & 0x10);
            s += (lo - 16) * x[j] + (hi - 16) * x[j + QK / 2];
        }
        sum += s * f16_at(row);
    }
    return sum;
}

/* The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block. */
static inline void scale_min_k4(int j, const uint8_t *q, int *sc, int *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

static NOINLINE float dot_q4_k(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK_K; b++, row += Q4_K_BYTES) {
        float d = f16_at(row);
        float dmin = f16_at(row + 2);
        const uint8_t *scales = row + 4;
        const uint8_t *q = row + 16;
        for (int j = 0; j < QK_K / 64; j++, q += 32, x += 64) {
            int sc0, m0, sc1, m1;
            scale_min_k4(2 * j, scales, &sc0, &m0);
            scale_min_k4(2 * j + 1, scales, &sc1, &m1);
            float s0 = 0.0f, s1 = 0.0f, x0 = 0.0f, x1 = 0.0f;
            for (int l = 0; l < 32; l++) {
                s0 += (q[l] & 0x0f) * x[l];
                s1 += (q[l] >> 4) * x[l + 32];
                x0 += x[l];
                x1 += x[l + 32];
            }
            sum += d * (sc0 * s0 + sc1 * s1) - dmin * (m0 * x0 + m1 * x1);
        }
    }
    return sum;
}

static NOINLINE float dot_q5_k(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK_K; b++, row += Q5_K_BYTES) {
        float d = f16_at(row);
        float dmin = f16_at(row + 2);
        const uint8_t *scales = row + 4;
        const uint8_t *qh = row + 16;
        const uint8_t *q = row + 48;
        int u1 = 1, u2 = 2;
        for (int j = 0; j < QK_K / 64; j++, q += 32, x += 64, u1 <<= 2, u2 <<= 2) {
            int sc0, m0, sc1, m1;
            scale_min_k4(2 * j, scales, &sc0, &m0);
            scale_min_k4(2 * j + 1, scales, &sc1, &m1);
            float s0 = 0.0f, s1 = 0.0f, x0 = 0.0f, x1 = 0.0f;
            for (int l = 0; l < 32; l++) {
                s0 += ((q[l] & 0x0f) + (qh[l] & u1 ? 16 : 0)) * x[l];
                s1 += ((q[l] >> 4) + (qh[l] & u2 ? 16 : 0)) * x[l + 32];
                x0 += x[l];
                x1 += x[l + 32];
            }
            sum += d * (sc0 * s0 + sc1 * s1) - dmin * (m0 * x0 + m1 * x1);
        }
    }
    return sum;
}

static NOINLINE float dot_q6_k(const uint8_t *row, const float *x, int n) {
    float sum = 0.0f;
    for (int b = 0; b < n / QK_K; b++, row += Q6_K_BYTES) {
        const uint8_t *ql = row;
        const uint8_t *qh = row + 128;
        const int8_t *sc = (const int8_t *)(row + 192);
        float d = f16_at(row + 208);
        for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, x += 128) {
            float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                s[is + 0] += q1 * x[l];
                s[is + 2] += q2 * x[l + 32];
                s[is + 4] += q3 * x[l + 64];
                s[is + 6] += q4 * x[l + 96];
            }
            float t = 0.0f;
            for (int k = 0; k < 8; k++) {
                t += sc[k] * s[k];
            }
            sum += d * t;
        }
    }
    return sum;
}

typedef float (*dot_fn)(const uint8_t *row, const float *x, int n);

/* One row of any supported type (a direct call per type: a call through a function pointer is a
 * wasm call_indirect, which Chicory's compiler turns into a boxed call through its machine). */
static float dot_row(int type, const uint8_t *row, const float *x, int n) {
    switch (type) {
    case GGML_F32: return dot_f32(row, x, n);
    case GGML_F16: return dot_f16(row, x, n);
    case GGML_BF16: return dot_bf16(row, x, n);
    case GGML_Q4_0: return dot_q4_0(row, x, n);
    case GGML_Q5_0: return dot_q5_0(row, x, n);
    case GGML_Q8_0: return dot_q8_0(row, x, n);
    case GGML_Q4_K: return dot_q4_k(row, x, n);
    case GGML_Q5_K: return dot_q5_k(row, x, n);
    case GGML_Q6_K: return dot_q6_k(row, x, n);
    default: return 0.0f;
    }
}

/*
 * Matrix kernels: out[r] = row r · x for `rows` rows `stride` bytes apart. They compute four rows
 * at a time, each row's sum in exactly the order of its one-row kernel above (so the results are
 * the same to the bit), sharing each load of x between the four: under a wasm runtime on the JVM
 * every load of guest memory is a bounds-checked access that the JIT cannot hoist out of the loop,
 * so loads, not arithmetic, set the pace.
 */
static NOINLINE void matmul_f32(float *out, const uint8_t *w, int stride, const float *x, int n,
                                int rows) {
    int r = 0;
    for (; r + 4 <= rows; r += 4, w += 4 * stride) {
        const float *w0 = (const float *)w;
        const float *w1 = (const float *)(w + stride);
        const float *w2 = (const float *)(w + 2 * stride);
        const float *w3 = (const float *)(w + 3 * stride);
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int j = 0; j < n; j++) {
            float xj = x[j];
            s0 += w0[j] * xj;
            s1 += w1[j] * xj;
            s2 += w2[j] * xj;
            s3 += w3[j] * xj;
        }
        out[r] = s0;
        out[r + 1] = s1;
        out[r + 2] = s2;
        out[r + 3] = s3;
    }
    for (; r < rows; r++, w += stride) {
        out[r] = dot_f32(w, x, n);
    }
}

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Q4_K, four rows at a time: each row's sums as dot_q4_k forms them, the nibbles read four bytes
 * per load, and the sums of x (the same for every row) once for the four. */
static NOINLINE void matmul_q4_k(float *out, const uint8_t *w, int stride, const float *x, int n,
                                 int rows) {
    int r = 0;
    for (; r + 4 <= rows; r += 4, w += 4 * stride) {
        float sum[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        const float *xs = x;
        for (int b = 0; b < n / QK_K; b++) {
            const uint8_t *blk = w + b * Q4_K_BYTES;
            for (int j = 0; j < QK_K / 64; j++, xs += 64) {
                const uint8_t *q0 = blk + 16 + 32 * j;
                const uint8_t *q1 = q0 + stride;
                const uint8_t *q2 = q1 + stride;
                const uint8_t *q3 = q2 + stride;
                float lo0 = 0.0f, lo1 = 0.0f, lo2 = 0.0f, lo3 = 0.0f;
                float hi0 = 0.0f, hi1 = 0.0f, hi2 = 0.0f, hi3 = 0.0f;
                float x0 = 0.0f, x1 = 0.0f;
                for (int l = 0; l < 32; l += 4) {
                    uint32_t v0 = load_u32(q0 + l), v1 = load_u32(q1 + l);
                    uint32_t v2 = load_u32(q2 + l), v3 = load_u32(q3 + l);
                    for (int k = 0; k < 4; k++, v0 >>= 8, v1 >>= 8, v2 >>= 8, v3 >>= 8) {
                        float xl = xs[l + k];
                        float xh = xs[l + k + 32];
                        lo0 += (int)(v0 & 0x0f) * xl;
                        hi0 += (int)((v0 >> 4) & 0x0f) * xh;
                        lo1 += (int)(v1 & 0x0f) * xl;
                        hi1 += (int)((v1 >> 4) & 0x0f) * xh;
                        lo2 += (int)(v2 & 0x0f) * xl;
                        hi2 += (int)((v2 >> 4) & 0x0f) * xh;
                        lo3 += (int)(v3 & 0x0f) * xl;
                        hi3 += (int)((v3 >> 4) & 0x0f) * xh;
                        x0 += xl;
                        x1 += xh;
                    }
                }
                float lo[4] = {lo0, lo1, lo2, lo3};
                float hi[4] = {hi0, hi1, hi2, hi3};
                for (int i = 0; i < 4; i++) {
                    const uint8_t *bi = blk + i * stride;
                    int sc0, m0, sc1, m1;
                    scale_min_k4(2 * j, bi + 4, &sc0, &m0);
                    scale_min_k4(2 * j + 1, bi + 4, &sc1, &m1);
                    sum[i] += f16_at(bi) * (sc0 * lo[i] + sc1 * hi[i])
                              - f16_at(bi + 2) * (m0 * x0 + m1 * x1);
                }
            }
        }
        out[r] = sum[0];
        out[r + 1] = sum[1];
        out[r + 2] = sum[2];
        out[r + 3] = sum[3];
    }
    for (; r < rows; r++, w += stride) {
        out[r] = dot_q4_k(w, x, n);
    }
}

/* Q6_K a row at a time as dot_q6_k forms its sums, its bits read four bytes per load, each half's
 * eight sub-block sums in locals (an array indexed by l / 16 lives in the guest's stack). */
static NOINLINE void matmul_q6_k(float *out, const uint8_t *w, int stride, const float *x, int n,
                                 int rows) {
    for (int r = 0; r < rows; r++, w += stride) {
        float sum = 0.0f;
        const float *xs = x;
        const uint8_t *row = w;
        for (int b = 0; b < n / QK_K; b++, row += Q6_K_BYTES) {
            const uint8_t *ql = row;
            const uint8_t *qh = row + 128;
            const int8_t *sc = (const int8_t *)(row + 192);
            float d = f16_at(row + 208);
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, xs += 128) {
                float s[8];
                for (int is = 0; is < 2; is++) {
                    float a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f;
                    for (int l = 16 * is; l < 16 * is + 16; l += 4) {
                        uint32_t lo = load_u32(ql + l), lo32 = load_u32(ql + l + 32);
                        uint32_t h = load_u32(qh + l);
                        for (int k = 0; k < 4; k++, lo >>= 8, lo32 >>= 8, h >>= 8) {
                            int q1 = (int)((lo & 0x0f) | ((h & 3) << 4)) - 32;
                            int q2 = (int)((lo32 & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
                            int q3 = (int)(((lo >> 4) & 0x0f) | (((h >> 4) & 3) << 4)) - 32;
                            int q4 = (int)(((lo32 >> 4) & 0x0f) | (((h >> 6) & 3) << 4)) - 32;
                            a1 += q1 * xs[l + k];
                            a2 += q2 * xs[l + k + 32];
                            a3 += q3 * xs[l + k + 64];
                            a4 += q4 * xs[l + k + 96];
                        }
                    }
                    s[is + 0] = a1;
                    s[is + 2] = a2;
                    s[is + 4] = a3;
                    s[is + 6] = a4;
                }
                float t = 0.0f;
                for (int k = 0; k < 8; k++) {
                    t += sc[k] * s[k];
                }
                sum += d * t;
            }
        }
        out[r] = sum;
    }
}

/* out[r] = row r · x for any supported type. */
static NOINLINE void matmul_any(int type, float *out, const uint8_t *w, int stride, const float *x,
                                int n, int rows) {
    switch (type) {
    case GGML_F32: matmul_f32(out, w, stride, x, n, rows); return;
    case GGML_Q4_K: matmul_q4_k(out, w, stride, x, n, rows); return;
    case GGML_Q6_K: matmul_q6_k(out, w, stride, x, n, rows); return;
    default: break;
    }
    for (int r = 0; r < rows; r++, w += stride) {
        out[r] = dot_row(type, w, x, n);
    }
}

/* The kernel of a type, or 0 if it is not supported. */
static dot_fn dot_for(int type) {
    switch (type) {
    case GGML_F32: return dot_f32;
    case GGML_F16: return dot_f16;
    case GGML_BF16: return dot_bf16;
    case GGML_Q4_0: return dot_q4_0;
    case GGML_Q5_0: return dot_q5_0;
    case GGML_Q8_0: return dot_q8_0;
    case GGML_Q4_K: return dot_q4_k;
    case GGML_Q5_K: return dot_q5_k;
    case GGML_Q6_K: return dot_q6_k;
    default: return 0;
    }
}

/* Dequantises one row of n elements (an embedding row, a norm's weights): small vectors only. */
static NOINLINE void dequant_row(int type, const uint8_t *row, float *out, int n) {
    /* A dot product with a one-hot vector would be n^2; expand the blocks directly instead, by
     * the same kernels on a unit vector per element only for the quantised types' few blocks. */
    switch (type) {
    case GGML_F32: memcpy(out, row, (size_t)n * 4); return;
    case GGML_F16:
        for (int j = 0; j < n; j++) out[j] = f16_at(row + 2 * j);
        return;
    case GGML_BF16:
        for (int j = 0; j < n; j++) out[j] = bf16_at(row + 2 * j);
        return;
    default: break;
    }
    int block = (type == GGML_Q4_0 || type == GGML_Q5_0 || type == GGML_Q8_0) ? QK : QK_K;
    int64_t bytes = row_bytes(type, block);
    dot_fn dot = dot_for(type);
    float unit[QK_K];
    memset(unit, 0, sizeof unit);
    for (int b = 0; b < n / block; b++) {
        for (int j = 0; j < block; j++) {
            unit[j] = 1.0f;
            out[b * block + j] = dot(row + b * bytes, unit, block);
            unit[j] = 0.0f;
        }
    }
}

#endif /* LLAMA_QUANT_H */
