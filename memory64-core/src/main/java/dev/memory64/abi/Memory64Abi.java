package dev.memory64.abi;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.StoreClosedException;
import dev.memory64.StoreRangeException;
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
    private static final long NONE = AbiFailures.NONE;
    private static final int RAW = -1;
    private static final ValueLayout.OfInt INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final StoreAccess.Hooks<Memory64Store, Layer, TensorInfo> STORE =
            StoreAccess.of(Memory64Store.class);

    /** Per thread: what a call writes its records and reads names into, so that none allocates. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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
        int code = checkEnabled(AbiFunction.STATS, NONE, NONE, NONE, NONE);
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
        AbiFunction op = AbiFunction.LOAD_LAYER;
        long ptr = Integer.toUnsignedLong(dstPtr);
        long max = Integer.toUnsignedLong(maxSize);
        try {
            int code = checkGuest(op, memory, ptr, max, layerId, ptr, max);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(op, layer, layerId, ptr, max, NONE);
            if (code != OK) {
                return code;
            }
            if (layer.size() > Layer.MAX_SIZE || max < layer.size()) {
                // Also a layer over 2^31 - 1 bytes: the i32 result cannot carry its size.
                return failures.fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        op,
                        "max_size is smaller than the layer size",
                        layer.size(),
                        layerId,
                        ptr,
                        max);
            }
            int result = copy(op, memory, layerId, 0, layer.size(), ptr, layerId, ptr, max, NONE);
            if (result >= 0 && readAhead && layerId != Integer.MAX_VALUE) {
                Layer next = store.layer(layerId + 1);
                if (next != null && policy.allowsLayer(next)) {
                    store.prefetch(next.id());
                }
            }
            return result;
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.READ;
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        try {
            int code = checkGuest(op, memory, ptr, n, offset, ptr, n);
            if (code != OK) {
                return code;
            }
            long size = store.size();
            if (offset < 0 || n > size - offset) {
                return failures.fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "the range exceeds the layout size",
                        size,
                        offset,
                        ptr,
                        n);
            }
            if (!policy.allowsRange(offset, n)) {
                return failures.fail(
                        ErrorCode.ACCESS_DENIED,
                        op,
                        "the range is not granted",
                        NONE,
                        offset,
                        ptr,
                        n);
            }
            return copy(op, memory, RAW, offset, n, ptr, offset, ptr, n, NONE);
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.LOAD_LAYER_RANGE;
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        try {
            int code = checkGuest(op, memory, ptr, n, layerId, layerOffset, ptr, n);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(op, layer, layerId, layerOffset, ptr, n);
            if (code != OK) {
                return code;
            }
            if (layerOffset < 0 || layerOffset > layer.size() || n > layer.size() - layerOffset) {
                return failures.fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "the range exceeds the layer size",
                        layer.size(),
                        layerId,
                        layerOffset,
                        ptr,
                        n);
            }
            return copy(op, memory, layerId, layerOffset, n, ptr, layerId, layerOffset, ptr, n);
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
        }
    }

    /**
     * {@code memory64_layer_size(layer_id: i32) -> i64}.
     *
     * @param layerId the layer id
     * @return the layer's size, or an error code
     */
    public long layerSize(int layerId) {
        AbiFunction op = AbiFunction.LAYER_SIZE;
        try {
            int code = checkEnabled(op, layerId, NONE, NONE, NONE);
            if (code != OK) {
                return code;
            }
            Layer layer = store.layer(layerId);
            code = checkLayer(op, layer, layerId, NONE, NONE, NONE);
            return code != OK ? code : layer.size();
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.STATS_INTO;
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        try {
            int code = checkGuest(op, memory, ptr, n, ptr, n, NONE);
            if (code != OK) {
                return code;
            }
            if (n < STATS_RECORD_SIZE) {
                return failures.fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        op,
                        "len is smaller than the record",
                        STATS_RECORD_SIZE,
                        ptr,
                        n,
                        NONE);
            }
            Scratch scratch = SCRATCH.get();
            long[] counters = scratch.counters;
            STORE.counters(store, counters); // reads, writes, bytes_read, bytes_written, errors
            MemorySegment record = scratch.record;
            for (int i = 0; i < STATS_RECORD_SIZE / Long.BYTES; i++) {
                record.set(LONG, (long) i * Long.BYTES, counters[i]);
            }
            return writeRecord(op, memory, ptr, record, STATS_RECORD_SIZE, ptr, n, NONE, NONE);
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.LAYER_FIND;
        long ptr = Integer.toUnsignedLong(namePtr);
        long n = Integer.toUnsignedLong(nameLen);
        try {
            int code = checkGuest(op, memory, ptr, n, ptr, n, NONE);
            if (code != OK) {
                return code;
            }
            Scratch scratch = SCRATCH.get();
            Layer layer =
                    readName(memory, ptr, n, scratch)
                            ? STORE.layer(store, scratch.name, (int) n)
                            : null;
            code = checkLayer(op, layer, ptr, n, NONE, NONE);
            return code != OK ? code : layer.id();
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.TENSOR_INFO;
        long namePointer = Integer.toUnsignedLong(namePtr);
        long n = Integer.toUnsignedLong(nameLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long dst = Integer.toUnsignedLong(dstLen);
        try {
            int code = checkGuest(op, memory, namePointer, n, namePointer, n, ptr, dst);
            if (code == OK) {
                code = checkGuestRange(op, memory, ptr, dst, namePointer, n, ptr, dst);
            }
            if (code != OK) {
                return code;
            }
            Scratch scratch = SCRATCH.get();
            TensorInfo tensor =
                    readName(memory, namePointer, n, scratch)
                            ? STORE.tensor(store, scratch.name, (int) n)
                            : null;
            if (tensor == null) {
                return failures.fail(
                        ErrorCode.LAYER_NOT_FOUND,
                        op,
                        "no tensor has that name (or it is not UTF-8, or too long)",
                        NONE,
                        namePointer,
                        n,
                        ptr,
                        dst);
            }
            Layer layer = store.layer(tensor.layerId());
            if (layer == null || !policy.allowsLayer(layer)) {
                return failures.fail(
                        ErrorCode.ACCESS_DENIED,
                        op,
                        "the tensor's layer is not granted",
                        tensor.layerId(),
                        namePointer,
                        n,
                        ptr,
                        dst);
            }
            if (dst < TENSOR_INFO_SIZE) {
                return failures.fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        op,
                        "dst_len is smaller than the record",
                        TENSOR_INFO_SIZE,
                        namePointer,
                        n,
                        ptr,
                        dst);
            }
            MemorySegment record = scratch.record;
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
            return writeRecord(op, memory, ptr, record, TENSOR_INFO_SIZE, namePointer, n, ptr, dst);
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.PREFETCH;
        try {
            int code = checkEnabled(op, layerId, NONE, NONE, NONE);
            if (code == OK) {
                code = checkLayer(op, store.layer(layerId), layerId, NONE, NONE, NONE);
            }
            if (code != OK) {
                return code;
            }
            store.prefetch(layerId);
            return OK;
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.METADATA_INFO;
        long keyPointer = Integer.toUnsignedLong(keyPtr);
        long n = Integer.toUnsignedLong(keyLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long dst = Integer.toUnsignedLong(dstLen);
        try {
            int code = checkGuest(op, memory, keyPointer, n, keyPointer, n, ptr, dst);
            if (code == OK) {
                code = checkGuestRange(op, memory, ptr, dst, keyPointer, n, ptr, dst);
            }
            if (code != OK) {
                return code;
            }
            Scratch scratch = SCRATCH.get();
            MetadataValue value =
                    readName(memory, keyPointer, n, scratch)
                            ? store.metadata().find(scratch.name, (int) n)
                            : null;
            if (value == null) {
                return failures.fail(
                        ErrorCode.LAYER_NOT_FOUND,
                        op,
                        "no metadata has that key (or it is not UTF-8, or too long)",
                        NONE,
                        keyPointer,
                        n,
                        ptr,
                        dst);
            }
            if (dst < METADATA_INFO_SIZE) {
                return failures.fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        op,
                        "dst_len is smaller than the record",
                        METADATA_INFO_SIZE,
                        keyPointer,
                        n,
                        ptr,
                        dst);
            }
            MemorySegment record = scratch.record;
            record.set(INT, 0, value.type());
            record.set(INT, 4, value.elementType());
            record.set(LONG, 8, value.count());
            record.set(LONG, 16, value.size());
            return writeRecord(
                    op, memory, ptr, record, METADATA_INFO_SIZE, keyPointer, n, ptr, dst);
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
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
        AbiFunction op = AbiFunction.METADATA_READ;
        long keyPointer = Integer.toUnsignedLong(keyPtr);
        long keyLength = Integer.toUnsignedLong(keyLen);
        long ptr = Integer.toUnsignedLong(dstPtr);
        long n = Integer.toUnsignedLong(len);
        try {
            int code =
                    checkGuest(
                            op,
                            memory,
                            keyPointer,
                            keyLength,
                            keyPointer,
                            keyLength,
                            valueOffset,
                            ptr);
            if (code == OK) {
                code = checkGuestRange(op, memory, ptr, n, keyPointer, keyLength, valueOffset, ptr);
            }
            if (code != OK) {
                return code;
            }
            Scratch scratch = SCRATCH.get();
            MetadataValue value =
                    readName(memory, keyPointer, keyLength, scratch)
                            ? store.metadata().find(scratch.name, (int) keyLength)
                            : null;
            if (value == null) {
                return failures.fail(
                        ErrorCode.LAYER_NOT_FOUND,
                        op,
                        "no metadata has that key (or it is not UTF-8, or too long)",
                        NONE,
                        keyPointer,
                        keyLength,
                        valueOffset,
                        ptr);
            }
            long size = value.size();
            if (valueOffset < 0 || valueOffset > size || n > size - valueOffset) {
                return failures.fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "the range exceeds the value's encoding (size, len)",
                        size,
                        keyPointer,
                        keyLength,
                        valueOffset,
                        ptr,
                        n);
            }
            if (store.isClosed()) {
                return failures.fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "the store is closed",
                        NONE,
                        keyPointer,
                        keyLength,
                        valueOffset,
                        ptr);
            }
            try {
                memory.write(ptr, value.encoding(), valueOffset, n);
                return (int) n;
            } catch (RuntimeException e) {
                return failures.failWith(
                        ErrorCode.GUEST_WRITE, op, e, keyPointer, keyLength, valueOffset, ptr);
            }
        } catch (RuntimeException e) {
            return failures.unexpected(op, e);
        }
    }

    // ---------------------------------------------------------------------------------------
    // The one validation path. Operands a, b, c, d are the call's values in the order of
    // AbiFunction.operands (NONE where a function has fewer); they are only formatted when DEBUG is
    // on.

    private int checkEnabled(AbiFunction op, long a, long b, long c, long d) {
        return enabled
                ? OK
                : failures.fail(ErrorCode.DISABLED, op, "memory64 is disabled", NONE, a, b, c, d);
    }

    /** Steps 1 to 4: enabled, a memory, then the guest range {@code [ptr, ptr + len)}. */
    private int checkGuest(
            AbiFunction op, GuestMemory memory, long ptr, long len, long a, long b, long c) {
        return checkGuest(op, memory, ptr, len, a, b, c, NONE);
    }

    private int checkGuest(
            AbiFunction op,
            GuestMemory memory,
            long ptr,
            long len,
            long a,
            long b,
            long c,
            long d) {
        int code = checkEnabled(op, a, b, c, d);
        if (code != OK) {
            return code;
        }
        if (memory == null) {
            return failures.fail(
                    ErrorCode.NO_GUEST_MEMORY, op, "the caller has no memory", NONE, a, b, c, d);
        }
        return checkGuestRange(op, memory, ptr, len, a, b, c, d);
    }

    private int checkGuestRange(
            AbiFunction op,
            GuestMemory memory,
            long ptr,
            long len,
            long a,
            long b,
            long c,
            long d) {
        long end = ptr + len; // both below 2^32: no overflow in a long
        if (end > GUEST_ADDRESS_LIMIT) {
            return failures.fail(
                    ErrorCode.POINTER_OVERFLOW, op, "ptr + len exceeds 2^32", end, a, b, c, d);
        }
        long size = memory.size();
        if (end > size) {
            return failures.fail(
                    ErrorCode.OUT_OF_BOUNDS,
                    op,
                    "ptr + len exceeds the guest memory size (end, size)",
                    end,
                    a,
                    b,
                    c,
                    d,
                    size);
        }
        return OK;
    }

    /** Step 5: the layer exists and is granted. */
    private int checkLayer(AbiFunction op, Layer layer, long a, long b, long c, long d) {
        if (layer == null) {
            return failures.fail(ErrorCode.LAYER_NOT_FOUND, op, "no such layer", NONE, a, b, c, d);
        }
        if (!policy.allowsLayer(layer)) {
            return failures.fail(
                    ErrorCode.ACCESS_DENIED, op, "the layer is not granted", NONE, a, b, c, d);
        }
        return OK;
    }

    /**
     * Copies a raw range ({@code layerId} {@link #RAW}) or part of a layer's logical bytes into the
     * guest: HOST_RANGE if the store fails (it counted and logged that), GUEST_WRITE if the guest's
     * memory does.
     */
    private int copy(
            AbiFunction op,
            GuestMemory memory,
            int layerId,
            long offset,
            long len,
            long ptr,
            long a,
            long b,
            long c,
            long d) {
        if (store.isClosed()) {
            // Checked here too, so that this failure builds no exception message.
            return failures.fail(ErrorCode.HOST_RANGE, op, "the store is closed", NONE, a, b, c, d);
        }
        try {
            if (layerId == RAW) {
                store.copyTo(offset, memory, ptr, len);
            } else {
                store.copyLayerTo(layerId, offset, memory, ptr, len);
            }
            return (int) len;
        } catch (Memory64Exception | StoreRangeException | StoreClosedException e) {
            return ErrorCode.HOST_RANGE.code(); // the store counted and logged it
        } catch (RuntimeException e) {
            // Anything else is the guest's memory failing, whatever it threw.
            return failures.failWith(ErrorCode.GUEST_WRITE, op, e, a, b, c, d);
        }
    }

    private int writeRecord(
            AbiFunction op,
            GuestMemory memory,
            long ptr,
            MemorySegment record,
            int size,
            long a,
            long b,
            long c,
            long d) {
        try {
            memory.write(ptr, record, 0, size);
            return size;
        } catch (RuntimeException e) {
            return failures.failWith(ErrorCode.GUEST_WRITE, op, e, a, b, c, d);
        }
    }

    /**
     * Reads a guest's name into {@code scratch.name}; false if it is too long (such a name is never
     * found, and neither is one that is not UTF-8: see the store's lookup by bytes).
     */
    private static boolean readName(GuestMemory memory, long ptr, long len, Scratch scratch) {
        if (len > MAX_NAME_LENGTH) {
            return false;
        }
        memory.read(ptr, scratch.nameSegment, 0, len);
        return true;
    }

    /** A thread's buffers for records and names. */
    private static final class Scratch {
        final long[] counters = new long[7];
        final MemorySegment record = MemorySegment.ofArray(new byte[TENSOR_INFO_SIZE]);
        final byte[] name = new byte[MAX_NAME_LENGTH];
        final MemorySegment nameSegment = MemorySegment.ofArray(name);
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
