package dev.memory64;

import java.nio.file.Path;

class AllocatedStoreTest extends StoreContractTest {
    @Override
    Memory64Store open(MemoryLayout layout, Path dir) {
        return Memory64Store.allocate(layout);
    }
}
