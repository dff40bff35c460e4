package dev.memory64.safetensors;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * Opens each file given and prints one line per file: {@code refused NAME RULE PEAK_MIB} when the
 * open ends in a {@link SafetensorsFormatException} (PEAK_MIB the heap pools' peak use so far),
 * else {@code FAILED NAME what happened}. Run in a JVM of a small heap by {@link
 * SafetensorsHostileHeaderTest}, so that an open whose heap grows past its bound ends in {@link
 * OutOfMemoryError} there.
 */
public final class HostileHeaderMain {
    private HostileHeaderMain() {}

    /**
     * Opens the files.
     *
     * @param args the files
     */
    public static void main(String[] args) {
        for (String arg : args) {
            Path file = Path.of(arg);
            String outcome;
            try (SafetensorsModel model = SafetensorsModel.open(file)) {
                outcome = "FAILED " + file.getFileName() + " opened: " + model;
            } catch (SafetensorsFormatException e) {
                outcome = "refused " + file.getFileName() + " " + e.rule() + " " + peakMiB();
            } catch (Throwable e) {
                outcome = "FAILED " + file.getFileName() + " " + e;
            }
            System.out.println(outcome);
        }
    }

    private static long peakMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
