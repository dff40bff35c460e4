package dev.memory64.abi;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.SegmentSink;
import dev.memory64.TensorInfo;
import dev.memory64.internal.StoreAccess;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Every function of the memory64 guest ABI, against a {@link Memory64Store} and a {@link
 * GuestMemory}: the logic that every Wasm runtime adapter shares.
 *
 * <p>Each method validates everything first, in a fixed order, then copies once. On failure it
 * returns the {@link ErrorCode}'s value, counts the failure in the store's {@code errors}, logs the
 * values at DEBUG, and leaves guest memory untouched (except {@link ErrorCode#HOST_RANGE} and
 * {@link ErrorCode#GUEST_WRITE} raised during the copy itself, which may leave the destination
 * partly written). No exception escapes for any argument values.
 *
 * <p>Guest pointers and lengths are {@code i32}s read as unsigned; offsets are {@code i64}s read as
 * unsigned. The validation order of the functions that write into the guest is:
 *
 * <ol>
 *   <li>{@link ErrorCode#DISABLED} if the host disabled memory64;
 *   <li>{@link ErrorCode#NO_GUEST_MEMORY} if the caller has no memory;
 *   <li>{@link ErrorCode#POINTER_OVERFLOW} if {@code ptr + len} exceeds 2<sup>32</sup> (for {@code
 *       memory64_load_layer} the length is {@code max_size}, the guest's buffer);
 *   <li>{@link ErrorCode#OUT_OF_BOUNDS} if {@code ptr + len} exceeds the memory's current size;
 *   <li>{@link ErrorCode#LAYER_NOT_FOUND}, then {@link ErrorCode#ACCESS_DENIED}, for functions that
 *       name a layer or tensor;
 *   <li>{@link ErrorCode#HOST_RANGE} if the host range is outside the layout (or the layer);
 *   <li>{@link ErrorCode#ACCESS_DENIED} for a raw range not granted;
 *   <li>{@link ErrorCode#BUFFER_TOO_SMALL} if the guest buffer cannot hold the result;
 *   <li>the copy, which may still fail with {@link ErrorCode#HOST_RANGE} (closed store, fault of a
 *       mapped file) or {@link ErrorCode#GUEST_WRITE}.
 * </ol>
 */
public final class Memory64Abi {

    /** Bytes written by {@link #statsInto}: five little-endian u64 counters. */
    public static final int STATS_RECORD_SIZE = 40;

    /** Bytes written by {@link #tensorInfo}: the fixed little-endian tensor record. */
    public static final int TENSOR_INFO_SIZE = 64;

    /** Bytes written by {@link #metadataInfo}: the fixed little-endian metadata record. */
    public static final int METADATA_INFO_SIZE = 24;

    /**
     * The longest layer or tensor name or metadata key a guest may pass; longer names are never
     * found.
     */
    public static final int MAX_NAME_LENGTH = 4096;

    private static final long GUEST_ADDRESS_LIMIT = 1L << 32;
    private static final int OK = 0;
    private static final int HOST_RANGE = ErrorCode.HOST_RANGE.code();
    private static final String DST_TOO_SMALL = "dst_len is smaller than the record";
    private static final ValueLayout.OfInt INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final StoreAccess.Hooks<Memory64Store, Layer, TensorInfo, SegmentSink> STORE =
            StoreAccess.of(Memory64Store.class);

    private final Memory64Store store;
    private final AbiFailures failures;
    private final boolean enabled;
    private final AccessPolicy policy;
    private final boolean readAhead;

    private Memory64Abi(Builder builder) {
        this.store = builder.store;
        this.failures = new AbiFailures(builder.store);
        this.enabled = builder.enabled;
        this.policy = builder.policy;
        this.readAhead = builder.readAhead;
    }

    /**
     * Starts an ABI over a store: enabled, granting everything, with no read-ahead.
     *
     * @param store the store the guest reads
     * @return a new builder
     */
    public static Builder builder(Memory64Store store) {
        return new Builder(store);
    }

    /**
     * Returns the store.
     *
     * @return the store
     */
    public Memory64Store store() {
        return store;
    }

    /**
     * {@code memory64_is_enabled() -> i32}.
     *
     * @return 1 if enabled, else 0
     */
    public int isEnabled() {
        return enabled ? 1 : 0;
    }

    /**
     * {@code memory64_stats() -> i64}: the number of successful read operations (layer loads and
     * reads).
     *
     * @return the count, or {@link ErrorCode#DISABLED}
     */
    public long stats() {
        AbiCall call = AbiCall.begin(AbiFunction.STATS);
        int code = checkEnabled(call);
        return code != OK ? code : STORE.reads(store);
    }

    /**
     * {@code memory64_load_layer(layer_id: i32, dst_ptr: i32, max_size: i32) -> i32}: copies a
     * whole layer to {@code dst_ptr}.
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param layerId the layer id
     * @param dstPtr the destination, unsigned
     * @param maxSize the size of the guest's buffer at {@code dst_ptr}, unsigned
     * @return the layer size (bytes copied), or an error code
     */
    public int loadLayer(GuestMemory memory, int layerId, int dstPtr, int maxSize) {
        GuestLoadEvent event =
                GuestLoadEvent.start(
                        AbiFunction.LOAD_LAYER.importName(),
                        layerId,
                        0,
                        Integer.toUnsignedLong(maxSize));
        return GuestLoadEvent.end(event, loadLayerChecked(memory, layerId, dstPtr, maxSize));
    }

    private int loadLayerChecked(GuestMemory memory, int layerId, int dstPtr, int maxSize) {
        long ptr = Integer.toUnsignedLong(dstPtr);
        long max = Integer.toUnsignedLong(maxSize);
        AbiCall call = AbiCall.begin(AbiFunction.LOAD_LAYER, layerId, ptr, max);
        try {
            int code = checkGuest(call, memory, ptr, max);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(call, layer);
            if (code != OK) {
                return code;
            }
            long size = layer.size();
            if (size > Layer.MAX_SIZE || max < size) {
                // Also a layer over 2^31 - 1 bytes: the i32 result cannot carry its size.
                return failures.fail(
                        call,
                        ErrorCode.BUFFER_TOO_SMALL,
                        "max_size is smaller than the layer size",
                        size);
            }
            int result = copyLayer(call, memory, layer, 0, size, ptr);
            if (result >= 0) {
                readAhead(layer);
            }
            return result;
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_read(offset: i64, dst_ptr: i32, len: i32) -> i32}: copies a raw range of the
     * layout.
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param offset the first byte in the layout, unsigned
     * @param dstPtr the destination, unsigned
     * @param len how many bytes, unsigned
     * @return {@code len}, or an error code
     */
    public int read(GuestMemory memory, long offset, int dstPtr, int len) {
        GuestLoadEvent event =
                GuestLoadEvent.start(
                        AbiFunction.READ.importName(), -1, offset, Integer.toUnsignedLong(len));
        return GuestLoadEvent.end(event, readChecked(memory, offset, dstPtr, len));
    }

    private int readChecked(GuestMemory memory, long offset, int dstPtr, int len) {
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        AbiCall call = AbiCall.begin(AbiFunction.READ, offset, ptr, n);
        try {
            int code = checkGuest(call, memory, ptr, n);
            if (code != OK) {
                return code;
            }
            long size = store.size();
            if (offset < 0 || n > size - offset) {
                return failures.fail(
                        call, ErrorCode.HOST_RANGE, "the range exceeds the layout size", size);
            }
            if (!policy.allowsRange(offset, n)) {
                return failures.fail(call, ErrorCode.ACCESS_DENIED, "the range is not granted");
            }
            return copyRange(call, memory, offset, n, ptr);
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_load_layer_range(layer_id: i32, layer_offset: i64, dst_ptr: i32, len: i32) ->
     * i32}: copies part of a layer, so that a guest can stream a layer larger than its buffer.
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param layerId the layer id
     * @param layerOffset the first byte, from the layer's start, unsigned
     * @param dstPtr the destination, unsigned
     * @param len how many bytes, unsigned
     * @return {@code len}, or an error code
     */
    public int loadLayerRange(
            GuestMemory memory, int layerId, long layerOffset, int dstPtr, int len) {
        GuestLoadEvent event =
                GuestLoadEvent.start(
                        AbiFunction.LOAD_LAYER_RANGE.importName(),
                        layerId,
                        layerOffset,
                        Integer.toUnsignedLong(len));
        return GuestLoadEvent.end(
                event, loadLayerRangeChecked(memory, layerId, layerOffset, dstPtr, len));
    }

    private int loadLayerRangeChecked(
            GuestMemory memory, int layerId, long layerOffset, int dstPtr, int len) {
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        AbiCall call = AbiCall.begin(AbiFunction.LOAD_LAYER_RANGE, layerId, layerOffset, ptr, n);
        try {
            int code = checkGuest(call, memory, ptr, n);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(call, layer);
            if (code != OK) {
                return code;
            }
            long size = layer.size();
            if (layerOffset < 0 || layerOffset > size || n > size - layerOffset) {
                return failures.fail(
                        call, ErrorCode.HOST_RANGE, "the range exceeds the layer size", size);
            }
            int result = copyLayer(call, memory, layer, layerOffset, n, ptr);
            if (result >= 0 && layerOffset == 0) {
                // A guest streaming a layer starts it at offset 0: the next one is read ahead then,
                // as after a whole-layer load.
                readAhead(layer);
            }
            return result;
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /** With read-ahead on, starts prefetching the layer after {@code layer} if it is granted. */
    private void readAhead(Layer layer) {
        if (readAhead && layer.id() != Integer.MAX_VALUE) {
            Layer next = store.layer(layer.id() + 1);
            if (next != null && policy.allowsLayer(next)) {
                store.prefetch(next.id());
            }
        }
    }

    /**
     * {@code memory64_layer_size(layer_id: i32) -> i64}.
     *
     * @param layerId the layer id
     * @return the layer's size, or an error code
     */
    public long layerSize(int layerId) {
        AbiCall call = AbiCall.begin(AbiFunction.LAYER_SIZE, layerId);
        try {
            int code = checkEnabled(call);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(call, layer);
            return code != OK ? code : layer.size();
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_stats_into(dst_ptr: i32, len: i32) -> i32}: writes the counters {@code reads,
     * writes, bytes_read, bytes_written, errors} as five little-endian u64s.
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param dstPtr the destination, unsigned
     * @param len the size of the guest's buffer, unsigned
     * @return {@link #STATS_RECORD_SIZE}, or an error code
     */
    public int statsInto(GuestMemory memory, int dstPtr, int len) {
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        AbiCall call = AbiCall.begin(AbiFunction.STATS_INTO, ptr, n);
        try {
            int code = checkGuest(call, memory, ptr, n);
            if (code != OK) {
                return code;
            }
            code = checkRoom(call, n, STATS_RECORD_SIZE, "len is smaller than the record");
            if (code != OK) {
                return code;
            }
            long[] counters = call.counters;
            STORE.counters(store, counters); // reads, writes, bytes_read, bytes_written, errors
            MemorySegment record = call.record;
            for (int i = 0; i < STATS_RECORD_SIZE / Long.BYTES; i++) {
                record.set(LONG, (long) i * Long.BYTES, counters[i]);
            }
            return writeRecord(call, memory, ptr, STATS_RECORD_SIZE);
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_layer_find(name_ptr: i32, name_len: i32) -> i32}: the id of the layer with a
     * UTF-8 name (the lowest id if several share it).
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param namePtr the name's first byte, unsigned
     * @param nameLen the name's length in bytes, unsigned
     * @return the layer id, or an error code ({@link ErrorCode#LAYER_NOT_FOUND} also for invalid
     *     UTF-8 and names longer than {@link #MAX_NAME_LENGTH})
     */
    public int layerFind(GuestMemory memory, int namePtr, int nameLen) {
        long ptr = Integer.toUnsignedLong(namePtr);
        long n = Integer.toUnsignedLong(nameLen);
        AbiCall call = AbiCall.begin(AbiFunction.LAYER_FIND, ptr, n);
        try {
            int code = checkGuest(call, memory, ptr, n);
            if (code != OK) {
                return code;
            }
            Layer layer =
                    readName(call, memory, ptr, n) ? STORE.layer(store, call.name, (int) n) : null;
            code = checkLayer(call, layer);
            return code != OK ? code : layer.id();
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_tensor_info(name_ptr: i32, name_len: i32, dst_ptr: i32, dst_len: i32) ->
     * i32}: writes the {@link #TENSOR_INFO_SIZE}-byte little-endian record of a tensor: {@code u32
     * layer_id, u32 ggml_type, u64 offset_in_layer, u64 byte_size, u32 n_dims, u32 reserved (0),
     * u64 dims[4]} (unused dimensions are 1).
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param namePtr the tensor name's first byte, unsigned
     * @param nameLen the name's length in bytes, unsigned
     * @param dstPtr the destination, unsigned
     * @param dstLen the size of the guest's buffer, unsigned
     * @return {@link #TENSOR_INFO_SIZE}, or an error code
     */
    public int tensorInfo(GuestMemory memory, int namePtr, int nameLen, int dstPtr, int dstLen) {
        long namePointer = Integer.toUnsignedLong(namePtr);
        long n = Integer.toUnsignedLong(nameLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long dst = Integer.toUnsignedLong(dstLen);
        AbiCall call = AbiCall.begin(AbiFunction.TENSOR_INFO, namePointer, n, ptr, dst);
        try {
            int code = checkNameAndDestination(call, memory, namePointer, n, ptr, dst);
            if (code != OK) {
                return code;
            }
            TensorInfo tensor =
                    readName(call, memory, namePointer, n)
                            ? STORE.tensor(store, call.name, (int) n)
                            : null;
            if (tensor == null) {
                return failures.fail(
                        call,
                        ErrorCode.LAYER_NOT_FOUND,
                        "no tensor has that name (or it is not UTF-8, or too long)");
            }
            Layer layer = store.layer(tensor.layerId());
            if (layer == null || !policy.allowsLayer(layer)) {
                return failures.fail(
                        call,
                        ErrorCode.ACCESS_DENIED,
                        "the tensor's layer is not granted",
                        tensor.layerId());
            }
            code = checkRoom(call, dst, TENSOR_INFO_SIZE, DST_TOO_SMALL);
            if (code != OK) {
                return code;
            }
            MemorySegment record = call.record;
            int dims = tensor.dims().size();
            record.set(INT, 0, tensor.layerId());
            record.set(INT, 4, tensor.type());
            record.set(LONG, 8, tensor.offsetInLayer());
            record.set(LONG, 16, tensor.size());
            record.set(INT, 24, dims);
            record.set(INT, 28, 0);
            for (int i = 0; i < TensorInfo.MAX_DIMS; i++) {
                record.set(LONG, 32 + (long) i * Long.BYTES, i < dims ? tensor.dims().get(i) : 1L);
            }
            return writeRecord(call, memory, ptr, TENSOR_INFO_SIZE);
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_prefetch(layer_id: i32) -> i32}: a hint to bring a layer's pages in ahead of
     * use, in the background.
     *
     * @param layerId the layer id
     * @return 0, or an error code
     */
    public int prefetch(int layerId) {
        AbiCall call = AbiCall.begin(AbiFunction.PREFETCH, layerId);
        try {
            int code = checkEnabled(call);
            if (code == OK) {
                code = checkLayer(call, store.layer(layerId));
            }
            if (code != OK) {
                return code;
            }
            store.prefetch(layerId);
            return OK;
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_metadata_info(key_ptr: i32, key_len: i32, dst_ptr: i32, dst_len: i32) ->
     * i32}: writes the {@link #METADATA_INFO_SIZE}-byte little-endian record of the model's
     * metadata value under a UTF-8 key: {@code u32 type, u32 element_type, u64 count, u64 size}
     * (types numbered as GGUF numbers them; for a non-array, element_type is type and count is 1;
     * size is the byte length of the encoding {@link #metadataRead} serves).
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param keyPtr the key's first byte, unsigned
     * @param keyLen the key's length in bytes, unsigned
     * @param dstPtr the destination, unsigned
     * @param dstLen the size of the guest's buffer, unsigned
     * @return {@link #METADATA_INFO_SIZE}, or an error code ({@link ErrorCode#LAYER_NOT_FOUND} if
     *     there is no such key, also for invalid UTF-8 and keys longer than {@link
     *     #MAX_NAME_LENGTH})
     */
    public int metadataInfo(GuestMemory memory, int keyPtr, int keyLen, int dstPtr, int dstLen) {
        long keyPointer = Integer.toUnsignedLong(keyPtr);
        long n = Integer.toUnsignedLong(keyLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long dst = Integer.toUnsignedLong(dstLen);
        AbiCall call = AbiCall.begin(AbiFunction.METADATA_INFO, keyPointer, n, ptr, dst);
        try {
            int code = checkNameAndDestination(call, memory, keyPointer, n, ptr, dst);
            if (code != OK) {
                return code;
            }
            MetadataValue value = metadata(call, memory, keyPointer, n);
            if (value == null) {
                return noSuchKey(call);
            }
            code = checkRoom(call, dst, METADATA_INFO_SIZE, DST_TOO_SMALL);
            if (code != OK) {
                return code;
            }
            MemorySegment record = call.record;
            record.set(INT, 0, value.type());
            record.set(INT, 4, value.elementType());
            record.set(LONG, 8, value.count());
            record.set(LONG, 16, value.size());
            return writeRecord(call, memory, ptr, METADATA_INFO_SIZE);
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    /**
     * {@code memory64_metadata_read(key_ptr: i32, key_len: i32, value_offset: i64, dst_ptr: i32,
     * len: i32) -> i32}: copies {@code len} bytes of the encoding of the metadata value under a
     * UTF-8 key, from {@code value_offset}, so that a guest reads a large value (a vocabulary) in
     * pieces. Metadata reads are not counted in the store's read statistics, which count weights.
     *
     * @param memory the calling guest's memory, or null if it has none
     * @param keyPtr the key's first byte, unsigned
     * @param keyLen the key's length in bytes, unsigned
     * @param valueOffset the first byte of the encoding, unsigned
     * @param dstPtr the destination, unsigned
     * @param len how many bytes, unsigned
     * @return {@code len}, or an error code ({@link ErrorCode#LAYER_NOT_FOUND} if there is no such
     *     key, {@link ErrorCode#HOST_RANGE} if the range is outside the encoding or the store is
     *     closed)
     */
    public int metadataRead(
            GuestMemory memory, int keyPtr, int keyLen, long valueOffset, int dstPtr, int len) {
        long keyPointer = Integer.toUnsignedLong(keyPtr);
        long keyLength = Integer.toUnsignedLong(keyLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        AbiCall call =
                AbiCall.begin(
                        AbiFunction.METADATA_READ, keyPointer, keyLength, valueOffset, ptr, n);
        try {
            int code = checkNameAndDestination(call, memory, keyPointer, keyLength, ptr, n);
            if (code != OK) {
                return code;
            }
            MetadataValue value = metadata(call, memory, keyPointer, keyLength);
            if (value == null) {
                return noSuchKey(call);
            }
            long size = value.size();
            if (valueOffset < 0 || valueOffset > size || n > size - valueOffset) {
                return failures.fail(
                        call,
                        ErrorCode.HOST_RANGE,
                        "the range exceeds the value's encoding (size, len)",
                        size,
                        n);
            }
            if (store.isClosed()) {
                return closed(call);
            }
            try {
                memory.write(ptr, value.encoding(), valueOffset, n);
                return (int) n;
            } catch (RuntimeException e) {
                return failures.failWith(call, ErrorCode.GUEST_WRITE, e);
            }
        } catch (RuntimeException e) {
            return failures.unexpected(call, e);
        }
    }

    // ---------------------------------------------------------------------------------------
    // The one validation path. Each takes the call's record, which a failure logs.

    private int checkEnabled(AbiCall call) {
        return enabled ? OK : failures.fail(call, ErrorCode.DISABLED, "memory64 is disabled");
    }

    /** Steps 1 to 4: enabled, a memory, then the guest range {@code [ptr, ptr + len)}. */
    private int checkGuest(AbiCall call, GuestMemory memory, long ptr, long len) {
        int code = checkEnabled(call);
        if (code != OK) {
            return code;
        }
        if (memory == null) {
            return failures.fail(call, ErrorCode.NO_GUEST_MEMORY, "the caller has no memory");
        }
        return checkGuestRange(call, memory, ptr, len);
    }

    /**
     * Steps 1 to 4 for a function that reads a name and writes a result: the name's range, then the
     * destination's.
     */
    private int checkNameAndDestination(
            AbiCall call, GuestMemory memory, long namePtr, long nameLen, long ptr, long len) {
        int code = checkGuest(call, memory, namePtr, nameLen);
        return code != OK ? code : checkGuestRange(call, memory, ptr, len);
    }

    private int checkGuestRange(AbiCall call, GuestMemory memory, long ptr, long len) {
        long end = ptr + len; // both below 2^32: no overflow in a long
        if (end > GUEST_ADDRESS_LIMIT) {
            return failures.fail(call, ErrorCode.POINTER_OVERFLOW, "ptr + len exceeds 2^32", end);
        }
        long size = memory.size();
        if (end > size) {
            return failures.fail(
                    call,
                    ErrorCode.OUT_OF_BOUNDS,
                    "ptr + len exceeds the guest memory size (end, size)",
                    end,
                    size);
        }
        return OK;
    }

    /** Step 8 for a function that writes a fixed record: the guest's buffer holds it. */
    private int checkRoom(AbiCall call, long len, int size, String reason) {
        return len >= size ? OK : failures.fail(call, ErrorCode.BUFFER_TOO_SMALL, reason, size);
    }

    /** Step 5: the layer exists and is granted. */
    private int checkLayer(AbiCall call, Layer layer) {
        if (layer == null) {
            return failures.fail(call, ErrorCode.LAYER_NOT_FOUND, "no such layer");
        }
        if (!policy.allowsLayer(layer)) {
            return failures.fail(call, ErrorCode.ACCESS_DENIED, "the layer is not granted");
        }
        return OK;
    }

    /**
     * Copies a checked raw range of the layout into the guest: HOST_RANGE if the store fails (it
     * counted and logged that), GUEST_WRITE if the guest's memory does.
     */
    private int copyRange(AbiCall call, GuestMemory memory, long offset, long len, long ptr) {
        if (store.isClosed()) {
            return closed(call);
        }
        try {
            return STORE.copy(store, offset, memory, ptr, len) ? (int) len : HOST_RANGE;
        } catch (RuntimeException e) {
            // Anything else is the guest's memory failing, whatever it threw.
            return failures.failWith(call, ErrorCode.GUEST_WRITE, e);
        }
    }

    /** Copies a checked part of a layer's logical bytes into the guest, as {@link #copyRange}. */
    private int copyLayer(
            AbiCall call, GuestMemory memory, Layer layer, long offset, long len, long ptr) {
        if (store.isClosed()) {
            return closed(call);
        }
        try {
            return STORE.copyLayer(store, layer, offset, memory, ptr, len) ? (int) len : HOST_RANGE;
        } catch (RuntimeException e) {
            return failures.failWith(call, ErrorCode.GUEST_WRITE, e);
        }
    }

    /** Checked before a copy too, so that this failure builds no exception message. */
    private int closed(AbiCall call) {
        return failures.fail(call, ErrorCode.HOST_RANGE, "the store is closed");
    }

    private int writeRecord(AbiCall call, GuestMemory memory, long ptr, int size) {
        try {
            memory.write(ptr, call.record, 0, size);
            return size;
        } catch (RuntimeException e) {
            return failures.failWith(call, ErrorCode.GUEST_WRITE, e);
        }
    }

    /**
     * The metadata value under the key at {@code [ptr, ptr + len)} of the guest, or null if there
     * is none (also for a key too long or not UTF-8).
     */
    private MetadataValue metadata(AbiCall call, GuestMemory memory, long ptr, long len) {
        return readName(call, memory, ptr, len)
                ? store.metadata().find(call.name, (int) len)
                : null;
    }

    private int noSuchKey(AbiCall call) {
        return failures.fail(
                call,
                ErrorCode.LAYER_NOT_FOUND,
                "no metadata has that key (or it is not UTF-8, or too long)");
    }

    /**
     * Reads a guest's name into the call's buffer; false if it is too long (such a name is never
     * found, and neither is one that is not UTF-8: see the store's lookup by bytes).
     */
    private static boolean readName(AbiCall call, GuestMemory memory, long ptr, long len) {
        if (len > MAX_NAME_LENGTH) {
            return false;
        }
        memory.read(ptr, call.nameSegment, 0, len);
        return true;
    }

    @Override
    public String toString() {
        return "Memory64Abi[" + store + (enabled ? "" : ", disabled") + ", " + policy + "]";
    }

    /** Builds a {@link Memory64Abi}; its options are those of {@link AbiOptions}. */
    public static final class Builder extends AbiOptions<Builder> {
        private final Memory64Store store;

        private Builder(Memory64Store store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Builds the ABI.
         *
         * @return the ABI
         */
        public Memory64Abi build() {
            return new Memory64Abi(this);
        }
    }
}
