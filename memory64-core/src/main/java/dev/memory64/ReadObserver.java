package dev.memory64;

/**
 * Told of every chunk the store reads, after it was read: how the residency policy follows its
 * readers without the storage knowing it.
 */
@FunctionalInterface
interface ReadObserver {

    /**
     * The calling thread read {@code [offset, offset + len)} of the layout. Must not throw: the
     * read it follows has succeeded.
     */
    void onRead(long offset, long len);
}
