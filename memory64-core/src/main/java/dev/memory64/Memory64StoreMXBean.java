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
     * Returns the bytes of read-only mapped pages the residency policy released.
     *
     * @return the count
     */
    long getBytesReleased();

    /**
     * Returns the bytes brought in by prefetches.
     *
     * @return the count
     */
    long getBytesPrefetched();

    /**
     * Returns the bytes the residency policy holds as possibly resident now (a gauge).
     *
     * @return the bytes
     */
    long getWindowBytes();

    /**
     * Returns the residency policy, as text (e.g. {@code layers(behind=0, ahead=1)} or {@code
     * off}).
     *
     * @return the policy
     */
    String getResidency();

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
