package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.function.Function;

/** The ABI contract under Chicory's interpreter with the single-copy {@link SegmentMemory}. */
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
