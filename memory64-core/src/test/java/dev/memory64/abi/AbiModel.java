package dev.memory64.abi;

import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.TensorInfo;
import dev.memory64.testkit.StrictUtf8;
import java.io.Serial;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What each ABI call must return, write and count, computed from docs/ABI.md (the validation order
 * table, the records, the unsigned rules) independently of {@link Memory64Abi}: plain unsigned and
 * {@link BigInteger} arithmetic, linear searches, the JDK's strict UTF-8 decoder.
 *
 * @param layoutSize the store's size
 * @param content every backed byte, from offset 0; bytes past it are an unbacked tail
 * @param layers the registered layers
 * @param tensors the registered tensors
 * @param enabled whether the ABI is enabled
 * @param granted the granted layer ids, or null if everything is granted
 * @param metadata the model's metadata, each value as its type, element type, count and encoding
 */
record AbiModel(
        long layoutSize,
        byte[] content,
        List<Layer> layers,
        List<TensorInfo> tensors,
        boolean enabled,
        Set<Integer> granted,
        List<Meta> metadata) {

    /** One metadata value, as the test wrote it. */
    record Meta(String key, int type, int elementType, long count, byte[] encoding) {}

    static final int DISABLED = -1;
    static final int LAYER_NOT_FOUND = -2;
    static final int BUFFER_TOO_SMALL = -3;
    static final int HOST_RANGE = -4;
    static final int NO_GUEST_MEMORY = -5;
    static final int POINTER_OVERFLOW = -6;
    static final int OUT_OF_BOUNDS = -7;
    static final int GUEST_WRITE = -8;
    static final int ACCESS_DENIED = -9;

    private static final long TWO_TO_THE_32 = 1L << 32;

    /** The twelve functions, in the order of the ABI's import table. */
    enum Fn {
        LOAD_LAYER,
        READ,
        IS_ENABLED,
        STATS,
        LAYER_SIZE,
        STATS_INTO,
        LOAD_LAYER_RANGE,
        LAYER_FIND,
        TENSOR_INFO,
        PREFETCH,
        METADATA_INFO,
        METADATA_READ
    }

    /**
     * One call with its raw arguments, in the order of the function's parameters (i32 values as
     * ints widened to long, i64 values as they are).
     */
    record Call(Fn fn, long... args) {
        int i32(int index) {
            return (int) args[index];
        }

        long u32(int index) {
            return Integer.toUnsignedLong((int) args[index]);
        }

        @Override
        public String toString() {
            return fn + Arrays.toString(args);
        }
    }

    /**
     * The expected outcome.
     *
     * @param result the return value
     * @param at where the bytes go in guest memory
     * @param bytes the bytes written on success, empty if none
     * @param readBytes for a successful layer load or read, the bytes counted as read; else -1
     */
    record Outcome(long result, long at, byte[] bytes, long readBytes) {
        static Outcome fail(int code) {
            return new Outcome(code, 0, new byte[0], -1);
        }

        static Outcome value(long result) {
            return new Outcome(result, 0, new byte[0], -1);
        }
    }

    /**
     * Predicts a call.
     *
     * @param call the call
     * @param guest the caller's memory before the call, or null if it has none
     * @param stats the store's counters before the call
     * @return what the call must do if guest writes succeed
     */
    Outcome predict(Call call, SparseGuestMemory guest, Memory64Stats stats) {
        try {
            return switch (call.fn()) {
                case IS_ENABLED -> Outcome.value(enabled ? 1 : 0);
                case STATS -> {
                    require(enabled, DISABLED);
                    yield Outcome.value(stats.reads());
                }
                case LAYER_SIZE, PREFETCH -> {
                    require(enabled, DISABLED);
                    Layer layer = grantedLayer(call.i32(0));
                    yield Outcome.value(call.fn() == Fn.LAYER_SIZE ? layer.size() : 0);
                }
                case LOAD_LAYER -> loadLayer(call, guest);
                case READ -> read(call, guest);
                case LOAD_LAYER_RANGE -> loadLayerRange(call, guest);
                case STATS_INTO -> statsInto(call, guest, stats);
                case LAYER_FIND -> layerFind(call, guest);
                case TENSOR_INFO -> tensorInfo(call, guest);
                case METADATA_INFO -> metadataInfo(call, guest);
                case METADATA_READ -> metadataRead(call, guest);
            };
        } catch (Refused refused) {
            return Outcome.fail(refused.code);
        }
    }

    private Outcome loadLayer(Call call, SparseGuestMemory guest) {
        long ptr = call.u32(1);
        long max = call.u32(2);
        checkGuest(guest, ptr, max);
        Layer layer = grantedLayer(call.i32(0));
        require(max >= layer.size(), BUFFER_TOO_SMALL);
        return copy(layer.offset(), layer.size(), ptr);
    }

    private Outcome read(Call call, SparseGuestMemory guest) {
        long offset = call.args()[0];
        long ptr = call.u32(1);
        long len = call.u32(2);
        checkGuest(guest, ptr, len);
        require(fits(offset, len, layoutSize), HOST_RANGE);
        require(
                granted == null
                        || layers.stream()
                                .anyMatch(
                                        l ->
                                                granted.contains(l.id())
                                                        && offset >= l.offset()
                                                        && offset + len <= l.offset() + l.size()),
                ACCESS_DENIED);
        return copy(offset, len, ptr);
    }

    private Outcome loadLayerRange(Call call, SparseGuestMemory guest) {
        long layerOffset = call.args()[1];
        long ptr = call.u32(2);
        long len = call.u32(3);
        checkGuest(guest, ptr, len);
        Layer layer = grantedLayer(call.i32(0));
        require(fits(layerOffset, len, layer.size()), HOST_RANGE);
        return copy(layer.offset() + layerOffset, len, ptr);
    }

    private Outcome statsInto(Call call, SparseGuestMemory guest, Memory64Stats s) {
        long ptr = call.u32(0);
        long len = call.u32(1);
        checkGuest(guest, ptr, len);
        ByteBuffer record = record(len, 40);
        record.putLong(s.reads())
                .putLong(s.writes())
                .putLong(s.bytesRead())
                .putLong(s.bytesWritten())
                .putLong(s.errors());
        return written(ptr, record);
    }

    private Outcome layerFind(Call call, SparseGuestMemory guest) {
        long ptr = call.u32(0);
        long len = call.u32(1);
        checkGuest(guest, ptr, len);
        String name = name(guest, ptr, len);
        Layer layer =
                layers.stream()
                        .filter(l -> l.name().equals(name))
                        .min(Comparator.comparingInt(Layer::id))
                        .orElse(null);
        return Outcome.value(granted(layer).id());
    }

    private Outcome tensorInfo(Call call, SparseGuestMemory guest) {
        long ptr = call.u32(2);
        long len = call.u32(3);
        String name = checkNameAndGuest(call, guest);
        TensorInfo tensor =
                tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        require(tensor != null, LAYER_NOT_FOUND);
        Layer layer = layerById(tensor.layerId());
        require(layer != null && grants(layer), ACCESS_DENIED);
        ByteBuffer record = record(len, 64);
        record.putInt(tensor.layerId())
                .putInt(tensor.type())
                .putLong(tensor.offsetInLayer())
                .putLong(tensor.size())
                .putInt(tensor.dims().size())
                .putInt(0);
        for (int i = 0; i < 4; i++) {
            record.putLong(i < tensor.dims().size() ? tensor.dims().get(i) : 1);
        }
        return written(ptr, record);
    }

    private Outcome metadataInfo(Call call, SparseGuestMemory guest) {
        long ptr = call.u32(2);
        long len = call.u32(3);
        Meta meta = meta(checkNameAndGuest(call, guest));
        ByteBuffer record = record(len, 24);
        record.putInt(meta.type())
                .putInt(meta.elementType())
                .putLong(meta.count())
                .putLong(meta.encoding().length);
        return written(ptr, record);
    }

    private Outcome metadataRead(Call call, SparseGuestMemory guest) {
        long valueOffset = call.args()[2];
        long ptr = call.u32(3);
        long len = call.u32(4);
        Meta meta = meta(checkNameAndGuest(call, guest));
        require(fits(valueOffset, len, meta.encoding().length), HOST_RANGE);
        byte[] bytes =
                Arrays.copyOfRange(meta.encoding(), (int) valueOffset, (int) (valueOffset + len));
        return new Outcome(len, ptr, bytes, -1);
    }

    /** The key's value; refuses with LAYER_NOT_FOUND when there is none. */
    private Meta meta(String key) {
        Meta meta = metadata.stream().filter(m -> m.key().equals(key)).findFirst().orElse(null);
        require(meta != null, LAYER_NOT_FOUND);
        return meta;
    }

    /**
     * Steps 1 to 3 for a call that passes a name (arguments 0 and 1) and then an output buffer (its
     * last two arguments), the name first; returns the name.
     */
    private String checkNameAndGuest(Call call, SparseGuestMemory guest) {
        long namePtr = call.u32(0);
        long nameLen = call.u32(1);
        int last = call.args().length - 1;
        checkGuest(guest, namePtr, nameLen);
        checkGuest(guest, call.u32(last - 1), call.u32(last));
        return name(guest, namePtr, nameLen);
    }

    /** Steps 1 to 3 of the validation order. */
    private void checkGuest(SparseGuestMemory guest, long ptr, long len) {
        require(enabled, DISABLED);
        require(guest != null, NO_GUEST_MEMORY);
        require(ptr + len <= TWO_TO_THE_32, POINTER_OVERFLOW);
        require(ptr + len <= guest.size(), OUT_OF_BOUNDS);
    }

    /** The layer with this id if the caller may see it; refuses otherwise. */
    private Layer grantedLayer(int id) {
        return granted(layerById(id));
    }

    private Layer granted(Layer layer) {
        require(layer != null, LAYER_NOT_FOUND);
        require(grants(layer), ACCESS_DENIED);
        return layer;
    }

    /** A record of this size for an output buffer of len bytes; refuses if it does not fit. */
    private static ByteBuffer record(long len, int size) {
        require(len >= size, BUFFER_TOO_SMALL);
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Outcome written(long ptr, ByteBuffer record) {
        return new Outcome(record.capacity(), ptr, record.array(), -1);
    }

    /** Ends the prediction with the code unless the condition holds. */
    private static void require(boolean condition, int code) {
        if (!condition) {
            throw new Refused(code);
        }
    }

    /** A prediction that ends in an error code, thrown from the step that decides it. */
    private static final class Refused extends RuntimeException {
        @Serial private static final long serialVersionUID = 1L;

        /** The code the call returns. */
        private final int code;

        Refused(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /** The copy: a range reaching the unbacked tail fails before a byte is written. */
    private Outcome copy(long offset, long len, long ptr) {
        if (len == 0) {
            return new Outcome(0, ptr, new byte[0], 0);
        }
        if (offset + len > content.length) {
            return Outcome.fail(HOST_RANGE);
        }
        byte[] bytes = Arrays.copyOfRange(content, (int) offset, (int) (offset + len));
        return new Outcome(len, ptr, bytes, len);
    }

    private Layer layerById(int id) {
        return layers.stream().filter(l -> l.id() == id).findFirst().orElse(null);
    }

    private boolean grants(Layer layer) {
        return granted == null || granted.contains(layer.id());
    }

    /** The name a guest passes: null (never found) if over 4096 bytes or not strict UTF-8. */
    private static String name(SparseGuestMemory guest, long ptr, long len) {
        if (len > 4096) {
            return null;
        }
        byte[] bytes = new byte[(int) len];
        for (int i = 0; i < len; i++) {
            bytes[i] = guest.byteAt(ptr + i);
        }
        return StrictUtf8.decode(bytes);
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    /** Whether the unsigned range from offset over len ends within size, without overflow. */
    private static boolean fits(long offset, long len, long size) {
        return unsigned(offset).add(BigInteger.valueOf(len)).compareTo(BigInteger.valueOf(size))
                <= 0;
    }
}
