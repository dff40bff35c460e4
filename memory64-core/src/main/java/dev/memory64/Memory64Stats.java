package dev.memory64;

/**
 * An immutable snapshot of a store's counters.
 *
 * <p>A snapshot is consistent per operation: an operation's count and its bytes are always seen
 * together, never one without the other.
 *
 * @param reads successful read operations (host reads, layer loads and guest reads)
 * @param writes successful write operations
 * @param bytesRead bytes copied out of the store by successful reads
 * @param bytesWritten bytes copied into the store by successful writes
 * @param errors failed operations of every kind (rejected arguments, closed store, I/O faults)
 */
public record Memory64Stats(
        long reads, long writes, long bytesRead, long bytesWritten, long errors) {

    /** A snapshot with every counter at zero. */
    public static final Memory64Stats ZERO = new Memory64Stats(0, 0, 0, 0, 0);
}
