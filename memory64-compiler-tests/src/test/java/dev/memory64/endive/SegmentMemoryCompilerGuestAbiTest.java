package dev.memory64.endive;

import java.util.function.Function;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The ABI contract under Endive's compiler with the single-copy {@link SegmentMemory}. */
class SegmentMemoryCompilerGuestAbiTest extends GuestAbiContractTest {
    @Override
    Guests.Mode mode() {
        return Guests.Mode.COMPILER;
    }

    @Override
    Function<MemoryLimits, Memory> memoryFactory() {
        return SegmentMemory.factory();
    }
}
