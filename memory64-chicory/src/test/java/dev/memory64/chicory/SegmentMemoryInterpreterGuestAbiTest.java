package dev.memory64.chicory;

/** The ABI contract under Chicory's interpreter with the single-copy {@link SegmentMemory}. */
class SegmentMemoryInterpreterGuestAbiTest extends GuestAbiContractTest {
    SegmentMemoryInterpreterGuestAbiTest() {
        super(Guests.Mode.INTERPRETER, SegmentMemory.factory());
    }
}
