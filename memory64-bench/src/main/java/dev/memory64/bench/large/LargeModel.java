package dev.memory64.bench.large;

import dev.memory64.bench.support.LlamaTensors;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The large model {@code scripts/stream-large.sh} streams: a llama shape at Q4_K with a full-size
 * tokenizer, either sparse (every tensor a hole: written in well under a second whatever its size)
 * or with pseudo-random weights (real bytes on disk, to read from the disk).
 *
 * @param blocks transformer blocks
 * @param embedding embedding length
 * @param feedForward feed-forward length
 * @param vocabulary tokens
 * @param merges tokenizer merges
 * @param sparse whether the weights are holes
 */
record LargeModel(
        int blocks, long embedding, long feedForward, int vocabulary, int merges, boolean sparse) {

    /** Written to {@link #VERSION_KEY}; a file with another value is rewritten. */
    static final int VERSION = 1;

    static final String VERSION_KEY = "memory64.large.version";

    /** The 405B-class shape: 126 blocks, dim 16384, ff 53248, vocab 128256; 264 GB at Q4_K. */
    static LargeModel llama405b() {
        return new LargeModel(126, 16384, 53248, 128256, 280147, true);
    }

    /** The same shape with pseudo-random weights and as many blocks as fit in about {@code gb}. */
    static LargeModel realData(long gb) {
        long e = 16384;
        long ff = 53248;
        long perBlock =
                4 * GgmlType.Q4_K.byteSize(e, e)
                        + 3 * GgmlType.Q4_K.byteSize(e, ff)
                        + 2 * GgmlType.F32.byteSize(e);
        // Embeddings, output and its norm, and room for the header with its tokenizer.
        long fixed = 2 * GgmlType.Q4_K.byteSize(e, 128256) + GgmlType.F32.byteSize(e) + (16L << 20);
        long blocks = Math.max(1, (gb * 1_000_000_000L - fixed) / perBlock);
        return new LargeModel((int) Math.min(blocks, 126), e, ff, 128256, 280147, false);
    }

    String fileName() {
        return sparse
                ? "llama-405b-class-q4k-sparse.gguf"
                : "llama-" + blocks + "blk-q4k-real.gguf";
    }

    /** The model's writer. */
    GgufWriter writer() {
        return writer(new AtomicLong());
    }

    private GgufWriter writer(AtomicLong written) {
        GgufWriter.Builder b =
                LlamaTensors.builder(
                                "memory64 large stream", blocks, 131072, embedding, feedForward)
                        .addMetadata("llama.vocab_size", GgufValue.uint32(vocabulary))
                        .addMetadata(VERSION_KEY, GgufValue.uint32(VERSION));
        tokenizer(b);
        LlamaTensors.add(
                sparse ? b::addSparseTensor : LlamaTensors.pseudoRandom(b, written),
                GgmlType.Q4_K,
                blocks,
                embedding,
                feedForward,
                vocabulary);
        return b.build();
    }

    /** A tokenizer of the full size: tokens with scores and types, and merges. */
    private void tokenizer(GgufWriter.Builder b) {
        List<String> tokens = new ArrayList<>(vocabulary);
        List<GgufValue> scores = new ArrayList<>(vocabulary);
        List<GgufValue> types = new ArrayList<>(vocabulary);
        for (int i = 0; i < vocabulary; i++) {
            tokens.add(
                    i < 256
                            ? String.format(java.util.Locale.ROOT, "<0x%02X>", i)
                            : "tok" + Integer.toString(i, 36));
            scores.add(GgufValue.float32(-i));
            types.add(GgufValue.int32(i < 256 ? 6 : 1));
        }
        List<String> merged = new ArrayList<>(merges);
        for (int i = 0; i < merges; i++) {
            merged.add("m" + Integer.toString(i % 4096, 36) + " " + Integer.toString(i, 36));
        }
        b.addMetadata("tokenizer.ggml.model", GgufValue.string("gpt2"))
                .addMetadata("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                .addMetadata(
                        "tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores))
                .addMetadata(
                        "tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types))
                .addMetadata("tokenizer.ggml.merges", GgufValue.stringArray(merged));
    }

    /**
     * Returns the model in {@code dir}, writing it (to a temporary name, then moved) unless a file
     * of this version and size is there.
     *
     * @return the path and the seconds spent writing (0 when reused)
     */
    Written ensure(Path dir, AtomicLong written) throws IOException {
        Path target = dir.resolve(fileName());
        GgufWriter writer = writer(written);
        if (Files.isRegularFile(target) && problem(target, writer).isEmpty()) {
            return new Written(target, 0, false);
        }
        Files.createDirectories(dir);
        long needed = sparse ? 64L << 20 : writer.fileSize() + (64L << 20);
        long usable = Files.getFileStore(dir).getUsableSpace();
        if (usable < needed) {
            throw new IOException(
                    "not enough free disk space in "
                            + dir
                            + ": "
                            + needed
                            + " bytes needed, "
                            + usable
                            + " free");
        }
        Path temporary = dir.resolve(fileName() + "." + ProcessHandle.current().pid() + ".tmp");
        long start = System.nanoTime();
        try {
            writer.write(temporary);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return new Written(target, (System.nanoTime() - start) / 1e9, true);
    }

    /** Where the model is, how long writing it took, and whether this run wrote it. */
    record Written(Path path, double seconds, boolean wrote) {}

    private static Optional<String> problem(Path file, GgufWriter writer) {
        try {
            GgufFile gguf = GgufFile.read(file);
            Optional<GgufValue> version = gguf.metadata(VERSION_KEY);
            if (version.isEmpty() || version.get().asLong() != VERSION) {
                return Optional.of("not version " + VERSION);
            }
            if (gguf.fileSize() != writer.fileSize()) {
                return Optional.of("size " + gguf.fileSize());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.toString());
        }
    }
}
