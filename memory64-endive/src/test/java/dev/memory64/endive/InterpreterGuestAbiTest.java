package dev.memory64.endive;

import java.util.function.Function;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The ABI contract under Endive's interpreter with its default memory. */
class InterpreterGuestAbiTest extends GuestAbiContractTest {
    @Override
    Guests.Mode mode() {
        return Guests.Mode.INTERPRETER;
    }

    @Override
    Function<MemoryLimits, Memory> memoryFactory() {
        return null;
    }
}
