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
 * Tokens and merges stay as the store gives them, in GPT-2's byte-level text (each byte a
 * character, bytes_to_unicode): the values are copied whole into guest memory and two hash tables
 * point into them, so that reading the vocabulary is two copies and two passes; a piece is mapped
 * to byte-level text to be looked up, as llama.cpp does. Decoding a token gives its bytes (a
 * special token its text), so that decoding a text's tokens gives the text back.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MEMORY64_BPE_H
#define MEMORY64_BPE_H

#include "bpe_unicode.h"

#define BPE_NORMAL 1
#define BPE_CONTROL 3
#define BPE_USER_DEFINED 4

/* An open-addressing table of 32-bit hashes and values (value + 1; 0 is empty), indexed by the
 * hash's top bits: a probe compares hashes and follows a pointer only when they are equal. The
 * first of equal keys inserted is the first found, so a duplicate needs no check. */
typedef struct {
    uint32_t *hash, *value;
    uint32_t mask, shift;
} bpe_table;

static int bpe_active;
static const uint8_t **bpe_text; /* each token's text (byte-level for NORMAL), in the raw value */
static int32_t *bpe_len;
static int32_t *bpe_type;
static bpe_table bpe_tokens;     /* NORMAL tokens by their byte-level text */
static const uint8_t *bpe_merges_raw; /* the merges' value: per merge a u64 length, its text */
static uint32_t *bpe_merge_at;    /* merge r's text "left right" (byte-level) in it */
static bpe_table bpe_merges;     /* merge ranks by their text */
static int32_t *bpe_special;     /* CONTROL and USER_DEFINED tokens, longest first */
static int bpe_n_special;
static uint8_t bpe_special_first[32]; /* bit set of the special tokens' first bytes */
static uint8_t bpe_byte_char[256][3]; /* GPT-2's bytes_to_unicode: each byte's character, UTF-8
                                       * (length in [2]) */
static uint8_t bpe_unicode_byte[324]; /* and back: code point (< 324) -> byte + 1 */
static uint8_t *bpe_piece_buf;        /* the last decoded piece */
static int bpe_piece_size;

/* A hash of n bytes, four at a time (the vocabulary's 408,403 strings are hashed when it is
 * read). */
static uint32_t bpe_hash(const uint8_t *s, int n) {
    uint32_t h = 0x9e3779b9u ^ (uint32_t)n, w;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        memcpy(&w, s + i, 4);
        h = (h ^ w) * 0x85ebca6bu;
        h ^= h >> 15;
    }
    for (w = 0; i < n; i++) {
        w = w << 8 | s[i];
    }
    h = (h ^ w) * 0xc2b2ae35u;
    return h ^ (h >> 16);
}

static int bpe_table_init(bpe_table *t, uint64_t n) {
    uint32_t bits = 4;
    while ((1ull << bits) < n + n / 2) { /* at most 2/3 full */
        bits++;
    }
    t->mask = (1u << bits) - 1;
    t->shift = 32 - bits;
    t->hash = malloc(((size_t)t->mask + 1) * sizeof *t->hash);
    t->value = calloc((size_t)t->mask + 1, sizeof *t->value);
    return t->hash && t->value ? 0 : E_NO_MEMORY;
}

static uint32_t bpe_slot(const bpe_table *t, uint32_t h) {
    return (h * 0x9e3779b1u) >> t->shift;
}

static void bpe_table_put(bpe_table *t, uint32_t h, int32_t value) {
    uint32_t i = bpe_slot(t, h);
    while (t->value[i]) {
        i = (i + 1) & t->mask;
    }
    t->hash[i] = h;
    t->value[i] = (uint32_t)value + 1;
}

