package dev.memory64.endive;

import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The memory contract for a {@link SegmentMemory} with the allocated backing. */
class AllocatedSegmentMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return SegmentMemory.of(limits, SegmentMemory.Backing.ALLOCATED);
    }
}
