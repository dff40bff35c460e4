package dev.memory64.bench.demo;

/** A failed demo run, with a one-line message for the user (printed after "demo: "). */
final class DemoException extends Exception {
    private static final long serialVersionUID = 1L;

    DemoException(String message) {
        super(message);
    }

    DemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
