package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/** The memory contract for a {@link SegmentMemory} with the reserved backing. */
class ReservedSegmentMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return SegmentMemory.of(limits, SegmentMemory.Backing.RESERVED);
    }
}
