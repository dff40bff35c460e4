package dev.memory64.chicory;

/** The ABI contract under Chicory's interpreter with its default memory. */
class InterpreterGuestAbiTest extends GuestAbiContractTest {
    InterpreterGuestAbiTest() {
        super(Guests.Mode.INTERPRETER, null);
    }
}
