package dev.memory64.gguf;

import dev.memory64.ProgressListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;

/**
 * Measures {@link GgufModel#sha256}: writes a 1 GiB file of pseudo-random bytes into a directory
 * (once; kept for later runs), then digests it {@code RUNS} times and prints each run's time and
 * throughput. The first run may read from disk; later ones read from the page cache, so they
 * measure hashing. Usage: {@code Sha256Throughput [DIR [RUNS]]}, see docs/GUIDE.md.
 */
public final class Sha256Throughput {
    private static final long SIZE = 1L << 30;

    private Sha256Throughput() {}

    /**
     * Runs the measurement.
     *
     * @param args the directory (default {@code java.io.tmpdir}) and the number of runs (default 5)
     * @throws IOException if the file cannot be written or read
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path file = dir.resolve("memory64-sha256-1g.bin");
        if (!Files.exists(file) || Files.size(file) != SIZE) {
            write(file);
        }
        System.out.printf(
                Locale.ROOT,
                "%s, %d bytes, %d CPUs, load average %s%n",
                file,
                SIZE,
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim());
        for (int run = 1; run <= runs; run++) {
            long start = System.nanoTime();
            String digest = GgufModel.sha256(file, ProgressListener.NONE);
            long nanos = System.nanoTime() - start;
            System.out.printf(
                    Locale.ROOT,
                    "run %d: %d ms, %.2f GB/s (%.2f GiB/s), sha256 %s%n",
                    run,
                    nanos / 1_000_000,
                    SIZE / (nanos / 1e9) / 1e9,
                    SIZE / (nanos / 1e9) / (1L << 30),
                    digest);
        }
    }

    private static void write(Path file) throws IOException {
        Random random = new Random(14);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            for (long done = 0; done < SIZE; done += chunk.capacity()) {
                random.nextBytes(chunk.array());
                chunk.clear();
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        }
    }
}
