package dev.memory64.bench;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.internal.Bytes;
import dev.memory64.testkit.ProcStatus;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures what creating a store costs: wall time and resident memory, for a reserved and an
 * allocated layout. Run by {@code scripts/measure-store.sh}; prints one line per store.
 */
public final class StoreFootprint {
    private StoreFootprint() {}

    /**
     * Runs the measurement.
     *
     * @param args {@code [reservedGiB [allocatedGiB]]}, 64 and 8 by default
     * @throws Exception if a store cannot be created
     */
    public static void main(String[] args) throws Exception {
        long reservedGiB = args.length > 0 ? Long.parseLong(args[0]) : 64;
        long allocatedGiB = args.length > 1 ? Long.parseLong(args[1]) : 8;
        measure("reserved", MemoryLayout.single(reservedGiB, "weights"), true);
        measure("allocated", MemoryLayout.single(allocatedGiB, "weights"), false);
    }

    private static void measure(String backing, MemoryLayout layout, boolean reserve)
            throws Exception {
        long before = ProcStatus.residentBytes();
        long start = System.nanoTime();
        try (Memory64Store store =
                reserve
                        ? Memory64Store.builder(layout)
                                .withDefaultBacking(
                                        RegionBacking.reservedOvercommitted(
                                                Path.of(System.getProperty("java.io.tmpdir"))))
                                .build()
                        : Memory64Store.allocate(layout)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            long created = ProcStatus.residentBytes() - before;
            byte[] page = new byte[4096];
            for (long offset = 0; offset < layout.size(); offset += layout.size() / 16) {
                store.write(offset, page);
            }
            long touched = ProcStatus.residentBytes() - before;
            System.out.printf(
                    Locale.ROOT,
                    "%-9s %8s: created in %.3f s, resident +%s after creating, +%s after writing"
                            + " 16 pages%n",
                    backing,
                    Bytes.binary(layout.size()),
                    seconds,
                    Bytes.binary(Math.max(0, created)),
                    Bytes.binary(Math.max(0, touched)));
        }
    }
}
