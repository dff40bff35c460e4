package dev.memory64.gguf;

import dev.memory64.model.HeaderSource;
import dev.memory64.model.ModelText;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and validates a GGUF header, which the metadata values then point into: the grammar, over
 * the bytes that a {@link HeaderWindow} checks and serves.
 *
 * <p>Every count and length from the file is checked against the bytes left in the file (and under
 * the header size limit) before it is used, every loop consumes at least one byte per iteration,
 * and arrays nest at most {@link GgufValue#MAX_ARRAY_DEPTH} deep, so no input can loop without end
 * or overflow the stack. Metadata strings and arrays are checked where they lie and stay there:
 * their values point into the header and decode on access, so a header costs at most its size, plus
 * one object per metadata entry and per tensor. Mapped, the values read what the file holds: a file
 * rewritten in place while it is open gives values that fail on access, as its tensors give new
 * bytes; replace a model file (write a new one, then rename it) instead. Tensor data is never read.
 */
final class GgufParser {

    /** "GGUF" as the bytes 0x47 0x47 0x55 0x46. */
    static final int MAGIC = 0x47475546;

    /** Smallest tensor info: name length, n_dims, type and offset (an empty name is rejected). */
    private static final int MIN_TENSOR_INFO_SIZE = 8 + 4 + 4 + 8;

    /** Smallest metadata entry: key length, value type and a one-byte value. */
    private static final int MIN_KV_SIZE = 8 + 4 + 1;

    private final HeaderWindow in;

    /** The field name of the metadata value being read, for messages about its arrays. */
    private String valueField = "";

    /** While an array of arrays is read: the index of the element being read at each depth. */
    private final int[] indices = new int[GgufValue.MAX_ARRAY_DEPTH + 1];

    /** Offsets of the values of metadata keys validated after the whole header is read. */
    private final Map<String, Long> valueOffsets = new HashMap<>();

    private GgufParser(HeaderSource source, long fileSize, long maxHeaderSize) {
        this.in = new HeaderWindow(source, fileSize, maxHeaderSize);
    }

    static GgufFile parse(FileChannel channel, long maxHeaderSize) throws IOException {
        return parse(HeaderSource.of(channel), channel.size(), maxHeaderSize);
    }

    static GgufFile parse(HeaderSource source, long size, long maxHeaderSize) throws IOException {
        return new GgufParser(source, size, maxHeaderSize).parse();
    }

    private GgufFile parse() throws IOException {
        int magic = Integer.reverseBytes(in.i32("magic"));
        if (magic != MAGIC) {
            throw GgufFormatException.badMagic(magic, MAGIC);
        }
        int version = in.i32("version");
        if (version != 2 && version != 3) {
            throw GgufFormatException.badVersion(version);
        }
        long tensorCount = in.u64("tensor_count");
        in.checkCount("tensor_count", tensorCount, 8, MIN_TENSOR_INFO_SIZE, "a tensor info");
        long kvCount = in.u64("metadata_kv_count");
        in.checkCount("metadata_kv_count", kvCount, 16, MIN_KV_SIZE, "a metadata entry");

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        Map<String, Long> keyOffsets = new HashMap<>();
        for (int i = 0; i < (int) kvCount; i++) {
            readKeyValue(i, metadata, keyOffsets);
        }
        // Values decode from the bytes read so far, so the keys read above can be checked before
        // the tensor infos are read: their types and the architecture's name.
        long alignment = alignment(metadata);
        checkWellKnownKeys(metadata);

        List<TensorInfo> infos = new ArrayList<>((int) Math.min(tensorCount, 1024));
        Map<String, Long> nameOffsets = new HashMap<>();
        for (int i = 0; i < (int) tensorCount; i++) {
            infos.add(readTensorInfo(i, nameOffsets));
        }
        long headerSize = in.position();
        in.finish((int) headerSize);
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
                in.fileSize());
    }

    // ---------------------------------------------------------------- metadata

    private void readKeyValue(int index, Map<String, GgufValue> metadata, Map<String, Long> keys)
            throws IOException {
        long keyOffset = in.position();
        String key = in.string("metadata", index, ".key");
        Long previous = keys.putIfAbsent(key, keyOffset);
        if (previous != null) {
            throw GgufFormatException.repeatedKey(index, key, keyOffset, previous);
        }
        String field = "metadata[" + quote(key) + "]";
        long typeOffset = in.position();
        int typeId = in.i32(field + ".type");
        GgufValueType type = valueType(field + ".type", typeId, typeOffset);
        long valueOffset = in.position();
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
            throw GgufFormatException.unknownValueType(field, typeId, offset);
        }
        return type.get();
    }

    /** Reads one value of a known type; {@code depth} is the nesting of an array read here. */
    private GgufValue value(String field, GgufValueType type, int depth) throws IOException {
        return switch (type) {
            case UINT8 -> new GgufValue.IntValue(type, in.u8(field));
            case INT8 -> new GgufValue.IntValue(type, (byte) in.u8(field));
            case UINT16 -> new GgufValue.IntValue(type, in.u16(field));
            case INT16 -> new GgufValue.IntValue(type, (short) in.u16(field));
            case UINT32 -> new GgufValue.IntValue(type, in.i32(field) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue.IntValue(type, in.i32(field));
            case UINT64, INT64 -> new GgufValue.IntValue(type, in.u64(field));
            case FLOAT32 -> new GgufValue.FloatValue(type, Float.intBitsToFloat(in.i32(field)));
            case FLOAT64 -> new GgufValue.FloatValue(type, Double.longBitsToDouble(in.u64(field)));
            case BOOL -> {
                long at = in.position();
                int raw = in.u8(field);
                checkBool(field, raw, at);
                yield new GgufValue.BoolValue(raw != 0);
            }
            case STRING -> {
                long lengthOffset = in.position();
                long length = in.u64(field + ".length");
                in.checkCount(field + ".length", length, lengthOffset, 1, "a byte");
                int at = in.checkedUtf8(field, length, null, 0);
                yield GgufValue.StringValue.ofUtf8(in.header(), at, (int) length);
            }
            case ARRAY -> {
                valueField = field;
                yield array(depth);
            }
        };
    }

    private static void checkBool(String field, int raw, long offset) throws GgufFormatException {
        if (raw > 1) {
            throw GgufFormatException.badBool(field, raw, offset);
        }
    }

    /**
     * Reads an array value at nesting {@code depth} (1 for a metadata value). Its field name
     * ({@link #valueField} and the element indices above it) is built only for a message, so that
     * no element costs an allocation.
     */
    private GgufValue.ArrayValue array(int depth) throws IOException {
        long typeOffset = in.position();
        requireIn(depth, ".element_type", 4);
        int typeId = in.nextI32();
        GgufValueType elementType = GgufValueType.fromId(typeId).orElse(null);
        if (elementType == null) {
            valueType(arrayField(depth) + ".element_type", typeId, typeOffset); // throws
        }
        if (elementType == GgufValueType.ARRAY && depth >= GgufValue.MAX_ARRAY_DEPTH) {
            throw GgufFormatException.nestedTooDeep(
                    arrayField(depth) + ".element_type", typeOffset);
        }
        long countOffset = in.position();
        requireIn(depth, ".count", 8);
        long count = in.nextI64();
        int minSize = elementType.minEncodedSize();
        if (!in.fits(count, minSize)) {
            in.checkCount( // throws
                    arrayField(depth) + ".count",
                    count,
                    countOffset,
                    minSize,
                    "an element of type " + elementType.typeName());
        }
        int n = (int) count;
        int base = (int) in.position();
        switch (elementType) {
            case STRING -> {
                for (int i = in.skipStrings(n); i < n; i = i + 1 + in.skipStrings(n - i - 1)) {
                    String field = arrayField(depth);
                    long length = in.elementLength(field, i);
                    in.checkedUtf8(null, length, field, i);
                }
            }
            case ARRAY -> {
                for (int i = 0; i < n; i++) {
                    indices[depth] = i;
                    array(depth + 1);
                }
            }
            default -> {
                int size = n * elementType.fixedSize();
                requireIn(depth, "", size);
                if (elementType == GgufValueType.BOOL) {
                    long at = in.position();
                    for (int i = 0; i < n; i++) {
                        int raw = in.u8At(at + i);
                        if (raw > 1) {
                            checkBool(arrayField(depth) + "[" + i + "]", raw, at + i);
                        }
                    }
                }
                in.skip(size);
            }
        }
        return GgufValue.ArrayValue.encoded(elementType, n, in.header(), base, (int) in.position());
    }

    /** The field name of the array at {@code depth} being read: {@code metadata["k"][i][j]}. */
    private String arrayField(int depth) {
        StringBuilder name = new StringBuilder(valueField);
        for (int d = 1; d < depth; d++) {
            name.append('[').append(indices[d]).append(']');
        }
        return name.toString();
    }

    /** Requires bytes of the array at {@code depth}, naming it only if they are not at hand. */
    private void requireIn(int depth, String suffix, long n) throws IOException {
        if (!in.has(n)) {
            in.require(arrayField(depth) + suffix, n);
        }
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
            throw GgufFormatException.wrongKeyType(key, value, valueOffsets.get(key), "a string");
        }
    }

    private void checkCountKey(Map<String, GgufValue> metadata, String key)
            throws GgufFormatException {
        GgufValue value = metadata.get(key);
        if (value == null) {
            return;
        }
        if (!value.type().isInteger()) {
            throw GgufFormatException.wrongKeyType(key, value, valueOffsets.get(key), "an integer");
        }
        if (value.asLong() < 0) {
            throw GgufFormatException.negativeCount(key, value, valueOffsets.get(key));
        }
    }

    private long alignment(Map<String, GgufValue> metadata) throws GgufFormatException {
        String key = GgufFile.KEY_ALIGNMENT;
        GgufValue value = metadata.get(key);
        if (value == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long offset = valueOffsets.get(key);
        if (value.type() != GgufValueType.UINT32) {
            throw GgufFormatException.wrongKeyType(key, value, offset, "a uint32");
        }
        long alignment = value.asLong();
        if (alignment == 0 || Long.bitCount(alignment) != 1) {
            throw GgufFormatException.badAlignment(alignment, offset);
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

    /**
     * A tensor info as read, with the offset of its offset field for messages.
     *
     * @param name the tensor's name
     * @param type its type
     * @param dims its dims
     * @param offset its offset from the start of the data
     * @param offsetField the file offset of its offset field
     * @param byteSize its size in bytes
     */
    record TensorInfo(
            String name,
            GgmlType type,
            long[] dims,
            long offset,
            long offsetField,
            long byteSize) {}

    /**
     * Reads one tensor info. Field names are built only for a message: a first open reads a
     * thousand tensor infos before the JIT compiles this, and every string built per tensor shows.
     */
    private TensorInfo readTensorInfo(int index, Map<String, Long> nameOffsets) throws IOException {
        // Every refusal is built in a method of its own: this one runs once per tensor on a cold
        // JVM, and a small method compiles sooner and in a fraction of the time.
        long nameOffset = in.position();
        String name = in.string("tensor", index, ".name");
        if (name.isEmpty()) {
            throw GgufFormatException.emptyName(index, nameOffset);
        }
        Long previous = nameOffsets.putIfAbsent(name, nameOffset);
        if (previous != null) {
            throw GgufFormatException.repeatedName(index, name, nameOffset, previous);
        }
        long nDimsOffset = in.position();
        requireTensor(name, ".n_dims", 4);
        int nDims = in.nextI32();
        if (Integer.compareUnsigned(nDims, GgufTensor.MAX_DIMS) > 0) {
            throw GgufFormatException.tooManyDims(name, nDims, nDimsOffset);
        }
        long[] dims = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long dimOffset = in.position();
            if (!in.has(8)) {
                in.require(GgufFormatException.dimField(name, d), 8);
            }
            long dim = in.nextI64();
            if (dim <= 0 || elements > Long.MAX_VALUE / dim) {
                throw GgufFormatException.badDim(name, d, dim, elements, dimOffset);
            }
            elements *= dim;
            dims[d] = dim;
        }
        long typeOffset = in.position();
        requireTensor(name, ".type", 4);
        int typeId = in.nextI32();
        GgmlType type = GgmlType.fromId(typeId).orElse(null);
        if (type == null) {
            throw GgufFormatException.unknownType(name, typeId, typeOffset);
        }
        long rowElements = nDims == 0 ? 1 : dims[0];
        if (rowElements % type.blockSize() != 0) {
            throw GgufFormatException.partialBlock(name, nDims, rowElements, type, nDimsOffset);
        }
        long blocks = elements / type.blockSize();
        if (blocks > Long.MAX_VALUE / type.bytesPerBlock()) {
            throw GgufFormatException.sizeOverflow(name, blocks, type, typeOffset);
        }
        long byteSize = blocks * type.bytesPerBlock();
        long offsetField = in.position();
        requireTensor(name, ".offset", 8);
        long offset = in.nextI64();
        return new TensorInfo(name, type, dims, offset, offsetField, byteSize);
    }

    /** Requires {@code n} bytes of a tensor's field, naming it only if they are not at hand. */
    private void requireTensor(String name, String suffix, int n) throws IOException {
        if (!in.has(n)) {
            in.require(GgufFormatException.tensorField(name) + suffix, n);
        }
    }

    private List<GgufTensor> place(List<TensorInfo> infos, long alignment, long dataStart)
            throws GgufFormatException {
        long fileSize = in.fileSize();
        long dataSize = fileSize - dataStart; // negative if the data would start past the end
        for (TensorInfo info : infos) {
            if (Long.remainderUnsigned(info.offset, alignment) != 0) {
                throw GgufFormatException.misaligned(info, alignment);
            }
            if (dataSize < 0
                    || Long.compareUnsigned(info.offset, dataSize) > 0
                    || info.byteSize > dataSize - info.offset) {
                throw GgufFormatException.pastEnd(info, dataStart, fileSize);
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(infos);
        byOffset.sort(BY_OFFSET);
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo before = byOffset.get(i - 1);
            TensorInfo info = byOffset.get(i);
            if (info.offset - before.offset < before.byteSize) {
                throw GgufFormatException.overlap(info, before, dataStart);
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

    static long alignUp(long offset, long alignment) {
        return Math.addExact(offset, alignment - 1) & -alignment;
    }

    /** Quotes a name for a message (see {@link ModelText#quote}). */
    static String quote(String text) {
        return ModelText.quote(text);
    }
}
