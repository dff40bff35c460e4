/*
 * bpe.h: GPT-2 byte-level BPE with the Llama 3 pre-tokenizer, for llama.c
 * (tokenizer.ggml.model = "gpt2", tokenizer.ggml.pre = "llama-bpe"), included by llama.c after
 * its metadata helpers (md_info, md_read_all, md_int) and error codes.
 *
 * Encoding, as llama.cpp's llm_tokenizer_bpe and Hugging Face's tokenizers do it:
 *   1. special tokens: the text of every CONTROL or USER_DEFINED token (<|begin_of_text|>, ...)
 *      found in the text becomes that token, longest first at each position (llama.cpp's
 *      parse_special = true, which llama-cli and llama-server use for prompts; Hugging Face's
 *      added tokens); the text between is pre-tokenized;
 *   2. the pre-tokenizer splits it by Llama 3's regex, implemented by hand over UTF-8:
 *        (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 *        | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *      with \p{L} and \p{N} from bpe_unicode.h (generated from the JDK's Character) and \s the
 *      Unicode White_Space property (as llama.cpp's unicode tables and the Rust regex have it);
 *   3. each piece that is a token whole is that token (Llama 3's ignore_merges); otherwise its
 *      bytes, each its byte-level token, merge pairwise, the pair of lowest merge rank first (the
 *      leftmost among equals), until no adjacent pair has a merge.
 * Tokens are held as raw bytes: a NORMAL token's text is GPT-2's byte-to-unicode mapping of its
 * bytes and is mapped back when the vocabulary is read; other tokens' text is taken as it is.
 * Decoding a token gives its bytes (a special token its text), so that decoding a text's tokens
 * gives the text back.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MEMORY64_BPE_H
#define MEMORY64_BPE_H

#include "bpe_unicode.h"

#define BPE_NORMAL 1
#define BPE_CONTROL 3
#define BPE_USER_DEFINED 4

typedef struct {
    int32_t *ids;   /* open addressing: token id, or -1 empty */
    uint32_t mask;
} bpe_table;

static int bpe_active;
static int bpe_n;                 /* tokens */
static const uint8_t **bpe_text;  /* each token's bytes, NUL-terminated (one allocation) */
static int32_t *bpe_len;
static int32_t *bpe_type;
static bpe_table bpe_tokens;      /* NORMAL tokens by their bytes */
static int32_t bpe_byte[256];     /* the token of each single byte, or -1 */
static int32_t *bpe_special;      /* CONTROL and USER_DEFINED tokens, longest first */
static int bpe_n_special;
static uint8_t bpe_special_first[32]; /* bit set of the special tokens' first bytes */
static uint64_t *bpe_merge_key;   /* (left << 32 | right) + 1, 0 empty */
static int32_t *bpe_merge_rank, *bpe_merge_result;
static uint32_t bpe_merge_mask;
static uint8_t bpe_unicode_byte[324]; /* GPT-2's mapping back: code point (< 324) -> byte + 1 */

static uint32_t bpe_hash(const uint8_t *s, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = (h ^ s[i]) * 16777619u;
    }
    return h;
}

static uint32_t bpe_hash64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)k;
}

static int bpe_find(const uint8_t *s, int n) {
    for (uint32_t i = bpe_hash(s, n) & bpe_tokens.mask;; i = (i + 1) & bpe_tokens.mask) {
        int32_t id = bpe_tokens.ids[i];
        if (id < 0) {
            return -1;
        }
        if (bpe_len[id] == n && memcmp(bpe_text[id], s, (size_t)n) == 0) {
            return id;
        }
    }
}

/* The merge of (left, right): its rank, and the merged token in *result; -1 if none. */
static int bpe_rank(int32_t left, int32_t right, int32_t *result) {
    uint64_t key = ((uint64_t)(uint32_t)left << 32 | (uint32_t)right) + 1;
    for (uint32_t i = bpe_hash64(key) & bpe_merge_mask;; i = (i + 1) & bpe_merge_mask) {
        if (bpe_merge_key[i] == key) {
            *result = bpe_merge_result[i];
            return bpe_merge_rank[i];
        }
        if (bpe_merge_key[i] == 0) {
            return -1;
        }
    }
}

static uint32_t bpe_table_size(uint64_t n) {
    uint32_t size = 16;
    while (size < 2 * n) {
        size <<= 1;
    }
    return size;
}

/* One UTF-8 code point at s (n bytes left): its value, its length in *len; an invalid or
 * truncated sequence is one byte, U+FFFD. */
