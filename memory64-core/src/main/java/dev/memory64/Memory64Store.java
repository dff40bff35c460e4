package dev.memory64;

import dev.memory64.abi.GuestMemory;
import dev.memory64.internal.Bytes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of memory64: one off-heap {@link MemorySegment} per region of a {@link
 * MemoryLayout}, a table of {@link Layer}s, and lock-free {@link Memory64Stats}.
 *
 * <p>Each region has its own {@link RegionBacking}: allocated, reserved (lazily committed) or
 * mapped from a file. All segments belong to one shared {@link Arena} that the store owns; {@link
 * #close()} releases everything.
 *
 * <p>Offsets and lengths are {@code long}s read as unsigned: a negative value is 2<sup>63</sup> or
 * more and always out of range. Ranges may span region boundaries. Every range is checked before a
 * byte is touched; copies then run in chunks of {@link #CHUNK_SIZE} so that {@link #close()} never
 * waits behind one multi-GiB copy. Reads take no lock: many threads may read (and write disjoint
 * ranges) at once.
 *
 * <pre>{@code
 * try (Memory64Store store = Memory64Store.reserve(MemoryLayout.single(64, "weights"))) {
 *     store.write(0, weights);
 *     store.registerLayer(0, "embeddings", 0, weights.length);
 *     store.read(0, buffer);
 * }
 * }</pre>
 */
public final class Memory64Store implements AutoCloseable {

    /** The largest number of bytes one copy step moves before checking for close again: 4 MiB. */
    public static final long CHUNK_SIZE = 4L << 20;

    /** The most prefetches queued or running at once; more are dropped. */
    public static final int PREFETCH_IN_FLIGHT = 4;

    private static final Logger LOG = LoggerFactory.getLogger(Memory64Store.class);
    private static final AtomicInteger ANONYMOUS = new AtomicInteger();

    private final String name;
    private final MemoryLayout layout;
    private final Arena arena;
    private final MemorySegment[] segments;
    private final RegionBacking[] backings;
    private final boolean[] writable;
    private final LayerTable layers;
    private final StatsCounter stats = new StatsCounter();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ObjectName jmxName;
    private final Semaphore prefetchPermits = new Semaphore(PREFETCH_IN_FLIGHT);
    private ExecutorService prefetcher;

    private Memory64Store(
            String name,
            MemoryLayout layout,
            Arena arena,
            MemorySegment[] segments,
            RegionBacking[] backings) {
        this.name = name;
        this.layout = layout;
        this.arena = arena;
        this.segments = segments;
        this.backings = backings;
        this.writable = new boolean[backings.length];
        for (int i = 0; i < backings.length; i++) {
            writable[i] = !(backings[i] instanceof RegionBacking.Mapped m) || m.writable();
        }
        this.layers = new LayerTable(layout);
    }

    /**
     * Creates a store whose every region is {@linkplain RegionBacking#allocated() allocated}:
     * zeroed off-heap memory, committed now.
     *
     * @param layout the layout
     * @return the store
     * @throws OutOfMemoryError if the machine cannot provide the memory
     */
    public static Memory64Store allocate(MemoryLayout layout) {
        try {
            return builder(layout).withDefaultBacking(RegionBacking.allocated()).build();
        } catch (IOException e) {
            throw new IllegalStateException("allocate: unexpected I/O failure", e);
        }
    }

    /**
     * Creates a store whose every region is {@linkplain RegionBacking#reserved() reserved}: lazily
     * committed, so that only touched pages cost memory.
     *
     * @param layout the layout
     * @return the store
     * @throws IOException if the temporary files cannot be created or mapped
     */
    public static Memory64Store reserve(MemoryLayout layout) throws IOException {
        return builder(layout).withDefaultBacking(RegionBacking.reserved()).build();
    }

    /**
     * Starts a store with a backing per region; regions not named get the default backing (reserved
     * unless changed).
     *
     * @param layout the layout
     * @return a new builder
     */
    public static Builder builder(MemoryLayout layout) {
        return new Builder(layout);
    }

    /**
     * Returns the store's name, used in messages, logs and its JMX object name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the layout.
     *
     * @return the layout
     */
    public MemoryLayout layout() {
        return layout;
    }

    /**
     * Returns the total size of the layout.
     *
     * @return the size in bytes
     */
    public long size() {
        return layout.size();
    }

    /**
     * Returns a region's backing.
     *
     * @param regionIndex the region's index
     * @return how its bytes are held
     * @throws IndexOutOfBoundsException if there is no such region
     */
    public RegionBacking backing(int regionIndex) {
        return backings[regionIndex];
    }

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return true once the store is closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    // ---------------------------------------------------------------------------------------
    // Layers

    /**
     * Registers a layer named after its kind.
     *
     * @param layerId the id a guest will pass; non-negative and not yet registered
     * @param kind what the layer holds; also its name
     * @param offset the layer's first byte in the layout
     * @param size the layer's size, 1 to {@link Layer#MAX_SIZE} bytes
     * @return the registered layer
     * @throws IllegalArgumentException if the id is taken, or the range is not inside the layout or
     *     breaks the {@link Layer} rules; nothing is registered then
     */
    public Layer registerLayer(int layerId, String kind, long offset, long size) {
        Layer layer = new Layer(layerId, kind, kind, offset, size);
        registerLayers(List.of(layer));
        return layer;
    }

    /**
     * Registers several layers at once: either all of them or, if one is invalid, none.
     *
     * @param newLayers the layers
     * @throws IllegalArgumentException if an id is taken or repeated, or a range is not inside the
     *     layout
     */
    public void registerLayers(Collection<Layer> newLayers) {
        layers.register(List.copyOf(newLayers), List.of());
    }

    /**
     * Registers layers and the tensors inside them at once: all or none.
     *
     * @param newLayers the layers
     * @param tensors tensors of these or of already registered layers
     * @throws IllegalArgumentException if a layer is invalid, or a tensor names no layer, does not
     *     fit in its layer, or repeats a name
     */
    public void registerLayers(Collection<Layer> newLayers, Collection<TensorInfo> tensors) {
        layers.register(List.copyOf(newLayers), List.copyOf(tensors));
    }

    /**
     * Looks a layer up by id, without locking.
     *
     * @param layerId the id
     * @return the layer, or null if none has that id
     */
    public Layer layer(int layerId) {
        return layers.layer(layerId);
    }

    /**
     * Looks a layer up by name; if several layers share the name, the one with the lowest id.
     *
     * @param layerName the name
     * @return the layer, or null if none has that name
     */
    public Layer layer(String layerName) {
        return layers.layer(layerName);
    }

    /**
     * Returns every layer, in id order.
     *
     * @return an immutable list
     */
    public List<Layer> layers() {
        return layers.layers();
    }

    /**
     * Looks a tensor up by name.
     *
     * @param tensorName the name
     * @return the tensor, or null if none has that name
     */
    public TensorInfo tensor(String tensorName) {
        return layers.tensor(tensorName);
    }

    /**
     * Returns every registered tensor, in no particular order.
     *
     * @return an immutable collection
     */
    public Collection<TensorInfo> tensors() {
        return layers.tensors();
    }

    // ---------------------------------------------------------------------------------------
    // Stats

    /**
     * Returns a consistent snapshot of the counters.
     *
     * @return the snapshot
     */
    public Memory64Stats stats() {
        return stats.snapshot();
    }

    /**
     * Counts a failed operation that the store did not see itself (an ABI call rejected before it
     * reached the store).
     */
    public void recordError() {
        stats.error();
    }

    /**
     * Registers a JMX MBean named {@code dev.memory64:type=Memory64Store,name="<name>"} (the name
     * quoted by {@link ObjectName#quote}) exposing the counters; it is unregistered on {@link
     * #close()}. Calling it again does nothing.
     *
     * @return the object name
     * @throws IllegalStateException if the MBean cannot be registered (e.g. the name is taken)
     */
    public synchronized ObjectName registerMBean() {
        if (jmxName != null) {
            return jmxName;
        }
        try {
            ObjectName objectName =
                    new ObjectName(
                            "dev.memory64:type=Memory64Store,name=" + ObjectName.quote(name));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(
                    new StandardMBean(new MBean(), Memory64StoreMXBean.class, true), objectName);
            jmxName = objectName;
            return objectName;
        } catch (JMException e) {
            throw new IllegalStateException(
                    "registerMBean: cannot register store \"" + name + "\": " + e, e);
        }
    }

    private final class MBean implements Memory64StoreMXBean {
        @Override
        public long getReads() {
            return stats().reads();
        }

        @Override
        public long getWrites() {
            return stats().writes();
        }

        @Override
        public long getBytesRead() {
            return stats().bytesRead();
        }

        @Override
        public long getBytesWritten() {
            return stats().bytesWritten();
        }

        @Override
        public long getErrors() {
            return stats().errors();
        }

        @Override
        public long getSize() {
            return layout.size();
        }

        @Override
        public int getLayerCount() {
            return layers().size();
        }

        @Override
        public boolean isClosed() {
            return Memory64Store.this.isClosed();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Host I/O

    /**
     * Copies a whole array into the store.
     *
     * @param offset where the first byte goes
     * @param src the bytes
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void write(long offset, byte[] src) throws Memory64Exception {
        write(offset, src, 0, src.length);
    }

    /**
     * Copies part of an array into the store.
     *
     * @param offset where the first byte goes
     * @param src the array
     * @param srcIndex the first byte of {@code src} to copy
     * @param len how many bytes
     * @throws IndexOutOfBoundsException if a range is outside the array, the layout or an unbacked
     *     tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void write(long offset, byte[] src, int srcIndex, int len) throws Memory64Exception {
        Objects.checkFromIndexSize(srcIndex, len, src.length);
        copy("write", offset, MemorySegment.ofArray(src).asSlice(srcIndex, len), true);
    }

    /**
     * Copies the remaining bytes of a buffer into the store and advances its position past them.
     *
     * @param offset where the first byte goes
     * @param src the buffer
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws Memory64Exception if the store is closed or the storage faults (the position is then
     *     unchanged)
     */
    public void write(long offset, ByteBuffer src) throws Memory64Exception {
        int n = src.remaining();
        copy("write", offset, MemorySegment.ofBuffer(src), true);
        src.position(src.position() + n);
    }

    /**
     * Copies a whole segment into the store.
     *
     * @param offset where the first byte goes
     * @param src the bytes
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void write(long offset, MemorySegment src) throws Memory64Exception {
        copy("write", offset, src, true);
    }

    /**
     * Fills an array from the store.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void read(long offset, byte[] dst) throws Memory64Exception {
        read(offset, dst, 0, dst.length);
    }

    /**
     * Fills part of an array from the store.
     *
     * @param offset the first byte to read
     * @param dst the array
     * @param dstIndex where in {@code dst} the first byte goes
     * @param len how many bytes
     * @throws IndexOutOfBoundsException if a range is outside the array, the layout or an unbacked
     *     tail
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void read(long offset, byte[] dst, int dstIndex, int len) throws Memory64Exception {
        Objects.checkFromIndexSize(dstIndex, len, dst.length);
        copy("read", offset, MemorySegment.ofArray(dst).asSlice(dstIndex, len), false);
    }

    /**
     * Fills the remaining bytes of a buffer from the store and advances its position past them.
     *
     * @param offset the first byte to read
     * @param dst the buffer
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws Memory64Exception if the store is closed or the storage faults (the position is then
     *     unchanged)
     */
    public void read(long offset, ByteBuffer dst) throws Memory64Exception {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int n = dst.remaining();
        copy("read", offset, MemorySegment.ofBuffer(dst), false);
        dst.position(dst.position() + n);
    }

    /**
     * Fills a whole segment from the store.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void read(long offset, MemorySegment dst) throws Memory64Exception {
        copy("read", offset, dst, false);
    }

    /**
     * Copies {@code len} bytes from the store into the start of a segment; for adapters.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go; at least {@code len} bytes
     * @param len how many bytes
     * @throws IndexOutOfBoundsException if the range is outside the layout, an unbacked tail, or
     *     {@code dst}
     * @throws Memory64Exception if the store is closed or the storage faults
     */
    public void copyTo(long offset, MemorySegment dst, long len) throws Memory64Exception {
        if (len < 0 || len > dst.byteSize()) {
            throw rejected(
                    new IndexOutOfBoundsException(
                            "copyTo offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds the destination size="
                                    + dst.byteSize()));
        }
        copy("copyTo", offset, dst.asSlice(0, len), false);
    }

    /**
     * Copies {@code len} bytes from the store into a guest's memory, slice by slice, with no
     * intermediate buffer: the path of every ABI load. The guest range must have been checked by
     * the caller.
     *
     * @param offset the first byte to read
     * @param len how many bytes
     * @param dst the guest memory
     * @param dstOffset where in the guest the first byte goes
     * @throws IndexOutOfBoundsException if the range is outside the layout or an unbacked tail
     * @throws Memory64Exception if the store is closed or the storage faults
     * @throws RuntimeException whatever {@link GuestMemory#write} throws, unchanged
     */
    public void copyTo(long offset, long len, GuestMemory dst, long dstOffset)
            throws Memory64Exception {
        transfer("copyTo", offset, len, false, null, Objects.requireNonNull(dst, "dst"), dstOffset);
    }

    /**
     * Checks a range and returns the index of the region holding its first byte; counts and throws
     * on a bad range.
     */
    private int checkRange(String op, long offset, long len, boolean write)
            throws StoreClosedException {
        if (closed.get()) {
            throw rejected(closedException(op, offset, len, null));
        }
        long size = layout.size();
        if ((offset | len) < 0 || len > size - offset) {
            throw rejected(
                    new IndexOutOfBoundsException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds layout size="
                                    + size
                                    + " ("
                                    + describeRegionAt(offset)
                                    + ")"));
        }
        if (len == 0) {
            return offset < size ? layout.regionIndex(offset) : layout.regionCount() - 1;
        }
        int first = layout.regionIndex(offset);
        long end = offset + len;
        for (int i = first; i < segments.length && layout.region(i).start() < end; i++) {
            MemoryRegion r = layout.region(i);
            long backedEnd = r.start() + segments[i].byteSize();
            if (end > backedEnd && backedEnd < r.end()) {
                throw rejected(
                        new IndexOutOfBoundsException(
                                op
                                        + " offset="
                                        + offset
                                        + " len="
                                        + len
                                        + " reaches past the backed part of region \""
                                        + r.name()
                                        + "\" ("
                                        + backings[i]
                                        + ", "
                                        + segments[i].byteSize()
                                        + " of "
                                        + r.size()
                                        + " bytes backed)"));
            }
            if (write && !writable[i]) {
                throw rejected(
                        new IllegalStateException(
                                op
                                        + " offset="
                                        + offset
                                        + " len="
                                        + len
                                        + " touches read-only region \""
                                        + r.name()
                                        + "\" ("
                                        + backings[i]
                                        + ")"));
            }
        }
        return first;
    }

    /** Counts a rejected or failed operation and logs it at DEBUG, then returns it to throw. */
    private <T extends Exception> T rejected(T failure) {
        stats.error();
        LOG.debug("{}", failure.getMessage());
        return failure;
    }

    private String describeRegionAt(long offset) {
        MemoryRegion r =
                layout.contains(offset)
                        ? layout.findRegion(offset)
                        : layout.region(layout.regionCount() - 1);
        return "region \"" + r.name() + "\", " + Bytes.binary(r.size());
    }

    private void copy(String op, long offset, MemorySegment host, boolean write)
            throws Memory64Exception {
        transfer(op, offset, host.byteSize(), write, host, null, 0);
    }

    /**
     * The one copy loop: checks the range, then moves it region by region in chunks of at most
     * {@link #CHUNK_SIZE}, checking for close between chunks. The other side is either a host
     * segment ({@code host}, read or written) or a guest memory ({@code guest}, written).
     */
    private void transfer(
            String op,
            long offset,
            long len,
            boolean write,
            MemorySegment host,
            GuestMemory guest,
            long guestOffset)
            throws Memory64Exception {
        int region = checkRange(op, offset, len, write);
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        long done = 0;
        try {
            while (done < len) {
                MemoryRegion r = layout.region(region);
                long local = offset + done - r.start();
                long n = Math.min(Math.min(len - done, r.size() - local), CHUNK_SIZE);
                if (closed.get()) {
                    throw rejected(closedException(op, offset, len, null));
                }
                if (guest != null) {
                    guest.write(guestOffset + done, segments[region].asSlice(local, n));
                } else if (write) {
                    MemorySegment.copy(host, done, segments[region], local, n);
                } else {
                    MemorySegment.copy(segments[region], local, host, done, n);
                }
                done += n;
                if (local + n == r.size()) {
                    region++;
                }
            }
        } catch (InternalError | IllegalStateException e) {
            if (closed.get() && !interruptedBefore) {
                // The JDK stops a thread inside a copy from a closing shared arena with an
                // asynchronous exception, and sets the thread's interrupt flag on the way. That
                // flag is not the caller's: a Wasm runtime would trap the guest on it later.
                Thread.interrupted();
            }
            throw translate(op, offset, len, region, e);
        }
        if (write) {
            stats.write(len);
        } else {
            stats.read(len);
        }
    }

    /**
     * Turns a failure during a copy into the store's own: closed, or a storage fault. Anything else
     * (an {@link IllegalStateException} from a destination that is not ours) is rethrown as is.
     */
    private Memory64Exception translate(String op, long offset, long len, int region, Throwable e) {
        if (closed.get()) {
            return rejected(closedException(op, offset, len, e));
        }
        if (e instanceof IllegalStateException ise) {
            throw ise; // not ours: the caller's destination failed
        }
        MemoryRegion r = layout.region(Math.min(region, layout.regionCount() - 1));
        Memory64Exception failure =
                new Memory64Exception(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + ": the storage of region \""
                                + r.name()
                                + "\" ("
                                + backings[r.index()]
                                + ") faulted; a mapped file may have been truncated, or the"
                                + " file system behind a reserved region is full",
                        e);
        return rejected(failure);
    }

    private StoreClosedException closedException(String op, long offset, long len, Throwable e) {
        return new StoreClosedException(
                op
                        + " offset="
                        + Unsigned64.toString(offset)
                        + " len="
                        + Unsigned64.toString(len)
                        + ": store \""
                        + name
                        + "\" is closed",
                e);
    }

    // ---------------------------------------------------------------------------------------
    // Read-ahead

    /**
     * Starts bringing a layer's pages into memory in the background, so that a later load does not
     * wait for the disk. Useful for mapped (and reserved) regions; a no-op for allocated ones. A
     * hint: at most {@link #PREFETCH_IN_FLIGHT} prefetches are queued or running at once, and one
     * asked for beyond that is dropped (the returned future is already done).
     *
     * @param layerId the layer to prefetch
     * @return a future that completes when the pages are in, or that {@code cancel(true)} stops
     * @throws IllegalArgumentException if no layer has that id
     */
    public Future<?> prefetch(int layerId) {
        return prefetch(layerId, ProgressListener.NONE);
    }

    /**
     * Like {@link #prefetch(int)}, reporting progress in bytes as it goes.
     *
     * @param layerId the layer to prefetch
     * @param listener told of progress, from the background thread
     * @return a future that completes when the pages are in, or that {@code cancel(true)} stops
     * @throws IllegalArgumentException if no layer has that id
     */
    public Future<?> prefetch(int layerId, ProgressListener listener) {
        Layer layer = layer(layerId);
        if (layer == null) {
            throw new IllegalArgumentException("prefetch: no layer with id=" + layerId);
        }
        Objects.requireNonNull(listener, "listener");
        if (closed.get() || !prefetchPermits.tryAcquire()) {
            return CompletableFuture.completedFuture(null);
        }
        // The permit comes back exactly once: when the task completes, fails or is cancelled.
        FutureTask<Void> task =
                new FutureTask<>(() -> touch(layer, listener), null) {
                    @Override
                    protected void done() {
                        prefetchPermits.release();
                    }
                };
        try {
            prefetcher().execute(task);
        } catch (RuntimeException e) {
            task.cancel(false);
            return CompletableFuture.completedFuture(null);
        }
        return task;
    }

    private void touch(Layer layer, ProgressListener listener) {
        String task = "prefetch layer " + layer.id() + " (\"" + layer.name() + "\")";
        try {
            long offset = layer.offset();
            long end = layer.end();
            int region = layout.regionIndex(offset);
            listener.progress(task, 0, layer.size());
            while (offset < end) {
                if (closed.get() || Thread.currentThread().isInterrupted()) {
                    return;
                }
                MemoryRegion r = layout.region(region);
                long local = offset - r.start();
                long n = Math.min(Math.min(end - offset, r.size() - local), CHUNK_SIZE);
                MemorySegment segment = segments[region];
                if (segment.isMapped() && local + n <= segment.byteSize()) {
                    segment.asSlice(local, n).load();
                }
                offset += n;
                if (offset == r.end()) {
                    region++;
                }
                listener.progress(task, offset - layer.offset(), layer.size());
            }
        } catch (RuntimeException | InternalError e) {
            LOG.debug("{} stopped: {}", task, e.toString());
        }
    }

    private synchronized ExecutorService prefetcher() {
        if (prefetcher == null) {
            prefetcher =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "memory64-prefetch-" + name);
                                t.setDaemon(true);
                                return t;
                            });
        }
        return prefetcher;
    }

    // ---------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Releases every segment (unmapping mapped files and dropping reserved pages) and unregisters
     * the MBean. Accesses after or during close fail with a {@link StoreClosedException}. Calling
     * it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (prefetcher != null) {
                for (Runnable queued : prefetcher.shutdownNow()) {
                    if (queued instanceof Future<?> future) {
                        future.cancel(false);
                    }
                }
            }
        }
        // A thread inside a chunk may briefly keep the arena busy; it stops at the next chunk.
        while (true) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException busy) {
                if (!arena.scope().isAlive()) {
                    break;
                }
                Thread.onSpinWait();
            }
        }
        ObjectName objectName = jmxName;
        if (objectName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (JMException e) {
                LOG.debug("close: cannot unregister MBean {}: {}", objectName, e.toString());
            }
        }
        Memory64Stats s = stats.snapshot();
        LOG.info(
                "closed store \"{}\" ({}): {} reads, {} writes, {} errors",
                name,
                Bytes.binary(layout.size()),
                s.reads(),
                s.writes(),
                s.errors());
    }

    @Override
    public String toString() {
        return "Memory64Store[\""
                + name
                + "\", "
                + layout
                + ", "
                + layers().size()
                + " layers"
                + (isClosed() ? ", closed" : "")
                + "]";
    }

    /** Builds a {@link Memory64Store} with a backing chosen per region. */
    public static final class Builder {
        private final MemoryLayout layout;
        private final Map<String, RegionBacking> backings = new HashMap<>();
        private RegionBacking defaultBacking = RegionBacking.reserved();
        private String name;
        private boolean jmx;

        private Builder(MemoryLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
        }

        /**
         * Sets the backing of every region not given one by {@link #withBacking}.
         *
         * @param backing the backing
         * @return this builder
         */
        public Builder withDefaultBacking(RegionBacking backing) {
            this.defaultBacking = Objects.requireNonNull(backing, "backing");
            return this;
        }

        /**
         * Sets one region's backing.
         *
         * @param regionName the region's name
         * @param backing the backing
         * @return this builder
         * @throws IllegalArgumentException if the layout has no region of that name
         */
        public Builder withBacking(String regionName, RegionBacking backing) {
            layout.region(regionName);
            backings.put(regionName, Objects.requireNonNull(backing, "backing"));
            return this;
        }

        /**
         * Names the store, for messages, logs and JMX; by default {@code "store-N"}.
         *
         * @param storeName the name
         * @return this builder
         */
        public Builder withName(String storeName) {
            this.name = Objects.requireNonNull(storeName, "storeName");
            return this;
        }

        /**
         * Registers the JMX MBean when the store is built (see {@link
         * Memory64Store#registerMBean()}).
         *
         * @param enabled whether to register it
         * @return this builder
         */
        public Builder withJmx(boolean enabled) {
            this.jmx = enabled;
            return this;
        }

        /**
         * Creates every region's segment. If one fails, those already created are released.
         *
         * @return the store
         * @throws IOException if a file cannot be opened, created or mapped
         * @throws IllegalArgumentException if a mapped file offset is past the end of its file
         * @throws OutOfMemoryError if allocated memory cannot be had
         */
        public Memory64Store build() throws IOException {
            String storeName = name != null ? name : "store-" + ANONYMOUS.incrementAndGet();
            int count = layout.regionCount();
            RegionBacking[] chosen = new RegionBacking[count];
            MemorySegment[] segments = new MemorySegment[count];
            Arena arena = Arena.ofShared();
            boolean success = false;
            try {
                for (int i = 0; i < count; i++) {
                    MemoryRegion region = layout.region(i);
                    chosen[i] = backings.getOrDefault(region.name(), defaultBacking);
                    segments[i] = open(arena, region, chosen[i]);
                }
                success = true;
            } finally {
                if (!success) {
                    arena.close();
                }
            }
            Memory64Store store = new Memory64Store(storeName, layout, arena, segments, chosen);
            if (jmx) {
                try {
                    store.registerMBean();
                } catch (RuntimeException e) {
                    store.close();
                    throw e;
                }
            }
            if (LOG.isInfoEnabled()) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    MemoryRegion r = layout.region(i);
                    parts.add(r.name() + " " + Bytes.binary(r.size()) + " " + chosen[i]);
                }
                LOG.info(
                        "opened store \"{}\": {} regions, {}: {}",
                        storeName,
                        count,
                        Bytes.binary(layout.size()),
                        String.join("; ", parts));
            }
            return store;
        }

        private static MemorySegment open(Arena arena, MemoryRegion region, RegionBacking backing)
                throws IOException {
            return switch (backing) {
                case RegionBacking.Allocated a -> arena.allocate(region.size(), 64);
                case RegionBacking.Reserved r -> reserve(arena, region, r.directory());
                case RegionBacking.Mapped m -> map(arena, region, m);
            };
        }

        private static MemorySegment reserve(Arena arena, MemoryRegion region, Path directory)
                throws IOException {
            Path file =
                    Files.createTempFile(
                            directory, "memory64-" + region.index() + "-", ".reserved");
            try (FileChannel channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.SPARSE)) {
                // Mapping read-write past the end grows the file sparsely: no page is committed.
                return channel.map(FileChannel.MapMode.READ_WRITE, 0, region.size(), arena);
            } finally {
                Files.deleteIfExists(file);
            }
        }

        private static MemorySegment map(Arena arena, MemoryRegion region, RegionBacking.Mapped m)
                throws IOException {
            StandardOpenOption[] options =
                    m.writable()
                            ? new StandardOpenOption[] {
                                StandardOpenOption.READ, StandardOpenOption.WRITE
                            }
                            : new StandardOpenOption[] {StandardOpenOption.READ};
            try (FileChannel channel = FileChannel.open(m.file(), options)) {
                long fileSize = channel.size();
                if (m.fileOffset() > fileSize) {
                    throw new IllegalArgumentException(
                            "map region \""
                                    + region.name()
                                    + "\": fileOffset="
                                    + m.fileOffset()
                                    + " is past the end of "
                                    + m.file()
                                    + " (size="
                                    + fileSize
                                    + ")");
                }
                long backed = Math.min(region.size(), fileSize - m.fileOffset());
                if (backed == 0) {
                    return MemorySegment.NULL;
                }
                FileChannel.MapMode mode =
                        m.writable()
                                ? FileChannel.MapMode.READ_WRITE
                                : FileChannel.MapMode.READ_ONLY;
                return channel.map(mode, m.fileOffset(), backed, arena);
            }
        }
    }
}
