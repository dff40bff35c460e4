package dev.memory64.bench.large;

import dev.memory64.Memory64Store;
import dev.memory64.testkit.LayerChecksum;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One large range of the served file fetched side by side in {@code scripts/stream-remote.sh}:
 * {@code curl} into {@code /dev/null} and into a file (curl's own {@code time_total}, so its
 * process start is not counted), and the library's cold read of the same bytes from a store opened
 * afresh (a fresh cache), in 16 MiB reads as a guest makes them, only the reads timed.
 *
 * @param offset the range's first byte, in the file and in the store's layout (one part)
 * @param length the range's bytes
 */
record OneRange(long offset, long length) {

    /** One fetch of the range: its bytes and seconds, and the checksum of what was read. */
    record Fetch(String name, long bytes, double seconds, long checksum) {
        double rate() {
            return bytes / seconds / 1e9;
        }
    }

    /**
     * {@code curl} fetching the range from {@code uri} into {@code out} ({@code /dev/null} or a
     * file).
     *
     * @throws IOException if curl cannot run, fails, or fetches another number of bytes
     */
    Fetch curl(String name, URI uri, Path out) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(
                                "curl",
                                "-sS",
                                "--fail",
                                "-r",
                                offset + "-" + (offset + length - 1),
                                "-o",
                                out.toString(),
                                "-w",
                                "%{size_download} %{time_total}",
                                uri.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("curl failed: " + output);
        }
        String[] words = output.trim().split("\\s+");
        long bytes = Long.parseLong(words[0]);
        if (bytes != length) {
            throw new IOException("curl fetched " + bytes + " bytes of " + length);
        }
        return new Fetch(name, bytes, Double.parseDouble(words[1]), 0);
    }

    /** The store's cold read of the range into {@code buffer}, piece by piece; reads timed. */
    Fetch library(String name, Memory64Store store, MemorySegment buffer) throws Exception {
        LayerChecksum checksum = new LayerChecksum();
        long nanos = 0;
        for (long done = 0; done < length; done += buffer.byteSize()) {
            MemorySegment piece = buffer.asSlice(0, Math.min(buffer.byteSize(), length - done));
            long start = System.nanoTime();
            store.read(offset + done, piece);
            nanos += System.nanoTime() - start;
            checksum.write(0, piece);
        }
        return new Fetch(name, length, nanos / 1e9, checksum.value());
    }

    /** The rows and the closing ratio line, for the report. */
    static List<String> report(OneRange range, Fetch library, List<Fetch> curls) {
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "one range              bytes %d-%d (%.2f GB)",
                        range.offset,
                        range.offset + range.length - 1,
                        range.length / 1e9));
        List<Fetch> all = new ArrayList<>(curls);
        all.add(library);
        for (Fetch f : all) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "  %-20s %.2f s, %.2f GB/s",
                            f.name(),
                            f.seconds(),
                            f.rate()));
        }
        StringBuilder ratio =
                new StringBuilder(
                        String.format(Locale.ROOT, "cold/curl: %.2f GB/s library", library.rate()));
        for (Fetch c : curls) {
            ratio.append(
                    String.format(
                            Locale.ROOT,
                            ", %.2f of %s (%.2f GB/s)",
                            library.rate() / c.rate(),
                            c.name(),
                            c.rate()));
        }
        lines.add(ratio.toString());
        return lines;
    }

    /** A file for curl's copy beside the cache, deleted after. */
    static Path scratch(Path dir) throws IOException {
        Path file = dir.resolve("curl-range.tmp");
        Files.deleteIfExists(file);
        return file;
    }
}
