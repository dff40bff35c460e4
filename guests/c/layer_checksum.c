/*
 * layer_checksum: the example memory64 guest (a WASI command).
 *
 *   layer_checksum <layer-count>
 *
 * For each layer id 0 .. layer-count-1 that the host has, streams the layer through a 16 MiB
 * buffer with memory64_load_layer_range (so a layer larger than this guest's memory works) and
 * prints its memory64 checksum (defined in guests/README.md):
 *
 *   layer <id> size <bytes> checksum <16 lowercase hex digits>
 *   ...
 *   total layers <n> bytes <b>
 *
 * Ids the host answers with LAYER_NOT_FOUND are skipped. Exit status: 0 on success; 1 after
 * "error layer <id> code <code>" on stderr when the host returns any other error code;
 * 2 after "memory64 disabled" on stderr when the host has memory64 disabled; 64 on bad usage.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory64.h"

/* Bytes loaded per call. A multiple of 8, so chunked checksums equal whole-range ones. */
#define CHUNK_SIZE (16u * 1024u * 1024u)

static uint8_t chunk[CHUNK_SIZE];

#define CHECKSUM_BASIS UINT64_C(0xcbf29ce484222325)
#define CHECKSUM_PRIME UINT64_C(0x100000001b3)

/* Folds `len` bytes into the hash as little-endian u64 words, the last one zero-padded. */
static uint64_t checksum_update(uint64_t hash, const uint8_t *bytes, uint32_t len) {
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t word = 0;
        uint32_t n = len - i < 8 ? len - i : 8;
        memcpy(&word, bytes + i, n); /* wasm is little-endian: this is the LE word */
        hash = (hash ^ word) * CHECKSUM_PRIME;
    }
    return hash;
}

_Noreturn static void fail(int32_t layer_id, int64_t code) {
    fprintf(stderr, "error layer %" PRId32 " code %" PRId64 "\n", layer_id, code);
    exit(1);
}

int main(int argc, char **argv) {
    char *end = NULL;
    unsigned long count = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
    if (argc != 2 || end == argv[1] || *end != '\0' || argv[1][0] == '-' || count > INT32_MAX) {
        fprintf(stderr, "usage: layer_checksum <layer-count>\n");
        return 64;
    }
    if (!memory64_is_enabled()) {
        fprintf(stderr, "memory64 disabled\n");
        return 2;
    }

    uint64_t layers = 0;
    uint64_t total_bytes = 0;
    for (int32_t id = 0; (unsigned long)id < count; id++) {
        int64_t size = memory64_layer_size(id);
        if (size == MEMORY64_LAYER_NOT_FOUND) {
            continue;
        }
        if (size < 0) {
            fail(id, size);
        }

        uint64_t hash = CHECKSUM_BASIS;
        for (uint64_t offset = 0; offset < (uint64_t)size;) {
            uint64_t left = (uint64_t)size - offset;
            uint32_t len = left < CHUNK_SIZE ? (uint32_t)left : CHUNK_SIZE;
            int32_t result = memory64_load_layer_range(id, offset, chunk, len);
            if (result < 0) {
                fail(id, result);
            }
            hash = checksum_update(hash, chunk, len);
            offset += len;
        }
        hash ^= (uint64_t)size;

        printf("layer %" PRId32 " size %" PRId64 " checksum %016" PRIx64 "\n", id, size, hash);
        layers++;
        total_bytes += (uint64_t)size;
    }
    printf("total layers %" PRIu64 " bytes %" PRIu64 "\n", layers, total_bytes);
    return 0;
}
