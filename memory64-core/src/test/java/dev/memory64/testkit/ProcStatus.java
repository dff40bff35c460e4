package dev.memory64.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory figures from Linux's {@code /proc/self/status}, in bytes: the one reader of
 * that file for every module's tests and for the bench's programs (the core's test-jar ships this
 * package alone).
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

    /**
     * The minor page faults of the calling thread so far ({@code minflt} of {@code
     * /proc/thread-self/stat}): each is a page mapped into the process without a disk read, e.g. a
     * mapped model page found in the page cache, or a fresh page of zeroed memory.
     *
     * @return the count, or -1 where it is unknown
     */
    public static long threadMinorFaults() {
        try {
            return minorFaults(Files.readString(Path.of("/proc/thread-self/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The {@code minflt} field of a {@code /proc/.../stat} line: the 10th field, the 8th after the
     * command name in parentheses (which may itself hold spaces and parentheses).
     *
     * @param stat the line
     * @return the count, or -1 if the line has no such field
     */
    static long minorFaults(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        try {
            return fields.length > 7 ? Long.parseLong(fields[7]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
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
