package dev.memory64;

import dev.memory64.internal.StoreAccess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;

/**
 * The host side of memory64: one off-heap {@link MemorySegment} per region of a {@link
 * MemoryLayout}, a table of {@link Layer}s, and lock-free {@link Memory64Stats}.
 *
 * <p>Each region has its own {@link RegionBacking}: allocated, reserved (lazily committed) or
 * mapped from a file. All segments belong to one shared {@link java.lang.foreign.Arena} that the
 * store owns; {@link #close()} releases everything.
 *
 * <p>Offsets and lengths are {@code long}s read as unsigned: a negative value is 2<sup>63</sup> or
 * more and always out of range. Ranges may span region boundaries. Every range is checked before a
 * byte is touched; copies then run in chunks of 4 MiB so that {@link #close()} never waits behind
 * one multi-GiB copy. Reads take no lock: many threads may read (and write disjoint ranges) at
 * once.
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

    private static final AtomicInteger ANONYMOUS = new AtomicInteger();

    static {
        StoreAccess.install(new StoreHooks());
    }

    private final String name;
    private final MemoryLayout layout;
    private final RegionStorage storage;
    private final StoreChecks checks;
    // Package-private for StoreHooks, through which the guest ABI counts and looks up names.
    final StatsCounter stats;
    final LayerTable layers;
    private final ModelMetadata metadata;

    /** The residency policy's mechanism, or null when it is off. */
    private volatile Residency residency;

    /** Made on the first prefetch (most stores never prefetch); guarded by {@code this}. */
    private Prefetcher prefetcher;

    private final AtomicBoolean closed = new AtomicBoolean();
    private ObjectName jmxName;

    private Memory64Store(
            String name,
            MemoryLayout layout,
            StatsCounter stats,
            RegionStorage storage,
            ModelMetadata metadata) {
        this.name = name;
        this.metadata = metadata;
        this.layout = layout;
        this.storage = storage;
        this.checks = storage.checks();
        this.stats = stats;
        this.layers = new LayerTable(layout);
    }

    /** The prefetcher, made on first use; one made after close is shut down at once. */
    private synchronized Prefetcher prefetcher() {
        if (prefetcher == null) {
            prefetcher = new Prefetcher(storage);
            if (closed.get()) {
                prefetcher.shutdown();
            }
        }
        return prefetcher;
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
     * Returns the model's key/value metadata: what guests read by key, set by {@link
     * Builder#withMetadata} or, for a model opened from a file, from its header.
     *
     * @return the metadata, empty if none was given
     */
    public ModelMetadata metadata() {
        return metadata;
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
        return storage.backing(regionIndex);
    }

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return true once the store is closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Registers a layer named after its kind.
     *
     * @param layerId the id a guest will pass; non-negative and not yet registered
     * @param kind what the layer holds; also its name
     * @param offset the layer's first byte in the layout
     * @param size the layer's size in bytes, at least one
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
     * Copies a whole array into the store.
     *
     * @param offset where the first byte goes
     * @param src the bytes
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
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
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void write(long offset, byte[] src, int srcIndex, int len) throws Memory64Exception {
        checks.slice("write", offset, srcIndex, len, src.length);
        storage.write("write", offset, MemorySegment.ofArray(src).asSlice(srcIndex, len));
    }

    /**
     * Copies the remaining bytes of a buffer into the store and advances its position past them.
     *
     * @param offset where the first byte goes
     * @param src the buffer
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults (the position is then unchanged)
     */
    public void write(long offset, ByteBuffer src) throws Memory64Exception {
        int n = src.remaining();
        write(offset, MemorySegment.ofBuffer(src));
        src.position(src.position() + n);
    }

    /**
     * Copies a whole segment into the store.
     *
     * @param offset where the first byte goes
     * @param src the bytes
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws IllegalStateException if the range touches a read-only region
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void write(long offset, MemorySegment src) throws Memory64Exception {
        storage.write("write", offset, src);
    }

    /**
     * Fills an array from the store.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
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
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void read(long offset, byte[] dst, int dstIndex, int len) throws Memory64Exception {
        checks.slice("read", offset, dstIndex, len, dst.length);
        hostRead(
                "read",
                -1,
                storage.whole(),
                offset,
                MemorySegment.ofArray(dst).asSlice(dstIndex, len));
    }

    /**
     * Fills the remaining bytes of a buffer from the store and advances its position past them.
     *
     * @param offset the first byte to read
     * @param dst the buffer
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws ReadOnlyBufferException if {@code dst} is read-only
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults (the position is then unchanged)
     */
    public void read(long offset, ByteBuffer dst) throws Memory64Exception {
        if (dst.isReadOnly()) {
            checks.rejected(new IllegalArgumentException("read into a read-only buffer"));
            throw new ReadOnlyBufferException();
        }
        int n = dst.remaining();
        read(offset, MemorySegment.ofBuffer(dst));
        dst.position(dst.position() + n);
    }

    /**
     * Fills a whole segment from the store.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws IllegalArgumentException if {@code dst} is read-only
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void read(long offset, MemorySegment dst) throws Memory64Exception {
        checks.writable("read", offset, dst);
        hostRead("read", -1, storage.whole(), offset, dst);
    }

    /**
     * Copies {@code len} bytes from the store into the start of a segment.
     *
     * @param offset the first byte to read
     * @param dst where the bytes go; at least {@code len} bytes
     * @param len how many bytes
     * @throws IndexOutOfBoundsException if the range is outside the layout, an unbacked tail, or
     *     {@code dst}
     * @throws IllegalArgumentException if {@code dst} is read-only
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void copyTo(long offset, MemorySegment dst, long len) throws Memory64Exception {
        checks.fits("copyTo", offset, dst, len);
        checks.writable("copyTo", offset, dst);
        hostRead("copyTo", -1, storage.whole(), offset, dst.asSlice(0, len));
    }

    /**
     * Delivers {@code len} bytes from the store to a sink, chunk by chunk (at most 4 MiB each, in
     * order), with no intermediate buffer: how a guest load reaches a guest's memory, and how a
     * host can digest or send a range of any size.
     *
     * @param offset the first byte to read
     * @param dst the sink
     * @param dstOffset the sink offset of the first byte; each chunk's is this plus the bytes
     *     delivered before it
     * @param len how many bytes
     * @throws StoreRangeException if the range is outside the layout or an unbacked tail
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     * @throws RuntimeException whatever the sink throws, unchanged
     */
    public void copyTo(long offset, SegmentSink dst, long dstOffset, long len)
            throws Memory64Exception {
        Objects.requireNonNull(dst, "dst");
        storage.read("copyTo", storage.whole(), offset, len, dst, dstOffset);
    }

    /**
     * Delivers {@code len} bytes of a layer's logical byte sequence, from {@code layerOffset}, to a
     * sink, chunk by chunk and in order, across the layer's extents: the bytes a guest's {@code
     * memory64_load_layer_range} sees. Every extent the range touches is checked before the first
     * byte moves; the whole counts as one read.
     *
     * @param layerId the layer
     * @param layerOffset the first byte, from the layer's start
     * @param dst the sink
     * @param dstOffset the sink offset of the first byte
     * @param len how many bytes
     * @throws IllegalArgumentException if no layer has that id
     * @throws StoreRangeException if the range is outside the layer, or an extent is in an unbacked
     *     tail
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     * @throws RuntimeException whatever the sink throws, unchanged
     */
    public void copyLayerTo(
            int layerId, long layerOffset, SegmentSink dst, long dstOffset, long len)
            throws Memory64Exception {
        Objects.requireNonNull(dst, "dst");
        Layer layer = checks.layerRange("copyLayerTo", layerId, layer(layerId), layerOffset, len);
        storage.read("copyLayerTo", layer.extents(), layerOffset, len, dst, dstOffset);
    }

    /**
     * {@link #copyLayerTo(int, long, SegmentSink, long, long)} for a layer of this store already
     * looked up, whose range {@code [layerOffset, layerOffset + len)} the caller has checked
     * against its size: a guest's load (through {@code StoreAccess}) looks its layer up once.
     */
    void copyLayerTo(Layer layer, long layerOffset, SegmentSink dst, long dstOffset, long len)
            throws Memory64Exception {
        storage.read("copyLayerTo", layer.extents(), layerOffset, len, dst, dstOffset);
    }

    /**
     * Fills a segment with a layer's logical bytes from {@code layerOffset}, across its extents.
     *
     * @param layerId the layer
     * @param layerOffset the first byte, from the layer's start
     * @param dst where the bytes go; its size is how many
     * @throws IllegalArgumentException if no layer has that id, or {@code dst} is read-only
     * @throws StoreRangeException if the range is outside the layer, or an extent is in an unbacked
     *     tail
     * @throws StoreClosedException if the store is closed
     * @throws Memory64Exception if the storage faults
     */
    public void readLayer(int layerId, long layerOffset, MemorySegment dst)
            throws Memory64Exception {
        checks.writable("readLayer", layerOffset, dst);
        Layer layer =
                checks.layerRange(
                        "readLayer", layerId, layer(layerId), layerOffset, dst.byteSize());
        hostRead("readLayer", layerId, layer.extents(), layerOffset, dst);
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
     * @return the layer, or null if none has that name (or the name is null)
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
     * @return the tensor, or null if none has that name (or the name is null)
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

    /**
     * Returns a consistent snapshot of the counters.
     *
     * @return the snapshot
     */
    public Memory64Stats stats() {
        Residency residency = this.residency;
        return stats.snapshot(residency != null ? residency.windowBytes() : 0);
    }

    /**
     * Sets how much of a streamed model stays mapped: from now on, pages of read-only mapped
     * regions that left every reader's window are released and what lies ahead is prefetched (see
     * {@link ResidencyPolicy}). {@link ResidencyPolicy#off()} stops it. Changing the policy starts
     * its bookkeeping afresh: pages kept under the previous one stay until the kernel reclaims
     * them.
     *
     * @param policy the policy
     */
    public void useResidency(ResidencyPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Residency next =
                policy.enabled()
                        ? new Residency(policy, storage, prefetcher(), layers::layers)
                        : null;
        residency = next;
        storage.observe(next);
    }

    /**
     * Returns the residency policy in use.
     *
     * @return the policy; {@link ResidencyPolicy#off()} unless set
     */
    public ResidencyPolicy residency() {
        Residency residency = this.residency;
        return residency != null ? residency.policy() : ResidencyPolicy.off();
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
        if (jmxName == null) {
            jmxName = StoreMBean.register(this);
        }
        return jmxName;
    }

    /**
     * Starts bringing a layer's pages into memory in the background, so that a later load does not
     * wait for the disk. Useful for mapped (and reserved) regions; a no-op for allocated ones. A
     * hint: at most four prefetches are queued or running at once, and one asked for beyond that is
     * dropped (the returned future is already done).
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
        Future<?> done = prefetcher().prefetch(layer, Objects.requireNonNull(listener, "listener"));
        Residency residency = this.residency;
        if (residency != null) {
            residency.prefetched(layerId);
        }
        return done;
    }

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
                prefetcher.shutdown();
            }
        }
        storage.close();
        ObjectName objectName;
        synchronized (this) {
            objectName = jmxName;
        }
        if (objectName != null) {
            StoreMBean.unregister(objectName);
        }
        storage.logClosed();
    }

    /**
     * A host read into a segment, through the same sink path as every read: a layout range ({@code
     * extents} the storage's whole layout, {@code layerId} -1) or a range of a layer's bytes;
     * recorded as a {@code dev.memory64.HostRead} Flight Recorder event when that is enabled.
     */
    private void hostRead(
            String op, int layerId, List<Layer.Extent> extents, long from, MemorySegment dst)
            throws Memory64Exception {
        long len = dst.byteSize();
        HostReadEvent event = HostReadEvent.start(name, op, layerId, from, len);
        boolean succeeded = false;
        try {
            storage.read(op, extents, from, len, new SegmentTarget(dst), 0);
            succeeded = true;
        } finally {
            HostReadEvent.end(event, succeeded);
        }
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

        /**
         * Null for the default, {@link RegionBacking#reserved()}, made only if a region uses it.
         */
        private RegionBacking defaultBacking;

        private String name;
        private boolean jmx;
        private ModelMetadata metadata = ModelMetadata.empty();

        /** Null for the default, off. */
        private ResidencyPolicy residency;

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
         * Sets the model's metadata, which guests read by key ({@code memory64_metadata_info},
         * {@code memory64_metadata_read}); empty unless set. Opening a GGUF model sets it from the
         * header.
         *
         * @param modelMetadata the metadata
         * @return this builder
         */
        public Builder withMetadata(ModelMetadata modelMetadata) {
            this.metadata = Objects.requireNonNull(modelMetadata, "modelMetadata");
            return this;
        }

        /**
         * Sets the residency policy the store starts with (see {@link #useResidency}); off unless
         * set.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder withResidency(ResidencyPolicy policy) {
            this.residency = Objects.requireNonNull(policy, "policy");
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
         * @throws IOException if a file cannot be opened, created or mapped (a directory named as a
         *     mapped file is refused with its path)
         * @throws IllegalArgumentException if a mapped file offset is past the end of its file
         * @throws OutOfMemoryError if allocated memory cannot be had
         */
        public Memory64Store build() throws IOException {
            String storeName = name != null ? name : "store-" + ANONYMOUS.incrementAndGet();
            int count = layout.regionCount();
            RegionBacking[] chosen = new RegionBacking[count];
            RegionBacking fallback = defaultBacking;
            for (int i = 0; i < count; i++) {
                chosen[i] = backings.get(layout.region(i).name());
                if (chosen[i] == null) {
                    fallback = fallback != null ? fallback : RegionBacking.reserved();
                    chosen[i] = fallback;
                }
            }
            StatsCounter stats = new StatsCounter();
            RegionStorage storage = RegionStorage.open(storeName, layout, chosen, stats);
            Memory64Store store = new Memory64Store(storeName, layout, stats, storage, metadata);
            if (residency != null) {
                store.useResidency(residency);
            }
            if (jmx) {
                try {
                    store.registerMBean();
                } catch (RuntimeException e) {
                    store.close();
                    throw e;
                }
            }
            return store;
        }
    }
}
