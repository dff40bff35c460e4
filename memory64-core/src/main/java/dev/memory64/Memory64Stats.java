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
 * @param bytesReleased bytes of read-only mapped pages the {@link ResidencyPolicy} released (the
 *     ranges given to {@code MemorySegment.unload()}; pages not resident at the time count too)
 * @param bytesPrefetched bytes brought into memory by prefetches: {@link Memory64Store#prefetch}
 *     and the residency policy's read-ahead
 * @param windowBytes a gauge, not a counter: the bytes the residency policy currently holds as
 *     possibly resident (read or prefetched and not yet released); 0 when the policy is off
 */
public record Memory64Stats(
        long reads,
        long writes,
        long bytesRead,
        long bytesWritten,
        long errors,
        long bytesReleased,
        long bytesPrefetched,
        long windowBytes) {

    /** A snapshot with every counter at zero. */
    public static final Memory64Stats ZERO = new Memory64Stats(0, 0, 0, 0, 0);

    /**
     * A snapshot of the operation counters alone, with the residency counters at zero.
     *
     * @param reads successful read operations
     * @param writes successful write operations
     * @param bytesRead bytes copied out by successful reads
     * @param bytesWritten bytes copied in by successful writes
     * @param errors failed operations
     */
    public Memory64Stats(long reads, long writes, long bytesRead, long bytesWritten, long errors) {
        this(reads, writes, bytesRead, bytesWritten, errors, 0, 0, 0);
    }
}