static uint32_t bpe_utf8(const uint8_t *s, int n, int *len) {
    uint8_t c = s[0];
    int need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2
             : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    *len = 1;
    if (need == 0) {
        return c;
    }
    if (need < 0 || need >= n) {
        return 0xfffd;
    }
    uint32_t cp = c & (0x3f >> need);
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0xfffd;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
        return 0xfffd;
    }
    *len = need + 1;
    return cp;
}

/* GPT-2's bytes_to_unicode, inverted: the printable bytes stand for themselves, the others
 * (0-32, 127-160, 173) for U+0100 upwards in order. */
static void bpe_init_bytes(void) {
    int next = 256;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        bpe_unicode_byte[printable ? b : next++] = (uint8_t)(b + 1);
    }
}

/* Maps a token's byte-level text (len bytes at s) to its bytes in place; returns the new
 * length, or -1 if a character is not one of the mapping's (the text is left as it is). */
static int bpe_unmap(uint8_t *s, int len) {
    int w = 0;
    for (int i = 0; i < len;) {
        int n;
        uint32_t cp = bpe_utf8(s + i, len - i, &n);
        if (cp >= sizeof bpe_unicode_byte || bpe_unicode_byte[cp] == 0) {
            return -1;
        }
        i += n;
        w++;
    }
    w = 0;
    for (int i = 0; i < len;) {
        int n;
        uint32_t cp = bpe_utf8(s + i, len - i, &n);
        s[w++] = (uint8_t)(bpe_unicode_byte[cp] - 1);
        i += n;
    }
    return w;
}

/* Reads one string of an array of strings encoding (u64 length, bytes) at *at; 0 at its end. */
static int bpe_next_string(const uint8_t *raw, uint64_t size, uint64_t *at, uint8_t **s,
                           uint64_t *len) {
    if (*at + 8 > size) {
        return E_NO_KEY;
    }
    memcpy(len, raw + *at, 8);
    *at += 8;
    if (*len > size - *at || *len > 0x7fffffff) {
        return E_NO_KEY;
    }
    *s = (uint8_t *)raw + *at;
    *at += *len;
    return 0;
}

/* Reads a whole array of strings value (its element count in *count) into a new allocation,
 * with a spare byte at the end. */
static int bpe_read_strings(const char *key, uint8_t **raw, md_record *rec) {
    int r = md_info(key, rec);
    if (r < 0 || rec->type != MD_ARRAY || rec->element_type != MD_STRING
        || rec->count > 0x7fffffff) {
        fprintf(stderr, "llama: no %s (an array of strings)\n", key);
        return r < 0 ? r : E_NO_KEY;
    }
    *raw = malloc(rec->size + 1);
    if (!*raw) {
        return E_NO_MEMORY;
    }
    return md_read_all(key, *raw, rec->size);
}

static int bpe_by_length_desc(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return bpe_len[x] != bpe_len[y] ? bpe_len[y] - bpe_len[x] : x - y;
}

/*
 * Reads the vocabulary (tokenizer.ggml.tokens, token_type, merges, bos/eos ids) from the store.
 * Returns 0 with the vocabulary's size in *n_vocab, or a negative error.
 */
