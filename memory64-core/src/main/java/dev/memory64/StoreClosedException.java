package dev.memory64;

/** The store was closed before or during the access. */
public final class StoreClosedException extends Memory64Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what failed, naming the operation, its values and the store
     * @param cause the underlying failure, or null
     */
    public StoreClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