/* The NORMAL token whose byte-level text is s (n bytes), or -1. */
static int bpe_find(const uint8_t *s, int n) {
    uint32_t h = bpe_hash(s, n);
    for (uint32_t i = bpe_slot(&bpe_tokens, h); bpe_tokens.value[i]; i = (i + 1) & bpe_tokens.mask) {
        int32_t id = (int32_t)bpe_tokens.value[i] - 1;
        if (bpe_tokens.hash[i] == h && bpe_len[id] == n && memcmp(bpe_text[id], s, (size_t)n) == 0) {
            return id;
        }
    }
    return -1;
}

/* The rank of the merge "a b" (la and lb bytes of byte-level text), or -1; pair holds
 * la + lb + 1 bytes. */
static int bpe_rank(const uint8_t *a, int la, const uint8_t *b, int lb, uint8_t *pair) {
    int n = la + lb + 1;
    memcpy(pair, a, (size_t)la);
    pair[la] = ' ';
    memcpy(pair + la + 1, b, (size_t)lb);
    uint32_t h = bpe_hash(pair, n);
    for (uint32_t i = bpe_slot(&bpe_merges, h); bpe_merges.value[i];
         i = (i + 1) & bpe_merges.mask) {
        int32_t r = (int32_t)bpe_merges.value[i] - 1;
        const uint8_t *m = bpe_merges_raw + bpe_merge_at[r];
        uint64_t len;
        memcpy(&len, m - 8, 8);
        if (bpe_merges.hash[i] == h && len == (uint64_t)n && memcmp(m, pair, (size_t)n) == 0) {
            return r;
        }
    }
    return -1;
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

/* GPT-2's bytes_to_unicode: the printable bytes stand for themselves, the others (0-32,
 * 127-160, 173) for U+0100 upwards in order. */
static void bpe_init_bytes(void) {
    int next = 256;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        int cp = printable ? b : next++;
        bpe_unicode_byte[cp] = (uint8_t)(b + 1);
        if (cp < 0x80) {
            bpe_byte_char[b][0] = (uint8_t)cp;
            bpe_byte_char[b][2] = 1;
        } else {
            bpe_byte_char[b][0] = (uint8_t)(0xc0 | cp >> 6);
            bpe_byte_char[b][1] = (uint8_t)(0x80 | (cp & 0x3f));
            bpe_byte_char[b][2] = 2;
        }
    }
}

/* Reads a whole array of strings value into a new allocation (its element count in *n, its
 * size in *size). */
static int bpe_read_strings(const char *key, uint8_t **raw, uint64_t *size, int *n) {
    md_record rec;
    int r = md_info(key, &rec);
    if (r < 0 || rec.type != MD_ARRAY || rec.element_type != MD_STRING
        || rec.count > 0x7fffffff) {
        fprintf(stderr, "llama: no %s (an array of strings)\n", key);
        return r < 0 ? r : E_NO_KEY;
    }
    *n = (int)rec.count;
    *size = rec.size;
    *raw = malloc(rec.size);
    if (!*raw) {
        return E_NO_MEMORY;
    }
    return md_read_all(key, *raw, rec.size);
}

/* The next string of an array of strings encoding (size bytes at raw) from *at: its offset, its
 * length in *len; -1 if the encoding ends inside it. */
static int64_t bpe_next(const uint8_t *raw, uint64_t size, uint64_t *at, int32_t *len) {
    uint64_t l;
    if (size - *at < 8) {
        return -1;
    }
    memcpy(&l, raw + *at, 8);
    *at += 8;
    if (l > size - *at || l > 0x7fffffff) {
        return -1;
    }
    int64_t offset = (int64_t)*at;
    *at += l;
    *len = (int32_t)l;
    return offset;
}

static int bpe_by_length_desc(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return bpe_len[x] != bpe_len[y] ? bpe_len[y] - bpe_len[x] : x - y;
}

