package dev.memory64.gguf;

import dev.memory64.internal.Utf8;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and validates a GGUF header, which the metadata values then point into.
 *
 * <p>Every count and length from the file is checked against the bytes left in the file (and under
 * the header size limit) before it is used, every loop consumes at least one byte per iteration,
 * and arrays nest at most {@link GgufValue#MAX_ARRAY_DEPTH} deep, so no input can loop without end
 * or overflow the stack. Metadata strings and arrays are checked where they lie and stay there:
 * their values point into the header and decode on access, so a header costs at most its size, plus
 * one object per metadata entry and per tensor.
 *
 * <p>A header that fits in the first read (64 KiB) stays in a heap array of its size. A larger one
 * in a file is mapped (read-only, unmapped once no value points into it) and checked through a
 * window of 1 MiB (larger only while one string needs more) that slides over the mapping: the
 * header then costs no heap, only the page cache it is in anyway, and a cold JVM touches no fresh
 * heap for it (which costs more than the parse of a tokenizer). Mapped, the values read what the
 * file holds: a file rewritten in place while it is open gives values that fail on access, as its
 * tensors give new bytes; replace a model file (write a new one, then rename it) instead. A larger
 * header that cannot be mapped (a remote object, a special file) is read into an array that
 * quadruples as it grows and is cut to size at the end. The heap peaks under twice the smaller of
 * the file's size and the header size limit, and under five times the header's size. Tensor data is
 * never read.
 */
final class GgufParser {

    /** "GGUF" as the bytes 0x47 0x47 0x55 0x46. */
    static final int MAGIC = 0x47475546;

    /** Smallest tensor info: name length, n_dims, type and offset (an empty name is rejected). */
    private static final int MIN_TENSOR_INFO_SIZE = 8 + 4 + 4 + 8;

    /** Smallest metadata entry: key length, value type and a one-byte value. */
    private static final int MIN_KV_SIZE = 8 + 4 + 1;

    /** The first read, enough for a header without a tokenizer. */
    private static final int FIRST_READ = 64 * 1024;

    /** Strings walked per call of {@link #skipRun}. */
    private static final int STRING_RUN = 16;

    /** The longest string the quick walk steps over; longer ones (rare) go the checked way. */
    private static final int QUICK_STRING = 1024;

    /** How much more than it needs a read takes, and the size of a file's sliding window. */
    private static final int READ_AHEAD = 1 << 20;

    /** Reads that return nothing in a row before giving up, so that a stuck channel cannot hang. */
    private static final int MAX_EMPTY_READS = 1000;

    private final Source channel;
    private final long fileSize;
    private final long maxHeaderSize;

    /** The most of the file the header array may hold: the file or the limit, whichever is less. */
    private final int capacityLimit;

    /** What metadata values point into: the whole header, set once the parse has read it. */
    private final HeaderBytes header = new HeaderBytes();

    /**
     * The file mapped, once the first read was not enough and the source could map it, as a view (a
     * header is under 2 GiB; the view keeps the mapping alive).
     */
    private ByteBuffer mapped;

    /** Whether the parse has needed more than the first read (and so tried to map the file). */
    private boolean pastFirstRead;

    /** The bytes at hand: file bytes {@code [windowStart, filled)} are {@code window[0..]}. */
    private byte[] window;

    private long windowStart;

    private long filled;

    /** File offset of the next byte to read. */
    private long position;

    /** The field name of the metadata value being read, for messages about its arrays. */
    private String valueField = "";

    /** While an array of arrays is read: the index of the element being read at each depth. */
    private final int[] indices = new int[GgufValue.MAX_ARRAY_DEPTH + 1];

    /** Offsets of the values of metadata keys validated after the whole header is read. */
    private final Map<String, Long> valueOffsets = new HashMap<>();

    /** Where the header's bytes come from: a file, or a remote object read by range. */
    interface Source {
        /** Reads into {@code target} from {@code position}; -1 at the end (as a FileChannel). */
        int read(ByteBuffer target, long position) throws IOException;

        /**
         * Maps the first {@code size} bytes read-only for as long as the segment is reachable, or
         * returns null if this source cannot.
         */
        default MemorySegment map(long size) {
            return null;
        }
    }

    /** A file's channel as a source. */
    private record ChannelSource(FileChannel channel) implements Source {
        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return channel.read(target, position);
        }

        @Override
        public MemorySegment map(long size) {
            try {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
            } catch (IOException | UnsupportedOperationException e) {
                return null; // a file that cannot be mapped (a device, a pipe) is read instead
            }
        }
    }

    private GgufParser(Source channel, long fileSize, long maxHeaderSize) {
        this.channel = channel;
        this.fileSize = fileSize;
        this.maxHeaderSize = maxHeaderSize;
        this.capacityLimit = (int) Math.max(0, Math.min(fileSize, maxHeaderSize));
        this.window = new byte[Math.min(capacityLimit, FIRST_READ)];
        readBytes();
    }

    static GgufFile parse(FileChannel channel, long maxHeaderSize) throws IOException {
        return new GgufParser(new ChannelSource(channel), channel.size(), maxHeaderSize).parse();
    }

    static GgufFile parse(Source source, long size, long maxHeaderSize) throws IOException {
        return new GgufParser(source, size, maxHeaderSize).parse();
    }

    private GgufFile parse() throws IOException {
        int magic = Integer.reverseBytes(i32("magic"));
        if (magic != MAGIC) {
            throw new GgufFormatException(
                    "magic",
                    hex(magic),
                    0,
                    "is not the GGUF magic " + hex(MAGIC) + " (\"GGUF\"): not a GGUF file");
        }
        int version = i32("version");
        if (version != 2 && version != 3) {
            String why;
            int swapped = Integer.reverseBytes(version);
            if (swapped == 2 || swapped == 3) {
                why = "is a byte-swapped version " + swapped + ": big-endian GGUF is not supported";
            } else if (version == 1) {
                why = "is not supported: only GGUF versions 2 and 3 are (version 1 is obsolete)";
            } else {
                why = "is not a supported GGUF version (2 or 3)";
            }
            throw new GgufFormatException("version", Integer.toUnsignedString(version), 4, why);
        }
        long tensorCount = u64("tensor_count");
        checkCount("tensor_count", tensorCount, 8, MIN_TENSOR_INFO_SIZE, "a tensor info");
        long kvCount = u64("metadata_kv_count");
        checkCount("metadata_kv_count", kvCount, 16, MIN_KV_SIZE, "a metadata entry");

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        Map<String, Long> keyOffsets = new HashMap<>();
        for (int i = 0; i < (int) kvCount; i++) {
            readKeyValue(i, metadata, keyOffsets);
        }
        // Values decode from the bytes read so far (readBytes), so the keys read above can be
        // checked before the tensor infos are read: their types and the architecture's name.
        long alignment = alignment(metadata);
        checkWellKnownKeys(metadata);

        List<TensorInfo> infos = new ArrayList<>((int) Math.min(tensorCount, 1024));
        Map<String, Long> nameOffsets = new HashMap<>();
        for (int i = 0; i < (int) tensorCount; i++) {
            infos.add(readTensorInfo(i, nameOffsets));
        }
        long headerSize = position;
        header.buffer = wholeHeader((int) headerSize).order(ByteOrder.LITTLE_ENDIAN);
        long dataStart = alignUp(headerSize, alignment);
        List<GgufTensor> tensors = place(infos, alignment, dataStart);
        return new GgufFile(
                version,
                Collections.unmodifiableMap(metadata),
                valueOffsets,
                alignment,
                tensors,
                headerSize,
                dataStart,
                fileSize);
    }

    // ---------------------------------------------------------------- metadata

    private void readKeyValue(int index, Map<String, GgufValue> metadata, Map<String, Long> keys)
            throws IOException {
        long keyOffset = position;
        String key = string("metadata", index, ".key");
        Long previous = keys.putIfAbsent(key, keyOffset);
        if (previous != null) {
            throw new GgufFormatException(
                    "metadata[" + index + "].key",
                    quote(key),
                    keyOffset,
                    "repeats the key already defined at offset " + previous + ": keys are unique");
        }
        String field = "metadata[" + quote(key) + "]";
        long typeOffset = position;
        int typeId = i32(field + ".type");
        GgufValueType type = valueType(field + ".type", typeId, typeOffset);
        long valueOffset = position;
        GgufValue value = value(field, type, 1);
        if (key.equals(GgufFile.KEY_ALIGNMENT)
                || key.equals(GgufFile.KEY_ARCHITECTURE)
                || key.equals(GgufFile.KEY_NAME)
                || key.endsWith(GgufFile.SUFFIX_BLOCK_COUNT)
                || key.endsWith(GgufFile.SUFFIX_CONTEXT_LENGTH)
                || key.endsWith(GgufFile.SUFFIX_EMBEDDING_LENGTH)
                || key.startsWith("split.")) {
            valueOffsets.put(key, valueOffset);
        }
        metadata.put(key, value);
    }

    private static GgufValueType valueType(String field, int typeId, long offset)
            throws GgufFormatException {
        Optional<GgufValueType> type = GgufValueType.fromId(typeId);
        if (type.isEmpty()) {
            throw new GgufFormatException(
                    field,
                    Integer.toUnsignedString(typeId),
                    offset,
                    "is not a GGUF metadata value type (0 to 12)");
        }
        return type.get();
    }

    /** Reads one value of a known type; {@code depth} is the nesting of an array read here. */
    private GgufValue value(String field, GgufValueType type, int depth) throws IOException {
        return switch (type) {
            case UINT8 -> new GgufValue.IntValue(type, u8(field));
            case INT8 -> new GgufValue.IntValue(type, (byte) u8(field));
            case UINT16 -> new GgufValue.IntValue(type, u16(field));
            case INT16 -> new GgufValue.IntValue(type, (short) u16(field));
            case UINT32 -> new GgufValue.IntValue(type, i32(field) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue.IntValue(type, i32(field));
            case UINT64, INT64 -> new GgufValue.IntValue(type, u64(field));
            case FLOAT32 -> new GgufValue.FloatValue(type, Float.intBitsToFloat(i32(field)));
            case FLOAT64 -> new GgufValue.FloatValue(type, Double.longBitsToDouble(u64(field)));
            case BOOL -> {
                long at = position;
                int raw = u8(field);
                checkBool(field, raw, at);
                yield new GgufValue.BoolValue(raw != 0);
            }
            case STRING -> {
                long lengthOffset = position;
                long length = u64(field + ".length");
                checkCount(field + ".length", length, lengthOffset, 1, "a byte");
                int at = checkedUtf8(field, length);
                yield GgufValue.StringValue.ofUtf8(header, at, (int) length);
            }
            case ARRAY -> {
                valueField = field;
                yield array(depth);
            }
        };
    }

    private static void checkBool(String field, int raw, long offset) throws GgufFormatException {
        if (raw > 1) {
            throw new GgufFormatException(
                    field, Integer.toString(raw), offset, "is not a valid bool (0 or 1)");
        }
    }

    /**
     * Reads an array value at nesting {@code depth} (1 for a metadata value). Its field name
     * ({@link #valueField} and the element indices above it) is built only for a message, so that
     * no element costs an allocation.
     */
    private GgufValue.ArrayValue array(int depth) throws IOException {
        long typeOffset = position;
        requireIn(depth, ".element_type", 4);
        int typeId = le32(window, (int) (position - windowStart));
        position += 4;
        GgufValueType elementType = GgufValueType.fromId(typeId).orElse(null);
        if (elementType == null) {
            valueType(arrayField(depth) + ".element_type", typeId, typeOffset); // throws
        }
        if (elementType == GgufValueType.ARRAY && depth >= GgufValue.MAX_ARRAY_DEPTH) {
            throw new GgufFormatException(
                    arrayField(depth) + ".element_type",
                    "array",
                    typeOffset,
                    "nests arrays more than "
                            + GgufValue.MAX_ARRAY_DEPTH
                            + " levels deep, the most this reader accepts");
        }
        long countOffset = position;
        requireIn(depth, ".count", 8);
        long count = le64(window, (int) (position - windowStart));
        position += 8;
        int minSize = elementType.minEncodedSize();
        if (Long.compareUnsigned(count, (fileSize - position) / minSize) > 0
                || Long.compareUnsigned(count, (maxHeaderSize - position) / minSize) > 0) {
            checkCount( // throws
                    arrayField(depth) + ".count",
                    count,
                    countOffset,
                    minSize,
                    "an element of type " + elementType.typeName());
        }
        int n = (int) count;
        int base = (int) position;
        switch (elementType) {
            case STRING -> {
                for (int i = skipStrings(n); i < n; i = i + 1 + skipStrings(n - i - 1)) {
                    String field = arrayField(depth);
                    long length = elementLength(field, i);
                    checkedUtf8(null, length, field, i);
                }
            }
            case ARRAY -> {
                for (int i = 0; i < n; i++) {
                    indices[depth] = i;
                    array(depth + 1);
                }
            }
            default -> {
                long at = position;
                int size = n * elementType.fixedSize();
                requireIn(depth, "", size);
                if (elementType == GgufValueType.BOOL) {
                    byte[] bytes = window;
                    int first = (int) (at - windowStart); // after requireIn, which may move it
                    for (int i = 0; i < n; i++) {
                        if ((bytes[first + i] & 0xFF) > 1) {
                            checkBool(
                                    arrayField(depth) + "[" + i + "]",
                                    bytes[first + i] & 0xFF,
                                    at + i);
                        }
                    }
                }
                position += size;
            }
        }
        return GgufValue.ArrayValue.encoded(elementType, n, header, base, (int) position);
    }

    /** The field name of the array at {@code depth} being read: {@code metadata["k"][i][j]}. */
    private String arrayField(int depth) {
        StringBuilder name = new StringBuilder(valueField);
        for (int d = 1; d < depth; d++) {
            name.append('[').append(indices[d]).append(']');
        }
        return name.toString();
    }

    /**
     * {@link #require} for the array at {@code depth}, naming it only if the bytes are not there.
     */
    private void requireIn(int depth, String suffix, long n) throws IOException {
        if (n > filled - position) {
            require(arrayField(depth) + suffix, n);
        }
    }

    /**
     * Steps over up to {@code n} string elements that lie wholly in the bytes read so far and are
     * valid (a vocabulary has hundreds of thousands); stops at the first that does not, which the
     * caller reads the checked way.
     *
     * @return how many it stepped over
     */
    private int skipStrings(int n) {
        byte[] bytes = window;
        int at = (int) (position - windowStart);
        int limit = (int) (filled - windowStart); // filled never passes the file or the limit
        int i = 0;
        // Runs, then single strings, only where whatever they hold lies in the window: the end of
        // the window is met in the slow path, never in the compiled walk (where meeting it first
        // after compilation would send the walk back to the interpreter to be compiled again).
        while (n - i >= STRING_RUN && limit - at >= STRING_RUN * (8 + QUICK_STRING)) {
            int end = skipRun(bytes, at, STRING_RUN);
            if (end < 0) {
                break; // a long string, or one to refuse: one at a time
            }
            at = end;
            i += STRING_RUN;
        }
        while (i < n && limit - at >= 8 + QUICK_STRING) {
            int end = skipRun(bytes, at, 1);
            if (end < 0) {
                break;
            }
            at = end;
            i++;
        }
        position = windowStart + at;
        return i;
    }

    /**
     * The end of the {@code count} string elements from {@code at} if each is at most {@link
     * #QUICK_STRING} bytes of valid UTF-8, else -1; the caller has checked that the window holds
     * that much. The whole walk is this one method, called once per {@link #STRING_RUN} strings: a
     * fresh JVM compiles it after a few thousand strings (a loop alone waits for on-stack
     * replacement, tens of thousands), and once (a string method called from it would be compiled
     * alone as well, then again inside it: each C2 compilation here costs milliseconds of a CPU
     * that the open needs).
     */
    private static int skipRun(byte[] bytes, int at, int count) {
        int next = at;
        for (int k = 0; k < count; k++) {
            // The length, little-endian; plain byte arithmetic, which a first open runs
            // interpreted far faster than a VarHandle.
            int length =
                    (bytes[next] & 0xFF)
                            | (bytes[next + 1] & 0xFF) << 8
                            | (bytes[next + 2] & 0xFF) << 16
                            | bytes[next + 3] << 24;
            if ((bytes[next + 4] | bytes[next + 5] | bytes[next + 6] | bytes[next + 7]) != 0
                    || length < 0
                    || length > QUICK_STRING) {
                return -1;
            }
            int end = next + 8 + length;
            for (int b = next + 8; b < end; b++) {
                if (bytes[b] < 0) {
                    if (!Utf8.isValid(bytes, b, end - b)) {
                        return -1;
                    }
                    break;
                }
            }
            next = end;
        }
        return next;
    }

    /**
     * Reads and checks the length of string element {@code index} of an array, building the
     * element's field name only for a message (a vocabulary has hundreds of thousands).
     */
    private long elementLength(String arrayField, int index) throws IOException {
        if (8 > limitRemaining()) {
            checkReadable(arrayField + "[" + index + "].length", 8); // throws
        }
        long at = position;
        long length = u64(arrayField);
        if (Long.compareUnsigned(length, limitRemaining()) > 0) {
            checkCount(arrayField + "[" + index + "].length", length, at, 1, "a byte"); // throws
        }
        return length;
    }

    private void checkWellKnownKeys(Map<String, GgufValue> metadata) throws GgufFormatException {
        checkString(metadata, GgufFile.KEY_ARCHITECTURE);
        checkString(metadata, GgufFile.KEY_NAME);
        GgufValue architecture = metadata.get(GgufFile.KEY_ARCHITECTURE);
        if (architecture != null) {
            String arch = architecture.asString();
            checkCountKey(metadata, arch + GgufFile.SUFFIX_BLOCK_COUNT);
            checkCountKey(metadata, arch + GgufFile.SUFFIX_CONTEXT_LENGTH);
            checkCountKey(metadata, arch + GgufFile.SUFFIX_EMBEDDING_LENGTH);
        }
    }

    private void checkString(Map<String, GgufValue> metadata, String key)
            throws GgufFormatException {
        GgufValue value = metadata.get(key);
        if (value != null && value.type() != GgufValueType.STRING) {
            throw new GgufFormatException(
                    "metadata[" + quote(key) + "]",
                    shortText(value),
                    valueOffsets.get(key),
                    "has type " + value.type().typeName() + ", but " + key + " must be a string");
        }
    }

    private void checkCountKey(Map<String, GgufValue> metadata, String key)
            throws GgufFormatException {
        GgufValue value = metadata.get(key);
        if (value == null) {
            return;
        }
        String field = "metadata[" + quote(key) + "]";
        if (!value.type().isInteger()) {
            throw new GgufFormatException(
                    field,
                    shortText(value),
                    valueOffsets.get(key),
                    "has type " + value.type().typeName() + ", but " + key + " must be an integer");
        }
        if (value.asLong() < 0) {
            throw new GgufFormatException(
                    field,
                    value.toString(),
                    valueOffsets.get(key),
                    value.type() == GgufValueType.UINT64
                            ? "exceeds Long.MAX_VALUE=" + Long.MAX_VALUE
                            : "is negative, but " + key + " is a count");
        }
    }

    private long alignment(Map<String, GgufValue> metadata) throws GgufFormatException {
        GgufValue value = metadata.get(GgufFile.KEY_ALIGNMENT);
        if (value == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        String field = "metadata[" + quote(GgufFile.KEY_ALIGNMENT) + "]";
        long offset = valueOffsets.get(GgufFile.KEY_ALIGNMENT);
        if (value.type() != GgufValueType.UINT32) {
            throw new GgufFormatException(
                    field,
                    shortText(value),
                    offset,
                    "has type "
                            + value.type().typeName()
                            + ", but general.alignment must be a uint32");
        }
        long alignment = value.asLong();
        if (alignment == 0 || Long.bitCount(alignment) != 1) {
            throw new GgufFormatException(
                    field,
                    Long.toString(alignment),
                    offset,
                    "is not a power of two: general.alignment must be 1, 2, 4, 8, ...");
        }
        return alignment;
    }

    // ---------------------------------------------------------------- tensors

    /** Tensor infos by data offset (a class, not a lambda: a first open spins no lambda class). */
    private static final Comparator<TensorInfo> BY_OFFSET =
            new Comparator<>() {
                @Override
                public int compare(TensorInfo a, TensorInfo b) {
                    return Long.compare(a.offset(), b.offset());
                }
            };

    /** A tensor info as read, with the offset of its offset field for messages. */
    private record TensorInfo(
            String name, GgmlType type, long[] dims, long offset, long offsetField, long byteSize) {

        /** The tensor's field name for messages: {@code tensor["name"]}. */
        String field() {
            return tensorField(name);
        }
    }

    /** {@code tensor["name"]}, built only for a message (a model has thousands of tensors). */
    private static String tensorField(String name) {
        return "tensor[" + quote(name) + "]";
    }

    /**
     * Reads one tensor info. Field names are built only for a message: a first open reads a
     * thousand tensor infos before the JIT compiles this, and every string built per tensor shows.
     */
    private TensorInfo readTensorInfo(int index, Map<String, Long> nameOffsets) throws IOException {
        // Every refusal is built in a method of its own: this one runs once per tensor on a cold
        // JVM, and a small method compiles sooner and in a fraction of the time.
        long nameOffset = position;
        String name = string("tensor", index, ".name");
        if (name.isEmpty()) {
            throw emptyName(index, nameOffset);
        }
        Long previous = nameOffsets.putIfAbsent(name, nameOffset);
        if (previous != null) {
            throw repeatedName(index, name, nameOffset, previous);
        }
        long nDimsOffset = position;
        requireTensor(name, ".n_dims", 4);
        int nDims = le32(window, (int) (position - windowStart));
        position += 4;
        if (Integer.compareUnsigned(nDims, GgufTensor.MAX_DIMS) > 0) {
            throw tooManyDims(name, nDims, nDimsOffset);
        }
        long[] dims = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long dimOffset = position;
            if (8 > filled - position) {
                require(dimField(name, d), 8);
            }
            long dim = le64(window, (int) (position - windowStart));
            position += 8;
            if (dim <= 0 || elements > Long.MAX_VALUE / dim) {
                throw badDim(name, d, dim, elements, dimOffset);
            }
            elements *= dim;
            dims[d] = dim;
        }
        long typeOffset = position;
        requireTensor(name, ".type", 4);
        int typeId = le32(window, (int) (position - windowStart));
        position += 4;
        GgmlType type = GgmlType.fromId(typeId).orElse(null);
        if (type == null) {
            throw unknownType(name, typeId, typeOffset);
        }
        long rowElements = nDims == 0 ? 1 : dims[0];
        if (rowElements % type.blockSize() != 0) {
            throw partialBlock(name, nDims, rowElements, type, nDimsOffset);
        }
        long blocks = elements / type.blockSize();
        if (blocks > Long.MAX_VALUE / type.bytesPerBlock()) {
            throw sizeOverflow(name, blocks, type, typeOffset);
        }
        long byteSize = blocks * type.bytesPerBlock();
        long offsetField = position;
        requireTensor(name, ".offset", 8);
        long offset = le64(window, (int) (position - windowStart));
        position += 8;
        return new TensorInfo(name, type, dims, offset, offsetField, byteSize);
    }

    /**
     * {@link #require}s {@code n} bytes of a tensor's field, naming it only if they are not here.
     */
    private void requireTensor(String name, String suffix, int n) throws IOException {
        if (n > filled - position) {
            require(tensorField(name) + suffix, n);
        }
    }

    private static GgufFormatException emptyName(int index, long offset) {
        return new GgufFormatException(
                "tensor[" + index + "].name",
                "\"\"",
                offset,
                "is empty: every tensor needs a name");
    }

    private static GgufFormatException repeatedName(
            int index, String name, long offset, long previous) {
        return new GgufFormatException(
                "tensor[" + index + "].name",
                quote(name),
                offset,
                "repeats the name of the tensor at offset "
                        + previous
                        + ": tensor names are unique");
    }

    private static GgufFormatException tooManyDims(String name, int nDims, long offset) {
        return new GgufFormatException(
                tensorField(name) + ".n_dims",
                Integer.toUnsignedString(nDims),
                offset,
                "is more than the " + GgufTensor.MAX_DIMS + " dimensions ggml allows");
    }

    private static GgufFormatException badDim(
            String name, int d, long dim, long elements, long offset) {
        if (dim == 0) {
            return new GgufFormatException(
                    dimField(name, d),
                    "0",
                    offset,
                    "is zero: this reader requires every dimension to be at least 1");
        }
        if (dim < 0) {
            return new GgufFormatException(
                    dimField(name, d),
                    Long.toUnsignedString(dim),
                    offset,
                    "exceeds Long.MAX_VALUE=" + Long.MAX_VALUE);
        }
        return new GgufFormatException(
                dimField(name, d),
                Long.toString(dim),
                offset,
                "makes the element count overflow: "
                        + elements
                        + " * "
                        + dim
                        + " exceeds Long.MAX_VALUE="
                        + Long.MAX_VALUE);
    }

    private static GgufFormatException unknownType(String name, int typeId, long offset) {
        return new GgufFormatException(
                tensorField(name) + ".type",
                Integer.toUnsignedString(typeId),
                offset,
                "is not a known GGML type" + removedTypeHint(typeId));
    }

    private static GgufFormatException partialBlock(
            String name, int nDims, long rowElements, GgmlType type, long nDimsOffset) {
        return new GgufFormatException(
                nDims == 0 ? tensorField(name) + ".n_dims" : dimField(name, 0),
                Long.toString(nDims == 0 ? 0 : rowElements),
                nDims == 0 ? nDimsOffset : nDimsOffset + 4,
                "gives a row of "
                        + rowElements
                        + " elements, not a multiple of the block size "
                        + type.blockSize()
                        + " of type "
                        + type);
    }

    private static GgufFormatException sizeOverflow(
            String name, long blocks, GgmlType type, long offset) {
        return new GgufFormatException(
                tensorField(name) + ".type",
                type.toString(),
                offset,
                "makes the byte size overflow: "
                        + blocks
                        + " blocks * "
                        + type.bytesPerBlock()
                        + " bytes exceeds Long.MAX_VALUE="
                        + Long.MAX_VALUE);
    }

    private static String dimField(String name, int d) {
        return tensorField(name) + ".dims[" + d + "]";
    }

    /** The little-endian unsigned short at {@code at}: plain arithmetic, fast even interpreted. */
    private static int le16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    /** The little-endian int at {@code at}. */
    private static int le32(byte[] bytes, int at) {
        return (bytes[at] & 0xFF)
                | (bytes[at + 1] & 0xFF) << 8
                | (bytes[at + 2] & 0xFF) << 16
                | bytes[at + 3] << 24;
    }

    /** The little-endian long at {@code at}. */
    private static long le64(byte[] bytes, int at) {
        return le32(bytes, at) & 0xFFFF_FFFFL | (long) le32(bytes, at + 4) << 32;
    }

    private static String removedTypeHint(int typeId) {
        return switch (typeId) {
            case 4, 5 -> " (4 and 5 were Q4_2 and Q4_3, removed from ggml)";
            case 31, 32, 33 -> " (31 to 33 were Q4_0_4_4, Q4_0_4_8, Q4_0_8_8, removed from GGUF)";
            case 36, 37, 38 -> " (36 to 38 were IQ4_NL_4_4, IQ4_NL_4_8, IQ4_NL_8_8, removed)";
            default -> "";
        };
    }

    private List<GgufTensor> place(List<TensorInfo> infos, long alignment, long dataStart)
            throws GgufFormatException {
        long dataSize = fileSize - dataStart; // negative if the data would start past the end
        for (TensorInfo info : infos) {
            if (Long.remainderUnsigned(info.offset, alignment) != 0) {
                throw misaligned(info, alignment);
            }
            if (dataSize < 0
                    || Long.compareUnsigned(info.offset, dataSize) > 0
                    || info.byteSize > dataSize - info.offset) {
                throw pastEnd(info, dataStart, fileSize);
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(infos);
        byOffset.sort(BY_OFFSET);
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo before = byOffset.get(i - 1);
            TensorInfo info = byOffset.get(i);
            if (info.offset - before.offset < before.byteSize) {
                throw overlap(info, before, dataStart);
            }
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (TensorInfo info : infos) {
            tensors.add(
                    new GgufTensor(
                            info.name,
                            info.type,
                            info.dims,
                            info.offset,
                            info.byteSize,
                            dataStart + info.offset));
        }
        return List.copyOf(tensors);
    }

    /** A refusal of a tensor's offset field. */
    private static GgufFormatException offsetRefused(TensorInfo info, String why) {
        return new GgufFormatException(
                info.field() + ".offset",
                Long.toUnsignedString(info.offset),
                info.offsetField,
                why);
    }

    private static GgufFormatException misaligned(TensorInfo info, long alignment) {
        return offsetRefused(info, "is not a multiple of the alignment " + alignment);
    }

    private static GgufFormatException pastEnd(TensorInfo info, long dataStart, long fileSize) {
        return offsetRefused(
                info,
                "puts the tensor's "
                        + info.byteSize
                        + " bytes past the end of the file: data starts at "
                        + dataStart
                        + " and the file has "
                        + fileSize
                        + " bytes");
    }

    private static GgufFormatException overlap(TensorInfo info, TensorInfo before, long dataStart) {
        // The offsets are in order and checked against the file here: never negative.
        return offsetRefused(
                info,
                "makes the data of tensor "
                        + quote(info.name)
                        + " ["
                        + (dataStart + info.offset)
                        + ", "
                        + (dataStart + info.offset + info.byteSize)
                        + ") overlap the data of tensor "
                        + quote(before.name)
                        + " ["
                        + (dataStart + before.offset)
                        + ", "
                        + (dataStart + before.offset + before.byteSize)
                        + ")");
    }

    static long alignUp(long offset, long alignment) {
        return Math.addExact(offset, alignment - 1) & -alignment;
    }

    // ---------------------------------------------------------------- primitives

    private void checkCount(String field, long count, long offset, int minSize, String what)
            throws GgufFormatException {
        long fileRemaining = fileSize - position;
        if (Long.compareUnsigned(count, fileRemaining / minSize) > 0) {
            throw new GgufFormatException(
                    field,
                    Long.toUnsignedString(count),
                    offset,
                    "cannot fit in the "
                            + fileRemaining
                            + " remaining bytes of the file"
                            + (minSize > 1
                                    ? " (" + what + " takes at least " + minSize + ")"
                                    : ""));
        }
        long headerRemaining = maxHeaderSize - position;
        if (Long.compareUnsigned(count, headerRemaining / minSize) > 0) {
            throw new GgufFormatException(
                    field,
                    Long.toUnsignedString(count),
                    offset,
                    "cannot fit in the "
                            + headerRemaining
                            + " bytes left under the header size limit of "
                            + maxHeaderSize
                            + " bytes");
        }
    }

    /** Bytes readable before the end of the file or the header size limit, whichever is first. */
    private long limitRemaining() {
        return Math.min(fileSize, maxHeaderSize) - position;
    }

    /**
     * Makes the {@code n} bytes at {@link #position} available in the header array, after checking
     * that they lie in the file and under the header size limit ({@code field} names them then).
     */
    private void require(String field, long n) throws IOException {
        if (n <= filled - position) {
            return;
        }
        checkReadable(field, n);
        if (!pastFirstRead && filled > 0) {
            pastFirstRead = true;
            MemorySegment segment = channel.map(capacityLimit);
            mapped = segment == null ? null : segment.asByteBuffer();
            readBytes();
        }
        if (mapped != null && position > windowStart) {
            // The checked bytes leave the window (they stay in the mapping), the rest moves to
            // its start: the window then holds what is being read and what follows.
            int checked = (int) (position - windowStart);
            System.arraycopy(window, checked, window, 0, (int) (filled - position));
            windowStart = position;
        }
        long end = position + n; // <= capacityLimit
        long room = capacityLimit - windowStart;
        if (end - windowStart > window.length
                || mapped != null && window.length < Math.min(READ_AHEAD, room)) {
            // A mapped header's window takes READ_AHEAD, or what one value needs; a header read
            // into the heap quadruples its array (fewer copies and reads).
            long grown =
                    mapped != null
                            ? Math.max(end - windowStart, Math.min(READ_AHEAD, room))
                            : Math.max(end, Math.min(4L * window.length, capacityLimit));
            byte[] bytes = new byte[(int) grown];
            System.arraycopy(window, 0, bytes, 0, (int) (filled - windowStart));
            window = bytes;
            readBytes();
        }
        // Reads what is needed and up to a quarter of the array more (at least READ_AHEAD), so
        // that reads are few (each one interrupts the walk) and the bytes read past the header few.
        long ahead = Math.max(READ_AHEAD, window.length >>> 2);
        long target =
                Math.min(
                        Math.min(windowStart + window.length, capacityLimit),
                        Math.max(end, filled + ahead));
        int at = (int) (filled - windowStart);
        int length = (int) (target - filled);
        if (mapped != null) {
            copyMapped(at, length);
        } else {
            fill(ByteBuffer.wrap(window, at, length), filled);
        }
        filled = target;
    }

    /** Copies {@code length} mapped bytes from {@link #filled} to {@code window[at]}. */
    private void copyMapped(int at, int length) throws GgufFormatException {
        try {
            // Through the buffer view: the segment's copy into an array would first start the
            // JDK's memory layouts (and by element layout generate a switch over array types),
            // milliseconds on a cold JVM.
            mapped.get((int) filled, window, at, length);
        } catch (InternalError e) {
            // What a mapped page past the end of a file that shrank raises (SIGBUS).
            throw new GgufFormatException(
                    "file",
                    Long.toString(fileSize),
                    filled,
                    "ended early: the file shrank while it was being read");
        }
    }

    /**
     * Points the values at the bytes read so far, file offset for file offset: the mapping, or the
     * array (which never slides when there is no mapping), so that a value can be decoded before
     * the parse ends; {@link #wholeHeader} then gives them the header cut to size.
     */
    private void readBytes() {
        header.buffer =
                (mapped != null ? mapped.duplicate() : ByteBuffer.wrap(window))
                        .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The whole header, {@code [0, size)}: the mapping or the heap array, cut to size. */
    private ByteBuffer wholeHeader(int size) {
        if (mapped != null) {
            return mapped.slice(0, size);
        }
        return ByteBuffer.wrap(window.length == size ? window : Arrays.copyOf(window, size));
    }

    private void checkReadable(String field, long n) throws GgufFormatException {
        if (n > fileSize - position) {
            throw new GgufFormatException(
                    field,
                    "",
                    position,
                    "is truncated: it needs "
                            + n
                            + " bytes, but the file ends at offset "
                            + fileSize);
        }
        if (n > maxHeaderSize - position) {
            throw new GgufFormatException(
                    field,
                    "",
                    position,
                    "lies past the header size limit of " + maxHeaderSize + " bytes");
        }
    }

    /** Fills {@code target} from the file at {@code offset}; the file must have the bytes. */
    private void fill(ByteBuffer target, long offset) throws IOException {
        long at = offset;
        int idle = 0;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read == 0 && ++idle >= MAX_EMPTY_READS) {
                throw new IOException(
                        "GGUF read at offset "
                                + at
                                + ": the channel returned no bytes "
                                + idle
                                + " times in a row");
            }
            if (read > 0) {
                idle = 0;
            }
            if (read < 0) {
                throw new GgufFormatException(
                        "file",
                        Long.toString(fileSize),
                        at,
                        "ended early: the file shrank while it was being read");
            }
            at += read;
        }
    }

    private int u8(String field) throws IOException {
        require(field, 1);
        return window[(int) (position++ - windowStart)] & 0xFF;
    }

    private int u16(String field) throws IOException {
        require(field, 2);
        int value = le16(window, (int) (position - windowStart));
        position += 2;
        return value;
    }

    private int i32(String field) throws IOException {
        require(field, 4);
        int value = le32(window, (int) (position - windowStart));
        position += 4;
        return value;
    }

    private long u64(String field) throws IOException {
        require(field, 8);
        long value = le64(window, (int) (position - windowStart));
        position += 8;
        return value;
    }

    /**
     * Checks that the {@code length} bytes at {@link #position} (checked to fit) are valid UTF-8
     * and steps over them.
     *
     * @return the offset of the bytes in the header array
     */
    private int checkedUtf8(String field, long length) throws IOException {
        return checkedUtf8(field, length, null, 0);
    }

    /** As above; with a null field, names the string element {@code arrayField[index]}. */
    private int checkedUtf8(String field, long length, String arrayField, int index)
            throws IOException {
        if (length > filled - position) {
            require(field == null ? arrayField + "[" + index + "]" : field, length);
        }
        int at = (int) position;
        if (!Utf8.isValid(window, (int) (at - windowStart), (int) length)) {
            throw invalidUtf8(
                    field == null ? arrayField + "[" + index + "]" : field,
                    window,
                    (int) (at - windowStart),
                    at,
                    (int) length);
        }
        position += length;
        return at;
    }

    /**
     * Reads a checked string: its length against the bytes left, its bytes as strict UTF-8. Its
     * field, {@code prefix[index]suffix}, is built only for a message: the parse reads one per
     * metadata key and per tensor name.
     */
    private String string(String prefix, int index, String suffix) throws IOException {
        long lengthOffset = position;
        if (8 > filled - position) {
            require(prefix + "[" + index + "]" + suffix + ".length", 8);
        }
        long length = le64(window, (int) (position - windowStart));
        position += 8;
        if (Long.compareUnsigned(length, limitRemaining()) > 0) {
            checkCount( // throws
                    prefix + "[" + index + "]" + suffix + ".length",
                    length,
                    lengthOffset,
                    1,
                    "a byte");
        }
        if (length > filled - position) {
            require(prefix + "[" + index + "]" + suffix, length);
        }
        int at = (int) (position - windowStart);
        if (!Utf8.isValid(window, at, (int) length)) {
            throw invalidUtf8(
                    prefix + "[" + index + "]" + suffix, window, at, position, (int) length);
        }
        position += length;
        return new String(window, at, (int) length, StandardCharsets.UTF_8);
    }

    private static GgufFormatException invalidUtf8(
            String field, byte[] bytes, int index, long offset, int length) {
        StringBuilder hex = new StringBuilder();
        int shown = Math.min(length, 16);
        for (int i = 0; i < shown; i++) {
            hex.append(i == 0 ? "" : " ")
                    .append(String.format(Locale.ROOT, "%02x", bytes[index + i] & 0xFF));
        }
        if (shown < length) {
            hex.append(" ...");
        }
        return new GgufFormatException(
                field, "[" + hex + "]", offset, "is not valid UTF-8 (" + length + " bytes)");
    }

    // ---------------------------------------------------------------- text

    /** Quotes a name for a message, escaping quotes and control characters, at most ~100 chars. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 100) + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            if (i == 100) {
                out.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String shortText(GgufValue value) {
        return value instanceof GgufValue.StringValue s ? quote(s.value()) : value.toString();
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }
}
