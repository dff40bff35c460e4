package dev.memory64.endive;

import java.util.function.Function;
import run.endive.runtime.ByteBufferMemory;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The ABI contract under Endive's runtime compiler, with Endive's ByteBufferMemory. */
class CompilerGuestAbiTest extends GuestAbiContractTest {
    @Override
    Guests.Mode mode() {
        return Guests.Mode.COMPILER;
    }

    @Override
    Function<MemoryLimits, Memory> memoryFactory() {
        return ByteBufferMemory::new;
    }
}
