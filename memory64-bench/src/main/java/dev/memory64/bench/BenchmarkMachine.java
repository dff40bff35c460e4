package dev.memory64.bench;

import dev.memory64.internal.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the report says about the machine, from Linux's {@code /proc} where it can. */
final class BenchmarkMachine {
    private BenchmarkMachine() {}

    /** The machine's facts under {@link BenchmarkReport}'s keys. */
    static Map<String, String> facts() {
        Map<String, String> facts = new TreeMap<>();
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        facts.put(BenchmarkReport.CPU, field(cpuinfo, "model name", "unknown CPU"));
        facts.put(
                BenchmarkReport.CORES, String.valueOf(Runtime.getRuntime().availableProcessors()));
        String flags = field(cpuinfo, "flags", "");
        facts.put(
                BenchmarkReport.VIRTUAL,
                String.valueOf(List.of(flags.split(" ")).contains("hypervisor")));
        String memTotal = field(lines(Path.of("/proc/meminfo")), "MemTotal", "");
        facts.put(BenchmarkReport.MEMORY, formatKiB(memTotal));
        facts.put(
                BenchmarkReport.OS,
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"));
        return facts;
    }

    /** The 1-minute load average, or NaN where there is none. */
    static double loadAverage() {
        List<String> lines = lines(Path.of("/proc/loadavg"));
        if (lines.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(lines.get(0).split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@code 24683620 kB} as {@code 23.5 GiB}; anything else as it is. */
    static String formatKiB(String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length == 2 && parts[1].equals("kB")) {
            try {
                long kib = Long.parseLong(parts[0]);
                return kib < 0 ? value : Bytes.binary(Math.multiplyExact(kib, 1024L));
            } catch (ArithmeticException | NumberFormatException e) {
                return value;
            }
        }
        return value.isEmpty() ? "unknown" : value;
    }

    private static String field(List<String> lines, String name, String fallback) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return fallback;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
