package dev.memory64;

/**
 * A store or a segment memory was used after (or while) it was closed.
 *
 * <p>Unchecked, like Lucene's exception of the same name and the JDK's own for a closed {@link
 * java.lang.foreign.Arena}: using a resource after closing it is a mistake in the host's lifecycle,
 * not a condition to handle at each call, and a runtime's {@code Memory} interface cannot declare a
 * checked exception. The guest ABI reports it to a guest as {@code HOST_RANGE} (-4).
 */
public class AlreadyClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what failed, naming the operation, its values and the closed resource
     * @param cause the underlying failure, or null
     */
    public AlreadyClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
