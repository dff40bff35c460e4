package dev.memory64.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory figures from Linux's {@code /proc/self/status}, in bytes. */
final class ProcStatus {
    private ProcStatus() {}

    /** Resident memory now (VmRSS). */
    static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident memory (VmHWM). */
    static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /** The file-backed part of resident memory (RssFile), e.g. mapped model pages. */
    static long fileResidentBytes() {
        return field("RssFile:");
    }

    /** A field in bytes, or -1 where there is none (not Linux, or an older kernel). */
    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0])
                            * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
