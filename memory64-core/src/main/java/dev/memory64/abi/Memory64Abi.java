package dev.memory64.abi;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** The longest layer or tensor name a guest may pass; longer names are never found. */
    public static final int MAX_NAME_LENGTH = 4096;

    private static final long GUEST_ADDRESS_LIMIT = 1L << 32;
    private static final Logger LOG = LoggerFactory.getLogger(Memory64Abi.class);

    private final Memory64Store store;
    private final boolean enabled;
    private final AccessPolicy policy;
    private final boolean readAhead;

    private Memory64Abi(Builder builder) {
        this.store = builder.store;
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
        if (!enabled) {
            return fail(ErrorCode.DISABLED, "memory64_stats", "");
        }
        return store.stats().reads();
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
        try {
            if (!enabled) {
                return fail(ErrorCode.DISABLED, "memory64_load_layer", "layer_id=" + layerId);
            }
            if (memory == null) {
                return fail(
                        ErrorCode.NO_GUEST_MEMORY, "memory64_load_layer", "layer_id=" + layerId);
            }
            long ptr = Integer.toUnsignedLong(dstPtr);
            long max = Integer.toUnsignedLong(maxSize);
            ErrorCode guest = checkGuest(memory, ptr, max);
            if (guest != null) {
                return failGuest(
                        guest, "memory64_load_layer", memory, ptr, max, "layer_id=" + layerId);
            }
            Layer layer = store.layer(layerId);
            if (layer == null) {
                return fail(
                        ErrorCode.LAYER_NOT_FOUND, "memory64_load_layer", "layer_id=" + layerId);
            }
            if (!policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, "memory64_load_layer", "layer_id=" + layerId);
            }
            if (max < layer.size()) {
                return fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        "memory64_load_layer",
                        "layer_id=" + layerId + " size=" + layer.size() + " max_size=" + max);
            }
            int result = copy("memory64_load_layer", memory, layer.offset(), layer.size(), ptr);
            if (result >= 0 && readAhead) {
                Layer next = store.layer(layerId + 1);
                if (next != null && layerId != Integer.MAX_VALUE && policy.allowsLayer(next)) {
                    store.prefetch(next.id());
                }
            }
            return result;
        } catch (RuntimeException e) {
            return unexpected("memory64_load_layer", e);
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
        try {
            String op = "memory64_read";
            if (!enabled) {
                return fail(ErrorCode.DISABLED, op, "offset=" + Long.toUnsignedString(offset));
            }
            if (memory == null) {
                return fail(
                        ErrorCode.NO_GUEST_MEMORY, op, "offset=" + Long.toUnsignedString(offset));
            }
            long ptr = Integer.toUnsignedLong(dstPtr);
            long n = Integer.toUnsignedLong(len);
            ErrorCode guest = checkGuest(memory, ptr, n);
            if (guest != null) {
                return failGuest(
                        guest, op, memory, ptr, n, "offset=" + Long.toUnsignedString(offset));
            }
            long size = store.size();
            if (offset < 0 || n > size - offset) {
                return fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "offset="
                                + Long.toUnsignedString(offset)
                                + " len="
                                + n
                                + " layout size="
                                + size);
            }
            if (!policy.allowsRange(offset, n)) {
                return fail(
                        ErrorCode.ACCESS_DENIED,
                        op,
                        "offset=" + Long.toUnsignedString(offset) + " len=" + n);
            }
            return copy(op, memory, offset, n, ptr);
        } catch (RuntimeException e) {
            return unexpected("memory64_read", e);
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
        try {
            String op = "memory64_load_layer_range";
            if (!enabled) {
                return fail(ErrorCode.DISABLED, op, "layer_id=" + layerId);
            }
            if (memory == null) {
                return fail(ErrorCode.NO_GUEST_MEMORY, op, "layer_id=" + layerId);
            }
            long ptr = Integer.toUnsignedLong(dstPtr);
            long n = Integer.toUnsignedLong(len);
            ErrorCode guest = checkGuest(memory, ptr, n);
            if (guest != null) {
                return failGuest(guest, op, memory, ptr, n, "layer_id=" + layerId);
            }
            Layer layer = store.layer(layerId);
            if (layer == null) {
                return fail(ErrorCode.LAYER_NOT_FOUND, op, "layer_id=" + layerId);
            }
            if (!policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, op, "layer_id=" + layerId);
            }
            if (layerOffset < 0 || layerOffset > layer.size() || n > layer.size() - layerOffset) {
                return fail(
                        ErrorCode.HOST_RANGE,
                        op,
                        "layer_id="
                                + layerId
                                + " layer_offset="
                                + Long.toUnsignedString(layerOffset)
                                + " len="
                                + n
                                + " layer size="
                                + layer.size());
            }
            return copy(op, memory, layer.offset() + layerOffset, n, ptr);
        } catch (RuntimeException e) {
            return unexpected("memory64_load_layer_range", e);
        }
    }

    /**
     * {@code memory64_layer_size(layer_id: i32) -> i64}.
     *
     * @param layerId the layer id
     * @return the layer's size, or an error code
     */
    public long layerSize(int layerId) {
        try {
            if (!enabled) {
                return fail(ErrorCode.DISABLED, "memory64_layer_size", "layer_id=" + layerId);
            }
            Layer layer = store.layer(layerId);
            if (layer == null) {
                return fail(
                        ErrorCode.LAYER_NOT_FOUND, "memory64_layer_size", "layer_id=" + layerId);
            }
            if (!policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, "memory64_layer_size", "layer_id=" + layerId);
            }
            return layer.size();
        } catch (RuntimeException e) {
            return unexpected("memory64_layer_size", e);
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
        try {
            String op = "memory64_stats_into";
            if (!enabled) {
                return fail(ErrorCode.DISABLED, op, "");
            }
            if (memory == null) {
                return fail(ErrorCode.NO_GUEST_MEMORY, op, "");
            }
            long ptr = Integer.toUnsignedLong(dstPtr);
            long n = Integer.toUnsignedLong(len);
            ErrorCode guest = checkGuest(memory, ptr, n);
            if (guest != null) {
                return failGuest(guest, op, memory, ptr, n, "");
            }
            if (n < STATS_RECORD_SIZE) {
                return fail(
                        ErrorCode.BUFFER_TOO_SMALL, op, "len=" + n + " needs " + STATS_RECORD_SIZE);
            }
            Memory64Stats s = store.stats();
            ByteBuffer record =
                    ByteBuffer.allocate(STATS_RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            record.putLong(s.reads())
                    .putLong(s.writes())
                    .putLong(s.bytesRead())
                    .putLong(s.bytesWritten())
                    .putLong(s.errors());
            return writeRecord(op, memory, ptr, record.array());
        } catch (RuntimeException e) {
            return unexpected("memory64_stats_into", e);
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
        try {
            String op = "memory64_layer_find";
            if (!enabled) {
                return fail(ErrorCode.DISABLED, op, "");
            }
            if (memory == null) {
                return fail(ErrorCode.NO_GUEST_MEMORY, op, "");
            }
            long ptr = Integer.toUnsignedLong(namePtr);
            long n = Integer.toUnsignedLong(nameLen);
            ErrorCode guest = checkGuest(memory, ptr, n);
            if (guest != null) {
                return failGuest(guest, op, memory, ptr, n, "");
            }
            String name = readName(memory, ptr, n);
            Layer layer = name == null ? null : store.layer(name);
            if (layer == null) {
                return fail(ErrorCode.LAYER_NOT_FOUND, op, "name=" + quote(name, n));
            }
            if (!policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, op, "name=" + quote(name, n));
            }
            return layer.id();
        } catch (RuntimeException e) {
            return unexpected("memory64_layer_find", e);
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
        try {
            String op = "memory64_tensor_info";
            if (!enabled) {
                return fail(ErrorCode.DISABLED, op, "");
            }
            if (memory == null) {
                return fail(ErrorCode.NO_GUEST_MEMORY, op, "");
            }
            long namePointer = Integer.toUnsignedLong(namePtr);
            long n = Integer.toUnsignedLong(nameLen);
            ErrorCode guest = checkGuest(memory, namePointer, n);
            if (guest != null) {
                return failGuest(guest, op, memory, namePointer, n, "(name)");
            }
            long ptr = Integer.toUnsignedLong(dstPtr);
            long dst = Integer.toUnsignedLong(dstLen);
            guest = checkGuest(memory, ptr, dst);
            if (guest != null) {
                return failGuest(guest, op, memory, ptr, dst, "(dst)");
            }
            String name = readName(memory, namePointer, n);
            TensorInfo tensor = name == null ? null : store.tensor(name);
            if (tensor == null) {
                return fail(ErrorCode.LAYER_NOT_FOUND, op, "name=" + quote(name, n));
            }
            Layer layer = store.layer(tensor.layerId());
            if (layer == null || !policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, op, "name=" + quote(name, n));
            }
            if (dst < TENSOR_INFO_SIZE) {
                return fail(
                        ErrorCode.BUFFER_TOO_SMALL,
                        op,
                        "dst_len=" + dst + " needs " + TENSOR_INFO_SIZE);
            }
            ByteBuffer record =
                    ByteBuffer.allocate(TENSOR_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(tensor.layerId())
                    .putInt(tensor.type())
                    .putLong(tensor.offsetInLayer())
                    .putLong(tensor.size())
                    .putInt(tensor.dims().size())
                    .putInt(0);
            for (int i = 0; i < TensorInfo.MAX_DIMS; i++) {
                record.putLong(i < tensor.dims().size() ? tensor.dims().get(i) : 1L);
            }
            return writeRecord(op, memory, ptr, record.array());
        } catch (RuntimeException e) {
            return unexpected("memory64_tensor_info", e);
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
        try {
            if (!enabled) {
                return fail(ErrorCode.DISABLED, "memory64_prefetch", "layer_id=" + layerId);
            }
            Layer layer = store.layer(layerId);
            if (layer == null) {
                return fail(ErrorCode.LAYER_NOT_FOUND, "memory64_prefetch", "layer_id=" + layerId);
            }
            if (!policy.allowsLayer(layer)) {
                return fail(ErrorCode.ACCESS_DENIED, "memory64_prefetch", "layer_id=" + layerId);
            }
            store.prefetch(layerId);
            return 0;
        } catch (RuntimeException e) {
            return unexpected("memory64_prefetch", e);
        }
    }

    // ---------------------------------------------------------------------------------------

    private static ErrorCode checkGuest(GuestMemory memory, long ptr, long len) {
        long end = ptr + len; // both below 2^32: no overflow in a long
        if (end > GUEST_ADDRESS_LIMIT) {
            return ErrorCode.POINTER_OVERFLOW;
        }
        if (end > memory.size()) {
            return ErrorCode.OUT_OF_BOUNDS;
        }
        return null;
    }

    private int copy(String op, GuestMemory memory, long offset, long len, long ptr) {
        try {
            store.copyTo(offset, len, memory, ptr);
            return (int) len;
        } catch (Memory64Exception | IndexOutOfBoundsException e) {
            // The store has counted it.
            return logOnly(ErrorCode.HOST_RANGE, op, e.getMessage());
        } catch (RuntimeException e) {
            return fail(
                    ErrorCode.GUEST_WRITE,
                    op,
                    "offset=" + offset + " len=" + len + " dst_ptr=" + ptr + ": " + e);
        }
    }

    private int writeRecord(String op, GuestMemory memory, long ptr, byte[] record) {
        try {
            memory.write(ptr, MemorySegment.ofArray(record));
            return record.length;
        } catch (RuntimeException e) {
            return fail(ErrorCode.GUEST_WRITE, op, "dst_ptr=" + ptr + ": " + e);
        }
    }

    private static String readName(GuestMemory memory, long ptr, long len) {
        if (len > MAX_NAME_LENGTH) {
            return null;
        }
        byte[] bytes = new byte[(int) len];
        memory.read(ptr, MemorySegment.ofArray(bytes));
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String quote(String name, long len) {
        return name == null ? "(" + len + " bytes, too long or not UTF-8)" : "\"" + name + "\"";
    }

    private int failGuest(
            ErrorCode code, String op, GuestMemory memory, long ptr, long len, String what) {
        return fail(
                code,
                op,
                what
                        + " dst_ptr="
                        + ptr
                        + " len="
                        + len
                        + " end="
                        + (ptr + len)
                        + (code == ErrorCode.POINTER_OVERFLOW
                                ? " exceeds 2^32"
                                : " exceeds guest memory size=" + memory.size()));
    }

    private int fail(ErrorCode code, String op, String values) {
        store.recordError();
        return logOnly(code, op, values);
    }

    private static int logOnly(ErrorCode code, String op, String values) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} failed with {} ({}): {}", op, code, code.code(), values);
        }
        return code.code();
    }

    private int unexpected(String op, RuntimeException e) {
        store.recordError();
        LOG.debug("{} failed unexpectedly: {}", op, e.toString(), e);
        return ErrorCode.HOST_RANGE.code();
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
