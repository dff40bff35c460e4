package dev.memory64.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory figures from Linux's {@code /proc/self/status}, in bytes; the one reader of
 * that file in this module, for the demo and the measurements alike.
 */
public final class ProcStatus {
    private ProcStatus() {}

    /**
     * Resident memory now (VmRSS).
     *
     * @return bytes, or -1 where the figure is unknown (not Linux, or an older kernel)
     */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /**
     * Peak resident memory (VmHWM).
     *
     * @return bytes, or -1 where the figure is unknown
     */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /**
     * The file-backed part of resident memory (RssFile), e.g. mapped model pages.
     *
     * @return bytes, or -1 where the figure is unknown
     */
    public static long fileResidentBytes() {
        return field("RssFile:");
    }

    /** A field in bytes, or -1 where there is none. */
    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return parseKiB(line.substring(name.length()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The value of a {@code /proc/self/status} line after its name, {@code " 24683620 kB"}, in
     * bytes.
     *
     * @param value the text after the field's name
     * @return bytes, or -1 if the text is not a count of kB
     */
    static long parseKiB(String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 2 || !parts[1].equals("kB")) {
            return -1;
        }
        try {
            return Math.multiplyExact(Long.parseLong(parts[0]), 1024L);
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }
}
