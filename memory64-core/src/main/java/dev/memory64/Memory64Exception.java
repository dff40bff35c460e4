package dev.memory64;

import java.io.IOException;

/**
 * A host access to a store failed for a reason outside the caller's arguments: the store is closed,
 * or the storage behind a region faulted (a mapped file that shrank, a disk that filled up under a
 * reserved region). The store stays usable for its other regions unless it is closed.
 */
public class Memory64Exception extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what failed, naming the operation and its values
     * @param cause the underlying failure, or null
     */
    public Memory64Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
