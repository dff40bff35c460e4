package dev.memory64;

import dev.memory64.internal.SparseReservation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The local cache of one remote region: a sparse, unlinked, owner-only file (as the reserved
 * backing's {@link SparseReservation}, overcommitted: no room check), mapped read-only and written
 * with positional writes, filled chunk by chunk from a {@link RemoteObject} on demand. Each chunk
 * is absent, being fetched, or present; a present chunk is read at memory speed, and readers of a
 * chunk being fetched wait for that one fetch. At most {@link RemoteOptions#parallelFetches()}
 * fetches run at once (virtual threads, one per fetch, bounded by a semaphore). A failed fetch
 * leaves its chunk absent, so a later access tries again.
 */
final class ChunkCache implements AutoCloseable {

    private static final int ABSENT = 0;
    private static final int FETCHING = 1;
    private static final int PRESENT = 2;
    private static final int RELEASING = 3;

    /** {@code madvise(2)}'s advice that frees the file's backing store under a range (Linux). */
    private static final int MADV_REMOVE = 9;

    /** {@code madvise}, where the module has native access on Linux; null elsewhere. */
    private static final MethodHandle MADVISE = madvise();

    private final RemoteObject object;
    private final FileChannel file;
    private final MemorySegment segment;
    private final long chunkSize;
    private final AtomicIntegerArray states;

    /** Per chunk, the readers between {@link #ensure} and {@link #unpin}: never released then. */
    private final AtomicIntegerArray pins;

    private final CompletableFuture<?>[] pending; // guarded by this
    private final Semaphore permits;
    private final ExecutorService fetchers;
    private volatile boolean closed;

    private ChunkCache(RemoteObject object, FileChannel file, MemorySegment segment) {
        this.object = object;
        this.file = file;
        this.segment = segment;
        this.chunkSize = object.options().chunkSize();
        int chunks = (int) Math.ceilDiv(segment.byteSize(), chunkSize);
        this.states = new AtomicIntegerArray(chunks);
        this.pins = new AtomicIntegerArray(chunks);
        this.pending = new CompletableFuture<?>[chunks];
        this.permits = new Semaphore(object.options().parallelFetches());
        this.fetchers =
                Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("memory64-fetch-", 0).factory());
    }

    /**
     * Opens the object and reserves its cache: the region's backed part is the object's first
     * {@code min(region size, object size)} bytes.
     *
     * @throws IOException if the object cannot be opened or the cache cannot be reserved
     */
    static ChunkCache open(Arena arena, MemoryRegion region, RegionBacking.Remote backing)
            throws IOException {
        RemoteObject object = RemoteObject.open(backing.uri(), backing.options());
        boolean success = false;
        try {
            long backed = Math.min(region.size(), object.size());
            if (Math.ceilDiv(backed, backing.options().chunkSize()) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "remote region \""
                                + region.name()
                                + "\": "
                                + backed
                                + " bytes is too many chunks of "
                                + backing.options().chunkSize());
            }
            FileChannel file = cacheFile(backing.cacheDirectory());
            try {
                MemorySegment segment =
                        backed == 0
                                ? MemorySegment.NULL
                                : file.map(FileChannel.MapMode.READ_WRITE, 0, backed, arena);
                ChunkCache cache = new ChunkCache(object, file, segment);
                success = true;
                return cache;
            } finally {
                if (!success) {
                    file.close();
                }
            }
        } finally {
            if (!success) {
                object.close();
            }
        }
    }

    /**
     * A sparse, owner-only file in {@code directory}, unlinked at once (as a {@link
     * SparseReservation}'s), kept open: fetched chunks are written into it with positional writes
     * (into the page cache, no page fault per page) and read through its mapping (read-write only
     * so that {@code MADV_REMOVE} may free its chunks' disk; nothing writes through it).
     */
    private static FileChannel cacheFile(Path directory) throws IOException {
        return SparseReservation.openOwnerOnly(
                directory, Files.getFileStore(directory), "memory64-", ".cache");
    }

    MemorySegment segment() {
        return segment;
    }

    /**
     * Makes {@code [local, local + len)} of the cache present and pins it (no release frees its
     * chunks until {@link #unpin} of the same range), fetching its absent chunks in parallel and
     * waiting for those already being fetched. Returns at once if all are present. On failure
     * nothing stays pinned.
     *
     * @throws RemoteFetchException if a chunk cannot be fetched (the first failure, after every
     *     fetch this call waits for has ended)
     */
    void ensure(long local, long len) throws RemoteFetchException {
        if (len <= 0) {
            return;
        }
        int first = (int) (local / chunkSize);
        int last = (int) ((local + len - 1) / chunkSize);
        // Pin, then look: a release marks a chunk RELEASING, then looks at its pins, so either it
        // sees this pin or this sees the chunk is no longer PRESENT.
        for (int c = first; c <= last; c++) {
            pins.incrementAndGet(c);
        }
        int i = first;
        while (i <= last && states.get(i) == PRESENT) {
            i++;
        }
        if (i > last) {
            return;
        }
        try {
            fetchAbsent(i, last, local, len);
        } catch (RemoteFetchException | RuntimeException e) {
            unpin(local, len);
            throw e;
        }
    }

    /** Releases the pins {@link #ensure} took on {@code [local, local + len)}. */
    void unpin(long local, long len) {
        if (len <= 0) {
            return;
        }
        int last = (int) ((local + len - 1) / chunkSize);
        for (int c = (int) (local / chunkSize); c <= last; c++) {
            pins.decrementAndGet(c);
        }
    }

    private void fetchAbsent(int from, int last, long local, long len) throws RemoteFetchException {
        int i = from;
        List<CompletableFuture<?>> waits = new ArrayList<>(last - i + 1);
        synchronized (this) {
            for (; i <= last; i++) {
                int state = states.get(i);
                if (state == FETCHING) {
                    waits.add(pending[i]);
                } else if (state == ABSENT) {
                    waits.add(start(i));
                }
                // RELEASING is never seen here: a release holds the lock throughout.
            }
        }
        RemoteFetchException failure = null;
        for (CompletableFuture<?> wait : waits) {
            RemoteFetchException f = await(wait, local, len);
            if (failure == null) {
                failure = f;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Marks chunk {@code i} as being fetched and starts its fetch. Holds the lock. */
    private CompletableFuture<?> start(int i) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        states.set(i, FETCHING);
        pending[i] = done;
        long offset = i * chunkSize;
        long n = Math.min(chunkSize, segment.byteSize() - offset);
        try {
            fetchers.execute(() -> fetch(i, offset, n, done));
        } catch (RejectedExecutionException e) {
            finish(i, done, closedFailure(offset, n, e));
        }
        return done;
    }

    private void fetch(int i, long offset, long n, CompletableFuture<Void> done) {
        Throwable failure = null;
        try {
            permits.acquire();
            try {
                if (closed) {
                    throw closedFailure(offset, n, null);
                }
                object.read(offset, new ChunkWriter(file, offset, n));
            } finally {
                permits.release();
            }
        } catch (InterruptedException e) {
            failure = closedFailure(offset, n, e);
        } catch (RemoteFetchException | RuntimeException | InternalError e) {
            // InternalError: the cache's file system is full (a page of an overcommitted file).
            failure = e;
        }
        finish(i, done, failure);
    }

    private void finish(int i, CompletableFuture<Void> done, Throwable failure) {
        synchronized (this) {
            states.set(i, failure == null ? PRESENT : ABSENT);
            pending[i] = null;
        }
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
    }

    private RemoteFetchException await(CompletableFuture<?> wait, long local, long len) {
        try {
            wait.get();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RemoteFetchException(
                    object.uri(),
                    local,
                    len,
                    RemoteFetchException.NO_STATUS,
                    "interrupted while waiting for the fetch",
                    e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RemoteFetchException r) {
                return r;
            }
            return new RemoteFetchException(
                    object.uri(),
                    local,
                    len,
                    RemoteFetchException.NO_STATUS,
                    "writing the fetched bytes into the cache failed: " + e.getCause(),
                    e.getCause());
        }
    }

    private RemoteFetchException closedFailure(long offset, long n, Throwable cause) {
        return new RemoteFetchException(
                object.uri(),
                offset,
                n,
                RemoteFetchException.NO_STATUS,
                "the store is closing",
                cause);
    }

    /**
     * Releases the present, unpinned chunks wholly inside {@code [local, local + len)}: where the
     * module has native access on Linux, {@code madvise(MADV_REMOVE)} frees their pages and their
     * disk (a hole punched in the cache file) and they become absent, to be fetched again when next
     * read; elsewhere, or if the file system cannot punch holes, {@code MemorySegment.unload()}
     * releases their pages from the process and they stay present in the cache file.
     *
     * @return the bytes released
     */
    long release(long local, long len) {
        long end = Math.min(local + len, segment.byteSize());
        long first = Math.ceilDiv(local, chunkSize);
        long released = 0;
        for (long c = first; c * chunkSize < end; c++) {
            int i = (int) c;
            long offset = c * chunkSize;
            long n = Math.min(chunkSize, segment.byteSize() - offset);
            if (offset + n > end || states.get(i) != PRESENT) {
                continue;
            }
            synchronized (this) {
                if (states.get(i) != PRESENT) {
                    continue;
                }
                states.set(i, RELEASING);
                if (pins.get(i) != 0) {
                    states.set(i, PRESENT); // being read: the next sweep takes it
                    continue;
                }
                boolean punched = false;
                try {
                    punched = punch(segment.asSlice(offset, n));
                    if (!punched) {
                        segment.asSlice(offset, n).unload();
                    }
                } finally {
                    states.set(i, punched ? ABSENT : PRESENT);
                }
                released += n;
            }
        }
        return released;
    }

    /** Frees a range's pages and disk; false if that cannot be done here. */
    private static boolean punch(MemorySegment range) {
        if (MADVISE == null) {
            return false;
        }
        try {
            return (int) MADVISE.invokeExact(range, range.byteSize(), MADV_REMOVE) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    // Restricted: only called when the module has native access (checked first), so no warning.
    @SuppressWarnings("restricted")
    private static MethodHandle madvise() {
        if (!ChunkCache.class.getModule().isNativeAccessEnabled()
                || !System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup()
                    .find("madvise")
                    .map(
                            symbol ->
                                    linker.downcallHandle(
                                            symbol,
                                            FunctionDescriptor.of(
                                                    ValueLayout.JAVA_INT,
                                                    ValueLayout.ADDRESS,
                                                    ValueLayout.JAVA_LONG,
                                                    ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether {@link #release} frees disk here (native access on Linux). */
    static boolean punchesHoles() {
        return MADVISE != null;
    }

    /** Fails waiting readers, stops fetches, closes the object's client and the cache file. */
    @Override
    public void close() {
        closed = true;
        fetchers.shutdownNow();
        object.close();
        try {
            file.close();
        } catch (IOException e) {
            // the file is unlinked already; its pages go with the mapping
        }
    }

    /** Writes a fetched chunk into the cache file at its offset. */
    private record ChunkWriter(FileChannel file, long offset, long size)
            implements RemoteTransport.Destination {
        @Override
        public void write(long at, ByteBuffer bytes) throws IOException {
            long position = offset + at;
            while (bytes.hasRemaining()) {
                position += file.write(bytes, position);
            }
        }
    }

    @Override
    public String toString() {
        return object.toString();
    }
}
