package dev.memory64.chicory;

/** The ABI contract under Chicory's compiler with the single-copy {@link SegmentMemory}. */
class SegmentMemoryCompilerGuestAbiTest extends GuestAbiContractTest {
    SegmentMemoryCompilerGuestAbiTest() {
        super(Guests.Mode.COMPILER, SegmentMemory.factory());
    }
}
