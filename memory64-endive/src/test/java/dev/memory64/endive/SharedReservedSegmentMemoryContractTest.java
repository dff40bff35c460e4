package dev.memory64.endive;

import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

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
