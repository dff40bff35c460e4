package dev.memory64;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Every region mapped read-write from its own slice of one file. */
class MappedStoreTest extends StoreContractTest {
    @Override
    Memory64Store open(MemoryLayout layout, Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "mapped", ".bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(layout.size());
        }
        Memory64Store.Builder builder = Memory64Store.builder(layout);
        for (MemoryRegion region : layout.regions()) {
            builder.withBacking(region.name(), RegionBacking.mapped(file, region.start(), true));
        }
        return builder.build();
    }
}
