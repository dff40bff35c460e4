package dev.memory64;

/**
 * The JMX view of a {@link Memory64Store}, registered by {@link Memory64Store#registerMBean()} as
 * {@code dev.memory64:type=Memory64Store,name="<name>"}. The {@code get} prefixes are JMX's
 * attribute convention.
 */
public interface Memory64StoreMXBean {
    /**
     * Returns the successful read operations.
     *
     * @return the count
     */
    long getReads();

    /**
     * Returns the successful write operations.
     *
     * @return the count
     */
    long getWrites();

    /**
     * Returns the bytes read by successful reads.
     *
     * @return the count
     */
    long getBytesRead();

    /**
     * Returns the bytes written by successful writes.
     *
     * @return the count
     */
    long getBytesWritten();

    /**
     * Returns the failed operations.
     *
     * @return the count
     */
    long getErrors();

    /**
     * Returns the layout's total size.
     *
     * @return the size in bytes
     */
    long getSize();

    /**
     * Returns the number of registered layers.
     *
     * @return the count
     */
    int getLayerCount();

    /**
     * Tells whether the store is closed.
     *
     * @return true once closed
     */
    boolean isClosed();
}