static int bpe_load(int *n_vocab, int *bos, int *eos) {
    char pre[32];
    int r;
    if ((r = md_string("tokenizer.ggml.pre", pre, sizeof pre)) < 0) {
        return r;
    }
    if (strcmp(pre, "llama-bpe") != 0 && strcmp(pre, "llama3") != 0) {
        fprintf(stderr, "llama: tokenizer.ggml.pre \"%s\" is not supported (only \"llama-bpe\")\n",
                pre);
        return E_TOKENIZER;
    }
    bpe_init_bytes();
    md_record rec;
    uint8_t *raw;
    if ((r = bpe_read_strings("tokenizer.ggml.tokens", &raw, &rec)) < 0) {
        return r;
    }
    int n = (int)rec.count;
    uint64_t at = 0, size = rec.size;
    bpe_text = malloc((size_t)n * sizeof *bpe_text);
    bpe_len = malloc((size_t)n * sizeof *bpe_len);
    bpe_type = malloc((size_t)n * sizeof *bpe_type);
    if (!bpe_text || !bpe_len || !bpe_type) {
        return E_NO_MEMORY;
    }
    for (int i = 0; i < n; i++) {
        bpe_type[i] = BPE_NORMAL;
    }
    if ((r = md_info("tokenizer.ggml.token_type", &rec)) == 0 && rec.type == MD_ARRAY
        && rec.element_type == MD_I32 && rec.count == (uint64_t)n) {
        if ((r = md_read_all("tokenizer.ggml.token_type", bpe_type, rec.size)) < 0) {
            return r;
        }
    }
    /* Each token in place: its u64 length becomes room for the terminator of the one before. */
    bpe_n_special = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *s;
        uint64_t len;
        if ((r = bpe_next_string(raw, size, &at, &s, &len)) < 0) {
            return r;
        }
        uint8_t *text = s - 1; /* overwrites the length's last byte */
        memmove(text, s, len);
        int w = (int)len;
        if (bpe_type[i] == BPE_NORMAL && (w = bpe_unmap(text, (int)len)) < 0) {
            w = (int)len;
        }
        text[w] = 0;
        bpe_text[i] = text;
        bpe_len[i] = w;
        if ((bpe_type[i] == BPE_CONTROL || bpe_type[i] == BPE_USER_DEFINED) && w > 0) {
            bpe_n_special++;
        }
    }
    raw[size] = 0; /* the last token's terminator */
    uint32_t tsize = bpe_table_size((uint64_t)n);
    bpe_tokens.ids = malloc(tsize * sizeof *bpe_tokens.ids);
    bpe_special = malloc(((size_t)bpe_n_special + 1) * sizeof *bpe_special);
    if (!bpe_tokens.ids || !bpe_special) {
        return E_NO_MEMORY;
    }
    memset(bpe_tokens.ids, 0xff, tsize * sizeof *bpe_tokens.ids);
    bpe_tokens.mask = tsize - 1;
    bpe_n_special = 0;
    memset(bpe_special_first, 0, sizeof bpe_special_first);
    for (int i = 0; i < n; i++) {
        if (bpe_type[i] == BPE_CONTROL || bpe_type[i] == BPE_USER_DEFINED) {
            if (bpe_len[i] > 0) {
                bpe_special[bpe_n_special++] = i;
                bpe_special_first[bpe_text[i][0] >> 3] |= (uint8_t)(1 << (bpe_text[i][0] & 7));
            }
            continue;
        }
        if (bpe_type[i] != BPE_NORMAL) {
            continue;
        }
        uint32_t j = bpe_hash(bpe_text[i], bpe_len[i]) & bpe_tokens.mask;
        for (; bpe_tokens.ids[j] >= 0; j = (j + 1) & bpe_tokens.mask) {
            int32_t o = bpe_tokens.ids[j];
            if (bpe_len[o] == bpe_len[i] && memcmp(bpe_text[o], bpe_text[i], bpe_len[i]) == 0) {
                break; /* a duplicate: the first id wins */
            }
        }
        if (bpe_tokens.ids[j] < 0) {
            bpe_tokens.ids[j] = i;
        }
    }
    qsort(bpe_special, (size_t)bpe_n_special, sizeof *bpe_special, bpe_by_length_desc);
    for (int b = 0; b < 256; b++) {
        uint8_t c = (uint8_t)b;
        bpe_byte[b] = bpe_find(&c, 1);
    }

    /* Merges "left right", in rank order, both sides byte-level text. */
    if ((r = bpe_read_strings("tokenizer.ggml.merges", &raw, &rec)) < 0) {
        return r;
    }
    uint32_t msize = bpe_table_size(rec.count);
    bpe_merge_key = calloc(msize, sizeof *bpe_merge_key);
    bpe_merge_rank = malloc(msize * sizeof *bpe_merge_rank);
    bpe_merge_result = malloc(msize * sizeof *bpe_merge_result);
    if (!bpe_merge_key || !bpe_merge_rank || !bpe_merge_result) {
        return E_NO_MEMORY;
    }
    bpe_merge_mask = msize - 1;
    at = 0;
    size = rec.size;
    int skipped = 0;
    for (uint64_t m = 0; m < rec.count; m++) {
        uint8_t *s;
        uint64_t len;
        if ((r = bpe_next_string(raw, size, &at, &s, &len)) < 0) {
            return r;
        }
        uint8_t *space = memchr(s + 1, ' ', len > 1 ? len - 1 : 0);
        if (!space) {
            return E_NO_KEY;
        }
        /* Both sides mapped to bytes, the right one moved up against the left. */
        int la = bpe_unmap(s, (int)(space - s));
        int lb = bpe_unmap(space + 1, (int)(len - (uint64_t)(space + 1 - s)));
        if (la < 0 || lb < 0) {
            skipped++;
            continue;
        }
        memmove(s + la, space + 1, (size_t)lb);
        int32_t left = bpe_find(s, la), right = bpe_find(s + la, lb), result = bpe_find(s, la + lb);
        if (left < 0 || right < 0 || result < 0) {
            skipped++;
            continue;
        }
        uint64_t key = ((uint64_t)(uint32_t)left << 32 | (uint32_t)right) + 1;
        uint32_t j = bpe_hash64(key) & bpe_merge_mask;
        while (bpe_merge_key[j] != 0 && bpe_merge_key[j] != key) {
            j = (j + 1) & bpe_merge_mask;
        }
        if (bpe_merge_key[j] == 0) { /* a repeated merge keeps its first rank */
            bpe_merge_key[j] = key;
            bpe_merge_rank[j] = (int32_t)m;
            bpe_merge_result[j] = result;
        }
    }
    free(raw);
    if (skipped) {
        fprintf(stderr, "llama: warning: %d merges name no tokens and are ignored\n", skipped);
    }
    int64_t v;
    if ((r = md_int("tokenizer.ggml.bos_token_id", -1, &v)) < 0) {
        return r;
    }
    *bos = (int)v;
    if ((r = md_int("tokenizer.ggml.eos_token_id", -1, &v)) < 0) {
        return r;
    }
    *eos = (int)v;
    *n_vocab = bpe_n = n;
    bpe_active = 1;
    return 0;
}

