package dev.memory64;

import java.io.IOException;
import java.nio.file.Path;

class ReservedStoreTest extends StoreContractTest {
    @Override
    Memory64Store open(MemoryLayout layout, Path dir) throws IOException {
        return Memory64Store.builder(layout)
                .withDefaultBacking(RegionBacking.reserved(dir))
                .build();
    }
}
