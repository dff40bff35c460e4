package dev.memory64;

import dev.memory64.internal.SparseReservation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
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

    private final RemoteObject object;
    private final FileChannel file;
    private final MemorySegment segment;
    private final long chunkSize;
    private final AtomicIntegerArray states;
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
            if ((backed + backing.options().chunkSize() - 1) / backing.options().chunkSize()
                    > Integer.MAX_VALUE) {
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
                                : file.map(FileChannel.MapMode.READ_ONLY, 0, backed, arena);
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
     * (into the page cache, no page fault per page) and read through its read-only mapping.
     */
    private static FileChannel cacheFile(Path directory) throws IOException {
        FileStore store = Files.getFileStore(directory);
        FileAttribute<?>[] ownerOnly =
                store.supportsFileAttributeView("posix")
                        ? new FileAttribute<?>[] {
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------"))
                        }
                        : new FileAttribute<?>[0];
        Path path = Files.createTempFile(directory, "memory64-", ".cache", ownerOnly);
        try {
            return FileChannel.open(
                    path,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    MemorySegment segment() {
        return segment;
    }

    /**
     * Makes {@code [local, local + len)} of the cache present, fetching its absent chunks in
     * parallel and waiting for those already being fetched. Returns at once if all are present.
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
        int i = first;
        while (i <= last && states.get(i) == PRESENT) {
            i++;
        }
        if (i > last) {
            return;
        }
        List<CompletableFuture<?>> waits = new ArrayList<>(last - i + 1);
        synchronized (this) {
            for (; i <= last; i++) {
                int state = states.get(i);
                if (state == FETCHING) {
                    waits.add(pending[i]);
                } else if (state == ABSENT) {
                    waits.add(start(i));
                }
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
     * Releases the resident pages of the present chunks wholly inside {@code [local, local + len)}
     * ({@code MemorySegment.unload()}); the bytes stay in the cache file, so the chunks stay
     * present and come back from the local disk when next read.
     *
     * @return the bytes released
     */
    long release(long local, long len) {
        long end = Math.min(local + len, segment.byteSize());
        long first = Math.ceilDiv(local, chunkSize);
        long released = 0;
        for (long i = first; i * chunkSize < end; i++) {
            long offset = i * chunkSize;
            long n = Math.min(chunkSize, segment.byteSize() - offset);
            if (offset + n > end || states.get((int) i) != PRESENT) {
                continue;
            }
            segment.asSlice(offset, n).unload();
            released += n;
        }
        return released;
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
            implements RemoteObject.Destination {
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