/* ---------------------------------------------------------------- pre-tokenizer */

enum { BPE_OTHER, BPE_LETTER, BPE_NUMBER };

static int bpe_class(uint32_t cp) {
    if (cp < 0x80) {
        return (cp | 0x20) - 'a' < 26 ? BPE_LETTER : cp - '0' < 10 ? BPE_NUMBER : BPE_OTHER;
    }
    uint32_t key = cp << 2 | 3;
    int lo = 0, hi = BPE_UNICODE_RUNS - 1; /* the last run starting at or before cp */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (bpe_unicode_runs[mid] <= key) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return (int)(bpe_unicode_runs[lo] & 3);
}

/* Unicode's White_Space. */
static int bpe_space(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680
           || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f
           || cp == 0x205f || cp == 0x3000;
}

/* A code point of the text being split, with its class and where its bytes start. */
typedef struct {
    uint32_t cp;
    int32_t at;
    uint8_t cls, space;
} bpe_char;

static int bpe_lower(uint32_t cp) {
    return cp == 0x17f ? 's' : cp < 0x80 ? (int)(cp | 0x20) : -1; /* ſ folds to s */
}

/* The end (exclusive) of the pre-tokenizer's match at c[i], of n characters. */
static int bpe_match(const bpe_char *c, int i, int n) {
    uint32_t cp = c[i].cp;
    /* (?i:'s|'t|'re|'ve|'m|'ll|'d) */
    if (cp == '\'' && i + 1 < n) {
        int a = bpe_lower(c[i + 1].cp), b = i + 2 < n ? bpe_lower(c[i + 2].cp) : -1;
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return i + 2;
        }
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
            return i + 3;
        }
    }
    /* [^\r\n\p{L}\p{N}]?\p{L}+ */
    int j = i;
    if (c[j].cls != BPE_LETTER && c[j].cls != BPE_NUMBER && cp != '\r' && cp != '\n' && j + 1 < n
        && c[j + 1].cls == BPE_LETTER) {
        j++;
    }
    if (c[j].cls == BPE_LETTER) {
        while (j < n && c[j].cls == BPE_LETTER) {
            j++;
        }
        return j;
    }
    /* \p{N}{1,3} */
    if (c[i].cls == BPE_NUMBER) {
        for (j = i; j < n && j < i + 3 && c[j].cls == BPE_NUMBER; j++) {
        }
        return j;
    }
    /* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
    j = i + (cp == ' ' && i + 1 < n && !c[i + 1].space && c[i + 1].cls == BPE_OTHER);
    if (!c[j].space && c[j].cls == BPE_OTHER) {
        while (j < n && !c[j].space && c[j].cls == BPE_OTHER) {
            j++;
        }
        while (j < n && (c[j].cp == '\r' || c[j].cp == '\n')) {
            j++;
        }
        return j;
    }
    /* \s*[\r\n]+ | \s+(?!\S) | \s+ : c[i] is white space here */
    int end = i, last_newline = -1;
    while (end < n && c[end].space) {
        if (c[end].cp == '\r' || c[end].cp == '\n') {
            last_newline = end;
        }
        end++;
    }
    if (last_newline >= 0) {
        return last_newline + 1;
    }
    if (end == n || end - i == 1) {
        return end;
    }
    return end - 1;
}