/*
 * Reads the vocabulary (tokenizer.ggml.tokens, token_type, merges, bos/eos ids) from the store:
 * the values are copied whole into guest memory, and the tables hold pointers into them.
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
    uint8_t *raw;
    uint64_t size, at = 0;
    int n, n_merges;
    if ((r = bpe_read_strings("tokenizer.ggml.tokens", &raw, &size, &n)) < 0) {
        return r;
    }
    bpe_text = malloc((size_t)n * sizeof *bpe_text);
    bpe_len = malloc((size_t)n * sizeof *bpe_len);
    bpe_type = malloc((size_t)n * sizeof *bpe_type);
    if (!bpe_text || !bpe_len || !bpe_type) {
        return E_NO_MEMORY;
    }
    md_record rec;
    if ((r = md_info("tokenizer.ggml.token_type", &rec)) == 0 && rec.type == MD_ARRAY
        && rec.element_type == MD_I32 && rec.count == (uint64_t)n) {
        if ((r = md_read_all("tokenizer.ggml.token_type", bpe_type, rec.size)) < 0) {
            return r;
        }
    } else {
        for (int i = 0; i < n; i++) {
            bpe_type[i] = BPE_NORMAL;
        }
    }
    if ((r = bpe_table_init(&bpe_tokens, (uint64_t)n)) < 0) {
        return r;
    }
    bpe_n_special = 0;
    for (int i = 0; i < n; i++) {
        int64_t offset = bpe_next(raw, size, &at, &bpe_len[i]);
        if (offset < 0) {
            return E_NO_KEY;
        }
        bpe_text[i] = raw + offset;
        if (bpe_type[i] == BPE_NORMAL) {
            bpe_table_put(&bpe_tokens, bpe_hash(bpe_text[i], bpe_len[i]), i);
        } else if ((bpe_type[i] == BPE_CONTROL || bpe_type[i] == BPE_USER_DEFINED)
                   && bpe_len[i] > 0) {
            bpe_n_special++;
        }
    }
    bpe_special = malloc(((size_t)bpe_n_special + 1) * sizeof *bpe_special);
    if (!bpe_special) {
        return E_NO_MEMORY;
    }
    bpe_n_special = 0;
    memset(bpe_special_first, 0, sizeof bpe_special_first);
    for (int i = 0; i < n; i++) {
        if ((bpe_type[i] == BPE_CONTROL || bpe_type[i] == BPE_USER_DEFINED) && bpe_len[i] > 0) {
            bpe_special[bpe_n_special++] = i;
            bpe_special_first[bpe_text[i][0] >> 3] |= (uint8_t)(1 << (bpe_text[i][0] & 7));
        }
    }
    qsort(bpe_special, (size_t)bpe_n_special, sizeof *bpe_special, bpe_by_length_desc);

    /* Merges "left right" in rank order, byte-level text: each by the hash of its text. */
    if ((r = bpe_read_strings("tokenizer.ggml.merges", &raw, &size, &n_merges)) < 0
        || (r = bpe_table_init(&bpe_merges, (uint64_t)n_merges)) < 0) {
        return r;
    }
    bpe_merges_raw = raw;
    bpe_merge_at = malloc((size_t)n_merges * sizeof *bpe_merge_at);
    if (!bpe_merge_at || size > 0xffffffffu) {
        return bpe_merge_at ? E_NO_KEY : E_NO_MEMORY;
    }
    at = 0;
    for (int m = 0; m < n_merges; m++) {
        int32_t len;
        int64_t offset = bpe_next(raw, size, &at, &len);
        if (offset < 0) {
            return E_NO_KEY;
        }
        bpe_merge_at[m] = (uint32_t)offset;
        bpe_table_put(&bpe_merges, bpe_hash(raw + offset, len), m);
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
    *n_vocab = n;
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
 * count. buf holds 4 * len + 1 bytes, work 3 * len ints. */
static int bpe_word(const uint8_t *s, int len, int32_t *tokens, int n, uint8_t *buf,
                    int32_t *work) {
    /* The piece's byte-level text, each byte's character a symbol. */
    int32_t *at = work, *sl = work + len, *rank = work + 2 * len;
    uint8_t *pair = buf + 2 * len;
    int w = 0, m = 0;
    for (int i = 0; i < len; i++) {
        const uint8_t *c = bpe_byte_char[s[i]];
        at[m] = w;
        sl[m++] = c[2];
        buf[w++] = c[0];
        if (c[2] == 2) {
            buf[w++] = c[1];
        }
    }
    int id = bpe_find(buf, w);
    if (id >= 0) { /* the whole piece is a token (ignore_merges) */
        tokens[n++] = id;
        return n;
    }
    for (int i = 0; i + 1 < m; i++) {
        rank[i] = bpe_rank(buf + at[i], sl[i], buf + at[i + 1], sl[i + 1], pair);
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
        sl[best] += sl[best + 1]; /* adjacent spans of buf */
        int tail = m - best - 2;
        memmove(at + best + 1, at + best + 2, (size_t)tail * sizeof *at);
        memmove(sl + best + 1, sl + best + 2, (size_t)tail * sizeof *sl);
        memmove(rank + best + 1, rank + best + 2, (size_t)(tail > 0 ? tail - 1 : 0) * sizeof *rank);
        m--;
        if (best > 0) {
            rank[best - 1] = bpe_rank(buf + at[best - 1], sl[best - 1], buf + at[best], sl[best], pair);
        }
        if (best + 1 < m) {
            rank[best] = bpe_rank(buf + at[best], sl[best], buf + at[best + 1], sl[best + 1], pair);
        }
    }
    for (int i = 0; i < m; i++) {
        id = bpe_find(buf + at[i], sl[i]);
        if (id >= 0) {
            tokens[n++] = id;
        }
    }
    return n;
}

/* Pre-tokenizes and encodes len bytes at s (no special tokens in it). */
static int bpe_fragment(const uint8_t *s, int len, int32_t *tokens, int n, bpe_char *c,
                        uint8_t *buf, int32_t *work) {
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
        n = bpe_word(s + from, to - from, tokens, n, buf, work);
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
    uint8_t *buf = malloc((size_t)len * 4 + 1);
    int32_t *work = malloc(((size_t)len + 1) * 3 * sizeof *work);
    if (!c || !buf || !work) {
        free(c);
        free(buf);
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
        n = bpe_fragment(s + start, i - start, tokens, n, c, buf, work);
        tokens[n++] = id;
        i += bpe_len[id];
        start = i;
    }
    n = bpe_fragment(s + start, len - start, tokens, n, c, buf, work);
    free(c);
    free(buf);
    free(work);
    return n;
}

/* A token's bytes, *len of them (NUL-terminated besides), valid until the next call: a NORMAL
 * token's byte-level text mapped back to bytes (a character outside the mapping kept as it is),
 * another token's text as it is. */
static const char *bpe_piece(int token, int *len) {
    const uint8_t *t = bpe_text[token];
    int n = bpe_len[token];
    if (n + 1 > bpe_piece_size) {
        uint8_t *grown = realloc(bpe_piece_buf, (size_t)n + 1);
        if (!grown) {
            *len = 0;
            return "";
        }
        bpe_piece_buf = grown;
        bpe_piece_size = n + 1;
    }
    int w = 0;
    for (int i = 0; i < n;) {
        int l;
        uint32_t cp = bpe_utf8(t + i, n - i, &l);
        if (bpe_type[token] == BPE_NORMAL && cp < sizeof bpe_unicode_byte && bpe_unicode_byte[cp]) {
            bpe_piece_buf[w++] = (uint8_t)(bpe_unicode_byte[cp] - 1);
        } else {
            memcpy(bpe_piece_buf + w, t + i, (size_t)l);
            w += l;
        }
        i += l;
    }
    bpe_piece_buf[w] = 0;
    *len = w;
    return (const char *)bpe_piece_buf;
}

#endif
