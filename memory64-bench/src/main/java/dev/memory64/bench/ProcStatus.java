package dev.memory64.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0])
                            * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }
}
