package dev.memory64;

/**
 * A store refused a range: it lies outside the layout or the layer, or reaches into the unbacked
 * tail of a mapped region. Thrown before any byte moves. A distinct type, so that a caller copying
 * into its own destination (a guest's memory, a sink) can tell the store's refusal from an {@link
 * IndexOutOfBoundsException} its destination threw.
 */
public final class StoreRangeException extends IndexOutOfBoundsException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message the operation, its values, and the bound they exceed
     */
    public StoreRangeException(String message) {
        super(message);
    }
}
