package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ByteBufferMemory;

/** The ABI contract under Chicory's runtime compiler, with Chicory's ByteBufferMemory. */
class CompilerGuestAbiTest extends GuestAbiContractTest {
    CompilerGuestAbiTest() {
        super(Guests.Mode.COMPILER, ByteBufferMemory::new);
    }
}
