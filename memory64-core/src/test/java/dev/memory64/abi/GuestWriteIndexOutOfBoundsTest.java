package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** A guest memory that throws IndexOutOfBoundsException is a GUEST_WRITE failure, counted once. */
class GuestWriteIndexOutOfBoundsTest {
    @Test
    void guestWriteThrowingIndexOutOfBoundsIsGuestWriteAndCounted() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", 65536).build())) {
            store.registerLayer(0, "l", 0, 1000);
            GuestMemory guest =
                    new GuestMemory() {
                        @Override
                        public long size() {
                            return 65536;
                        }

                        @Override
                        public void write(long offset, MemorySegment src) {
                            throw new IndexOutOfBoundsException("guest memory shrank");
                        }

                        @Override
                        public void read(long offset, MemorySegment dst) {}
                    };
            assertEquals(-8, Memory64Abi.builder(store).build().loadLayer(guest, 0, 0, 1000));
            assertEquals(1, store.stats().errors());
        }
    }
}
