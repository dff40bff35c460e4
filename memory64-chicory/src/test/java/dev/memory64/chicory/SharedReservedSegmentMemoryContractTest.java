package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/** The memory contract for a shared {@link SegmentMemory} with the reserved backing. */
class SharedReservedSegmentMemoryContractTest extends MemoryContractTest {

    @Override
    boolean shared() {
        return true;
    }

    @Override
    Memory create(MemoryLimits limits) {
        return SegmentMemory.of(limits, SegmentMemory.Backing.RESERVED);
    }
}
