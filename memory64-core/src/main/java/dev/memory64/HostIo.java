package dev.memory64;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

/**
 * The host's reads and writes of a {@link Memory64Store}: each overload turns its array, buffer,
 * segment or sink into one call of the storage's copy loop, after checking what only it can check
 * (array slices, read-only destinations). A part of the store's public face, kept apart because it
 * is a job of its own.
 */
abstract sealed class HostIo permits Memory64Store {

    final RegionStorage storage;

    HostIo(RegionStorage storage) {
        this.storage = storage;
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
        checkSlice("write", offset, srcIndex, len, src.length);
        storage.transfer(
                "write",
                offset,
                len,
                true,
                MemorySegment.ofArray(src).asSlice(srcIndex, len),
                null,
                0);
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
        storage.transfer("write", offset, src.byteSize(), true, src, null, 0);
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
        checkSlice("read", offset, dstIndex, len, dst.length);
        hostRead("read", null, offset, MemorySegment.ofArray(dst).asSlice(dstIndex, len));
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
            storage.rejected(new IllegalArgumentException("read into a read-only buffer"));
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
        checkWritable("read", offset, dst);
        hostRead("read", null, offset, dst);
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
        if (len < 0 || len > dst.byteSize()) {
            throw storage.rejected(
                    new IndexOutOfBoundsException(
                            "copyTo offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds the destination size="
                                    + dst.byteSize()));
        }
        checkWritable("copyTo", offset, dst);
        hostRead("copyTo", null, offset, dst.asSlice(0, len));
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
        storage.transfer("copyTo", offset, len, false, null, dst, dstOffset);
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
        copyLayerTo(
                checkLayerRange("copyLayerTo", layerId, layerOffset, len),
                layerOffset,
                dst,
                dstOffset,
                len);
    }

    /**
     * {@link #copyLayerTo(int, long, SegmentSink, long, long)} for a layer of this store already
     * looked up, whose range {@code [layerOffset, layerOffset + len)} the caller has checked
     * against its size: a guest's load (through {@code StoreAccess}) looks its layer up once.
     */
    void copyLayerTo(Layer layer, long layerOffset, SegmentSink dst, long dstOffset, long len)
            throws Memory64Exception {
        storage.transferLayer("copyLayerTo", layer, layerOffset, len, null, dst, dstOffset);
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
        checkWritable("readLayer", layerOffset, dst);
        Layer layer = checkLayerRange("readLayer", layerId, layerOffset, dst.byteSize());
        hostRead("readLayer", layer, layerOffset, dst);
    }

    /**
     * Looks a layer up by id.
     *
     * @param layerId the id
     * @return the layer, or null if none has that id
     */
    public abstract Layer layer(int layerId);

    /**
     * A host read into a segment: a raw range ({@code layer} null) or part of a layer; recorded as
     * a {@code dev.memory64.HostRead} Flight Recorder event when that is enabled.
     */
    private void hostRead(String op, Layer layer, long offset, MemorySegment dst)
            throws Memory64Exception {
        long len = dst.byteSize();
        HostReadEvent event =
                HostReadEvent.start(
                        storage.name(), op, layer == null ? -1 : layer.id(), offset, len);
        boolean succeeded = false;
        try {
            if (layer == null) {
                storage.transfer(op, offset, len, false, dst, null, 0);
            } else {
                storage.transferLayer(op, layer, offset, len, dst, null, 0);
            }
            succeeded = true;
        } finally {
            HostReadEvent.end(event, succeeded);
        }
    }

    private Layer checkLayerRange(String op, int layerId, long layerOffset, long len) {
        Layer layer = layer(layerId);
        if (layer == null) {
            throw storage.rejected(
                    new IllegalArgumentException(op + ": no layer with id=" + layerId));
        }
        long size = layer.size();
        if ((layerOffset | len) < 0 || layerOffset > size || len > size - layerOffset) {
            throw storage.rejected(
                    new StoreRangeException(
                            op
                                    + " layer id="
                                    + layerId
                                    + " (\""
                                    + layer.name()
                                    + "\") layerOffset="
                                    + Unsigned64.toString(layerOffset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds the layer size="
                                    + size));
        }
        return layer;
    }

    private void checkSlice(String op, long offset, int index, int len, int arrayLength) {
        if ((index | len) < 0 || len > arrayLength - index) {
            throw storage.rejected(
                    new IndexOutOfBoundsException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + ": array slice index="
                                    + index
                                    + " len="
                                    + len
                                    + " is outside the array of length="
                                    + arrayLength));
        }
    }

    private void checkWritable(String op, long offset, MemorySegment dst) {
        if (dst.isReadOnly()) {
            throw storage.rejected(
                    new IllegalArgumentException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + dst.byteSize()
                                    + ": the destination segment is read-only"));
        }
    }
}