/* ---------------------------------------------------------------- encode, decode */

/* Appends the tokens of one pre-tokenized piece (len bytes at s) at tokens[n]; returns the new
 * count. work holds len ids and len ranks. */
static int bpe_word(const uint8_t *s, int len, int32_t *tokens, int n, int32_t *work) {
    int id = bpe_find(s, len);
    if (id >= 0) {
        tokens[n++] = id;
        return n;
    }
    int32_t *sym = work, *rank = work + len, result;
    int m = 0;
    for (int i = 0; i < len; i++) {
        sym[m++] = bpe_byte[s[i]];
    }
    for (int i = 0; i + 1 < m; i++) {
        rank[i] = sym[i] >= 0 && sym[i + 1] >= 0 ? bpe_rank(sym[i], sym[i + 1], &result) : -1;
    }
    for (;;) {
        int best = -1;
        for (int i = 0; i + 1 < m; i++) {
            if (rank[i] >= 0 && (best < 0 || rank[i] < rank[best])) {
                best = i;
            }
        }
        if (best < 0) {
            break;
        }
        bpe_rank(sym[best], sym[best + 1], &result);
        sym[best] = result;
        memmove(sym + best + 1, sym + best + 2, (size_t)(m - best - 2) * sizeof *sym);
        memmove(rank + best + 1, rank + best + 2,
                (size_t)(m - best - 2 > 0 ? m - best - 3 : 0) * sizeof *rank);
        m--;
        if (best > 0) {
            rank[best - 1] = bpe_rank(sym[best - 1], sym[best], &result);
        }
        if (best + 1 < m) {
            rank[best] = bpe_rank(sym[best], sym[best + 1], &result);
        }
    }
    for (int i = 0; i < m; i++) {
        if (sym[i] >= 0) {
            tokens[n++] = sym[i];
        }
    }
    return n;
}

/* Pre-tokenizes and encodes len bytes at s (no special tokens in it). */
static int bpe_fragment(const uint8_t *s, int len, int32_t *tokens, int n, bpe_char *c,
                        int32_t *work) {
    int count = 0;
    for (int at = 0; at < len;) {
        int l;
        uint32_t cp = bpe_utf8(s + at, len - at, &l);
        c[count].cp = cp;
        c[count].at = at;
        c[count].cls = (uint8_t)bpe_class(cp);
        c[count].space = (uint8_t)bpe_space(cp);
        count++;
        at += l;
    }
    for (int i = 0; i < count;) {
        int j = bpe_match(c, i, count);
        int from = c[i].at, to = j < count ? c[j].at : len;
        n = bpe_word(s + from, to - from, tokens, n, work);
        i = j;
    }
    return n;
}

/* The special token whose text starts at s (len bytes left), the longest; -1 if none. */
static int bpe_special_at(const uint8_t *s, int len) {
    if (!(bpe_special_first[s[0] >> 3] & (1 << (s[0] & 7)))) {
        return -1;
    }
    for (int k = 0; k < bpe_n_special; k++) {
        int id = bpe_special[k];
        if (bpe_len[id] <= len && memcmp(bpe_text[id], s, (size_t)bpe_len[id]) == 0) {
            return id;
        }
    }
    return -1;
}

/* Encodes len bytes of text into tokens (bos first unless negative), at most len + 1 ids.
 * Returns the token count, or a negative error. */
static int bpe_encode(const char *text, int len, int bos, int32_t *tokens) {
    const uint8_t *s = (const uint8_t *)text;
    int n = 0;
    if (bos >= 0) {
        tokens[n++] = bos;
    }
    bpe_char *c = malloc(((size_t)len + 1) * sizeof *c);
    int32_t *work = malloc(((size_t)len + 1) * 2 * sizeof *work);
    if (!c || !work) {
        free(c);
        free(work);
        return E_NO_MEMORY;
    }
    int start = 0;
    for (int i = 0; i < len;) {
        int id = bpe_n_special > 0 ? bpe_special_at(s + i, len - i) : -1;
        if (id < 0) {
            i++;
            continue;
        }
        n = bpe_fragment(s + start, i - start, tokens, n, c, work);
        tokens[n++] = id;
        i += bpe_len[id];
        start = i;
    }
    n = bpe_fragment(s + start, len - start, tokens, n, c, work);
    free(c);
    free(work);
    return n;
}

/* A token's bytes (*len of them; NUL-terminated besides). */
static const char *bpe_piece(int token, int *len) {
    *len = bpe_len[token];
    return (const char *)bpe_text[token];
}

#endif
