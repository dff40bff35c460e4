package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.testkit.HeapGuestMemory;
import java.lang.management.ManagementFactory;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A failing ABI call builds no message and allocates nothing when DEBUG is off, however hostile the
 * guest: a guest that fails a million calls costs the host no garbage.
 */
class AbiFailureAllocationTest {

    private static final int CALLS = 100_000;

    private Memory64Store store;
    private Memory64Abi abi;
    private Memory64Abi disabled;
    private HeapGuestMemory guest;
    private byte[] kept;

    @BeforeEach
    void setUp() {
        store = Memory64Store.allocate(MemoryLayout.builder().addRegion("a", 64 * 1024).build());
        store.registerLayer(0, "layer", 0, 4096);
        abi = Memory64Abi.builder(store).build();
        disabled = Memory64Abi.builder(store).withEnabled(false).build();
        guest = new HeapGuestMemory(64 * 1024);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static long allocatedBytes(IntSupplier call, int expectedCode) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        for (int i = 0; i < CALLS; i++) { // warm-up: let the JIT compile the failure path
            assertEquals(expectedCode, call.getAsInt());
        }
        long before = threads.getThreadAllocatedBytes(id);
        int failures = 0;
        for (int i = 0; i < CALLS; i++) {
            failures += call.getAsInt() == expectedCode ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertEquals(CALLS, failures);
        // Per call: under one byte means no call allocated (the smallest object is 16 bytes); a
        // one-off of a few bytes (the JIT, a class initialised late) is not the call's.
        return allocated / CALLS;
    }

    @Test
    void shouldSeeAllocationWhereThereIsSome() {
        long allocated =
                allocatedBytes(
                        () -> {
                            kept = new byte[64];
                            return kept.length;
                        },
                        64);
        assertTrue(allocated >= 64, "measured " + allocated + " bytes per call");
    }

    @Test
    void shouldAllocateNothingOnAnyFailureWhileDebugIsOff() {
        assertFalse(LoggerFactory.getLogger(Memory64Abi.class).isDebugEnabled());
        int guestEnd = 64 * 1024;
        assertEquals(
                0,
                allocatedBytes(
                        () -> disabled.loadLayer(guest, 0, 0, 4096), ErrorCode.DISABLED.code()));
        assertEquals(
                0, allocatedBytes(() -> abi.read(null, 0, 0, 8), ErrorCode.NO_GUEST_MEMORY.code()));
        assertEquals(
                0,
                allocatedBytes(
                        () -> abi.loadLayerRange(guest, 0, 0, -16, 32),
                        ErrorCode.POINTER_OVERFLOW.code()));
        assertEquals(
                0,
                allocatedBytes(
                        () -> abi.statsInto(guest, guestEnd - 8, 40),
                        ErrorCode.OUT_OF_BOUNDS.code()));
        assertEquals(
                0,
                allocatedBytes(
                        () -> abi.loadLayer(guest, 7, 0, 4096), ErrorCode.LAYER_NOT_FOUND.code()));
        assertEquals(
                0,
                allocatedBytes(
                        () -> abi.loadLayer(guest, 0, 0, 100), ErrorCode.BUFFER_TOO_SMALL.code()));
        assertEquals(
                0, allocatedBytes(() -> abi.read(guest, -1L, 0, 8), ErrorCode.HOST_RANGE.code()));
        assertEquals(
                0,
                allocatedBytes(
                        () -> abi.tensorInfo(guest, -4, 8, 0, 64),
                        ErrorCode.POINTER_OVERFLOW.code()));
        assertEquals(
                0, allocatedBytes(() -> (int) abi.layerSize(-1), ErrorCode.LAYER_NOT_FOUND.code()));
        assertEquals(0, allocatedBytes(() -> abi.prefetch(9), ErrorCode.LAYER_NOT_FOUND.code()));
        assertTrue(store.stats().errors() >= 20L * CALLS);
    }
}
