package dev.memory64;

/**
 * A {@link Memory64Store} was closed before or during the access. Unchecked, as every use after
 * close is (see {@link AlreadyClosedException}).
 */
public final class StoreClosedException extends AlreadyClosedException {
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
