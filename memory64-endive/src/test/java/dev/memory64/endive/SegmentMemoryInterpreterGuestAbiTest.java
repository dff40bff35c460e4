package dev.memory64.endive;

import java.util.function.Function;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The ABI contract under Endive's interpreter with the single-copy {@link SegmentMemory}. */
class SegmentMemoryInterpreterGuestAbiTest extends GuestAbiContractTest {
    @Override
    Guests.Mode mode() {
        return Guests.Mode.INTERPRETER;
    }

    @Override
    Function<MemoryLimits, Memory> memoryFactory() {
        return SegmentMemory.factory();
    }
}
