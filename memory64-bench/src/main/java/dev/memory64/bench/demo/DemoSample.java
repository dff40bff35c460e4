package dev.memory64.bench.demo;

import dev.memory64.bench.support.LlamaTensors;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.internal.Bytes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's sample model: a GGUF file with the tensor names and shapes of a llama model and
 * deterministic pseudo-random weights (real bytes on disk, not holes, so that the checksums mean
 * something). It is written once, to a temporary name and then moved into place, and reused while
 * it is valid.
 */
final class DemoSample {

    /** Written to {@link #VERSION_KEY}; a file with another value is rewritten. */
    static final int VERSION = 1;

    /** The metadata key that marks a file as this demo's sample, holding {@link #VERSION}. */
    static final String VERSION_KEY = "memory64.demo.version";

    /** Space left free on the disk beyond the model itself. */
    static final long DISK_MARGIN = 64L << 20;

    private DemoSample() {}

    /**
     * The shape of a sample model, all matrices Q5_0 and norms F32, as in a llama GGUF file.
     *
     * @param name distinguishes the file name of shapes other than the default
     * @param blocks the number of transformer blocks
     * @param embedding the embedding length (multiple of 32)
     * @param feedForward the feed-forward length (multiple of 32)
     * @param vocabulary the vocabulary size
     */
    record Spec(String name, int blocks, long embedding, long feedForward, long vocabulary) {

        /** About the size of a 7B llama at Q5_0: 35 layers, 4.63 GB (4.32 GiB). */
        static final Spec DEFAULT = new Spec("", 32, 4096, 11008, 32000);

        String fileName() {
            return "sample-v" + VERSION + (name.isEmpty() ? "" : "-" + name) + ".gguf";
        }

        long fileSize() {
            return writer(new AtomicLong()).fileSize();
        }

        /** The writer of this model, adding every byte it writes to {@code written}. */
        GgufWriter writer(AtomicLong written) {
            GgufWriter.Builder b =
                    LlamaTensors.builder(
                                    "memory64 demo sample (random weights)",
                                    blocks,
                                    4096,
                                    embedding,
                                    feedForward)
                            .addMetadata(VERSION_KEY, GgufValue.uint32(VERSION));
            LlamaTensors.add(
                    LlamaTensors.pseudoRandom(b, written),
                    GgmlType.Q5_0,
                    blocks,
                    embedding,
                    feedForward,
                    vocabulary);
            return b.build();
        }
    }

    /** What {@link #ensure} did: the model's path and whether an existing file was reused. */
    record Prepared(Path path, boolean reused, long bytesWritten, double seconds) {}

    /**
     * Returns the sample model in {@code dir}: reused when a valid one is there, else written to a
     * temporary name and moved into place, so that an interrupted run never leaves a broken file.
     *
     * @throws DemoException if the disk lacks space or the directory cannot be written
     * @throws IOException if writing fails
     */
    static Prepared ensure(Path dir, Spec spec, DemoProgress progress)
            throws DemoException, IOException {
        return ensure(dir, spec, progress, d -> Files.getFileStore(d).getUsableSpace());
    }

    /** Tells the usable space of a directory's file system; a seam for tests. */
    @FunctionalInterface
    interface SpaceProbe {
        long usableSpace(Path dir) throws IOException;
    }

    static Prepared ensure(Path dir, Spec spec, DemoProgress progress, SpaceProbe space)
            throws DemoException, IOException {
        Path target = dir.resolve(spec.fileName());
        AtomicLong written = new AtomicLong();
        GgufWriter writer = spec.writer(written);
        if (Files.isRegularFile(target)) {
            Optional<String> problem = problem(target, writer);
            if (problem.isEmpty()) {
                return new Prepared(target, true, 0, 0);
            }
            progress.note("rewriting " + target + ": " + problem.get());
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DemoException("cannot create the directory " + dir + ": " + describe(e));
        }
        removeStaleTemporaries(dir, spec);
        long usable = space.usableSpace(dir);
        long needed = writer.fileSize() + DISK_MARGIN;
        if (usable < needed) {
            throw new DemoException(
                    "not enough free disk space in "
                            + dir
                            + " for the sample model: it needs "
                            + Bytes.decimal(needed)
                            + ", "
                            + Bytes.decimal(usable)
                            + " are free; free some space, or choose another place with --dir"
                            + " PATH, or use your own model with --model PATH");
        }
        Path temporary =
                dir.resolve(spec.fileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Thread cleanup = new Thread(() -> deleteQuietly(temporary), "memory64-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        long start = System.nanoTime();
        try {
            DemoProgress.Phase phase =
                    progress.start("writing the sample model", writer.fileSize(), written::get);
            try {
                writer.write(temporary);
            } finally {
                phase.finish();
            }
            // On disk before it gets its name, so that even a crash leaves no half-written sample;
            // and the run's measurements that follow do not compete with the kernel's writeback.
            long flushStart = System.nanoTime();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            progress.note(
                    String.format(
                            Locale.ROOT,
                            "flushed the sample model to disk in %.1f s",
                            (System.nanoTime() - flushStart) / 1e9));
            try {
                Files.move(
                        temporary,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            deleteQuietly(temporary);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
        return new Prepared(target, false, writer.fileSize(), (System.nanoTime() - start) / 1e9);
    }

    /** Why an existing file is not the sample {@code writer} writes, or empty if it is. */
    static Optional<String> problem(Path file, GgufWriter writer) {
        GgufFile gguf;
        try {
            gguf = GgufFile.read(file);
        } catch (IOException e) {
            return Optional.of("not a readable GGUF file (" + describe(e) + ")");
        }
        Optional<GgufValue> version = gguf.metadata(VERSION_KEY);
        if (version.isEmpty()
                || !version.get().type().isInteger()
                || version.get().asLong() != VERSION) {
            return Optional.of("not this demo's sample version " + VERSION);
        }
        if (gguf.fileSize() != writer.fileSize()) {
            return Optional.of("size " + gguf.fileSize() + " bytes, expected " + writer.fileSize());
        }
        List<GgufTensor> expected = writer.tensors();
        List<GgufTensor> actual = gguf.tensors();
        if (actual.size() != expected.size()) {
            return Optional.of(actual.size() + " tensors, expected " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            GgufTensor e = expected.get(i);
            GgufTensor a = actual.get(i);
            if (!a.name().equals(e.name())
                    || a.fileOffset() != e.fileOffset()
                    || a.byteSize() != e.byteSize()) {
                return Optional.of("tensor " + i + " is " + a.name() + ", expected " + e.name());
            }
        }
        return Optional.empty();
    }

    /** Deletes temporaries of this sample left by runs whose process is gone. */
    private static void removeStaleTemporaries(Path dir, Spec spec) throws IOException {
        String prefix = spec.fileName() + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String pid = name.substring(prefix.length(), name.length() - ".tmp".length());
                try {
                    if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                        deleteQuietly(file);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort: a leftover temporary is removed by a later run
        }
    }

    static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
