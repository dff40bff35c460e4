package dev.memory64.gguf;

import dev.memory64.model.ModelText;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The header of a GGUF model file (versions 2 and 3, little-endian): metadata, tensor infos and
 * where the tensor data lies. Reading never touches the tensor data itself.
 *
 * <p>{@link #read(Path)} validates the whole header and every tensor's placement: a file either
 * reads as a {@code GgufFile} or fails with a {@link GgufFormatException} naming the field, its
 * value and its offset. Beyond the GGUF specification this reader requires:
 *
 * <ul>
 *   <li>metadata keys and tensor names are unique, tensor names are not empty;
 *   <li>every tensor has 0 to 4 dimensions, each at least 1 (a dimension of 0 is rejected: ggml
 *       divides by dimensions, and a tensor without elements has nothing to load), with {@code
 *       dims[0]} a multiple of its type's block size, and element count and byte size that fit in a
 *       {@code long};
 *   <li>tensor data offsets are multiples of {@code general.alignment} (a {@code uint32} power of
 *       two, 32 when absent), the data of two tensors does not overlap, and all data lies within
 *       the file (the tensors may be in any order, and the file need not end with padding);
 *   <li>{@code general.architecture} and {@code general.name} are strings, and {@code
 *       <arch>.block_count}, {@code <arch>.context_length} and {@code <arch>.embedding_length} are
 *       non-negative integers of any integer type;
 *   <li>arrays nest at most {@link GgufValue#MAX_ARRAY_DEPTH} deep, and the header (everything
 *       before the tensor data) is at most {@link #DEFAULT_MAX_HEADER_SIZE} bytes, or the limit
 *       given to {@link #read(FileChannel, long)}. Reading takes under twice the header size limit
 *       in heap (and under five times the header's own size, while its array grows), plus one
 *       object per metadata entry and per tensor, whatever the header holds; the header then keeps
 *       its size in heap, its strings and arrays decoded on access.
 * </ul>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class GgufFile {

    /** The default of {@code general.alignment}: 32 bytes. */
    public static final long DEFAULT_ALIGNMENT = 32;

    /**
     * The default limit on the header size, 128 MiB: real models' headers, vocabulary included,
     * take a few MiB to a few tens of MiB.
     */
    public static final long DEFAULT_MAX_HEADER_SIZE = 128L << 20;

    /** The largest header size limit {@link #read(FileChannel, long)} accepts. */
    public static final long MAX_HEADER_SIZE_LIMIT = Integer.MAX_VALUE - 8;

    static final String KEY_ALIGNMENT = "general.alignment";
    static final String KEY_ARCHITECTURE = "general.architecture";
    static final String KEY_NAME = "general.name";
    static final String SUFFIX_BLOCK_COUNT = ".block_count";
    static final String SUFFIX_CONTEXT_LENGTH = ".context_length";
    static final String SUFFIX_EMBEDDING_LENGTH = ".embedding_length";

    private final int version;
    private final Map<String, GgufValue> metadata;
    private final long alignment;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> tensorsByName;
    private final long headerSize;
    private final long dataStart;
    private final long fileSize;
    private final Map<String, Long> valueOffsets;

    GgufFile(
            int version,
            Map<String, GgufValue> metadata,
            Map<String, Long> valueOffsets,
            long alignment,
            List<GgufTensor> tensors,
            long headerSize,
            long dataStart,
            long fileSize) {
        this.version = version;
        this.metadata = metadata;
        this.valueOffsets = valueOffsets;
        this.alignment = alignment;
        this.tensors = tensors;
        this.headerSize = headerSize;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
        Map<String, GgufTensor> byName = new HashMap<>();
        for (GgufTensor tensor : tensors) {
            byName.put(tensor.name(), tensor);
        }
        this.tensorsByName = byName;
    }

    /**
     * Reads and validates the header of a GGUF file.
     *
     * @param path the file
     * @return the header
     * @throws GgufFormatException if the file is not a valid GGUF file
     * @throws IOException if the file cannot be opened or read
     */
    public static GgufFile read(Path path) throws IOException {
        return read(path, DEFAULT_MAX_HEADER_SIZE);
    }

    /**
     * Reads and validates the header of a GGUF file with a header size limit.
     *
     * @param path the file
     * @param maxHeaderSize the largest header (everything before the tensor data) to accept, in
     *     bytes
     * @return the header
     * @throws IllegalArgumentException if {@code maxHeaderSize} is not in {@code [24,
     *     MAX_HEADER_SIZE_LIMIT]}
     * @throws GgufFormatException if the file is not a valid GGUF file
     * @throws java.nio.file.FileSystemException if the path is a directory (the message names it)
     * @throws IOException if the file cannot be opened or read
     */
    public static GgufFile read(Path path, long maxHeaderSize) throws IOException {
        Objects.requireNonNull(path, "path");
        checkMaxHeaderSize(maxHeaderSize);
        if (Files.isDirectory(path)) {
            throw new FileSystemException(
                    path.toString(), null, "GGUF read: is a directory, not a model file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(channel, maxHeaderSize);
        }
    }

    /**
     * Reads and validates the header of a GGUF file from a channel, from offset 0, with the default
     * header size limit. Reads are positional: the channel's position does not change, and the
     * channel stays open.
     *
     * @param channel the file
     * @return the header
     * @throws GgufFormatException if the file is not a valid GGUF file
     * @throws IOException if the channel cannot be read
     */
    public static GgufFile read(FileChannel channel) throws IOException {
        return read(channel, DEFAULT_MAX_HEADER_SIZE);
    }

    /**
     * Reads and validates the header of a GGUF file from a channel, from offset 0, with a header
     * size limit. Reads are positional: the channel's position does not change, and the channel
     * stays open.
     *
     * @param channel the file
     * @param maxHeaderSize the largest header (everything before the tensor data) to accept, in
     *     bytes; reading takes under twice this limit in heap
     * @return the header
     * @throws IllegalArgumentException if {@code maxHeaderSize} is not in {@code [24,
     *     MAX_HEADER_SIZE_LIMIT]}
     * @throws GgufFormatException if the file is not a valid GGUF file
     * @throws IOException if the channel cannot be read
     */
    public static GgufFile read(FileChannel channel, long maxHeaderSize) throws IOException {
        Objects.requireNonNull(channel, "channel");
        checkMaxHeaderSize(maxHeaderSize);
        return GgufParser.parse(channel, maxHeaderSize);
    }

    static void checkMaxHeaderSize(long maxHeaderSize) {
        ModelText.checkMaxHeaderSize(
                "GGUF read: maxHeaderSize=", maxHeaderSize, 24, MAX_HEADER_SIZE_LIMIT);
    }

    /**
     * Returns the file's GGUF version.
     *
     * @return 2 or 3
     */
    public int version() {
        return version;
    }

    /**
     * Returns all metadata, in file order, each value with its GGUF type.
     *
     * @return an unmodifiable map from key to value
     */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /**
     * Returns one metadata value.
     *
     * @param key the key, e.g. {@code "tokenizer.ggml.tokens"}
     * @return the value, or empty if the file has no such key
     */
    public Optional<GgufValue> metadata(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /**
     * Whether the file has any {@code split.*} key: without one it is a whole model, and the split
     * rules ({@link GgufSplit}) have nothing to check in it.
     */
    boolean hasSplitKeys() {
        for (String key : valueOffsets.keySet()) {
            if (key.startsWith("split.")) {
                return true;
            }
        }
        return false;
    }

    /** The file offset of a well-known key's value (alignment, names, counts, split keys), or 0. */
    long valueOffset(String key) {
        return valueOffsets.getOrDefault(key, 0L);
    }

    /**
     * Returns the alignment of tensor data, {@code general.alignment}.
     *
     * @return a power of two, {@value #DEFAULT_ALIGNMENT} when the file does not set it
     */
    public long alignment() {
        return alignment;
    }

    /**
     * Returns the tensors, in the order of their infos in the file.
     *
     * @return an unmodifiable list
     */
    public List<GgufTensor> tensors() {
        return tensors;
    }

    /**
     * Finds a tensor by name.
     *
     * @param name the tensor's name
     * @return the tensor, or empty if the file has none of that name
     */
    public Optional<GgufTensor> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * Returns the size of the header: the offset just past the last tensor info.
     *
     * @return the header size in bytes
     */
    public long headerSize() {
        return headerSize;
    }

    /**
     * Returns the absolute offset of the tensor data: {@link #headerSize()} rounded up to {@link
     * #alignment()}. Every tensor's {@link GgufTensor#offset()} is relative to it.
     *
     * @return the data start; past the end of the file only if there are no tensors
     */
    public long dataStart() {
        return dataStart;
    }

    /**
     * Returns the size of the file when it was read.
     *
     * @return the file size in bytes
     */
    public long fileSize() {
        return fileSize;
    }

    /**
     * Returns the model's architecture, {@code general.architecture}.
     *
     * @return e.g. {@code "llama"}, or empty if the file does not say
     */
    public Optional<String> architecture() {
        return metadata(KEY_ARCHITECTURE).map(GgufValue::asString);
    }

    /**
     * Returns the model's name, {@code general.name}.
     *
     * @return the name, or empty if the file does not say
     */
    public Optional<String> name() {
        return metadata(KEY_NAME).map(GgufValue::asString);
    }

    /**
     * Returns the number of transformer blocks the metadata declares, {@code
     * <architecture>.block_count}. (The number of blocks by tensor names is in {@link #layers()}.)
     *
     * @return the block count, or empty if the file has no architecture or no such key
     */
    public OptionalLong blockCount() {
        return architectureCount(SUFFIX_BLOCK_COUNT);
    }

    /**
     * Returns the context length the model was trained with, {@code <architecture>.context_length}.
     *
     * @return the context length in tokens, or empty if the file has no architecture or no such key
     */
    public OptionalLong contextLength() {
        return architectureCount(SUFFIX_CONTEXT_LENGTH);
    }

    /**
     * Returns the embedding length, {@code <architecture>.embedding_length}.
     *
     * @return the embedding length, or empty if the file has no architecture or no such key
     */
    public OptionalLong embeddingLength() {
        return architectureCount(SUFFIX_EMBEDDING_LENGTH);
    }

    private OptionalLong architectureCount(String suffix) {
        Optional<String> architecture = architecture();
        if (architecture.isEmpty()) {
            return OptionalLong.empty();
        }
        GgufValue value = metadata.get(architecture.get() + suffix);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value.asLong());
    }

    /**
     * Groups the tensors into the model's layers, by tensor name:
     *
     * <ul>
     *   <li>{@code token_embd.*} is layer 0, named {@code token_embd};
     *   <li>{@code blk.N.*} is layer {@code N + 1}, named {@code blk.N} (N a decimal number without
     *       sign or leading zeros; a name with prefix {@code blk} and no such number is an error);
     *   <li>with {@code B} the number of blocks by tensor names (the highest N plus 1, 0 without
     *       blocks), {@code output_norm.*} is layer {@code B + 1} and {@code output.*} is layer
     *       {@code B + 2};
     *   <li>every other prefix (the text before the first {@code '.'}, e.g. {@code rope_freqs})
     *       gets the ids from {@code B + 3} on, in order of first appearance among the tensor
     *       infos, and is named by its prefix.
     * </ul>
     *
     * <p>Only layers that have tensors are listed, so ids may have gaps (a missing block). Each
     * layer is the byte range from its first tensor's start to its last tensor's end; padding
     * between its tensors belongs to it, but no other layer's tensor may lie inside it.
     *
     * @return the layers, by id
     * @throws GgufFormatException if a layer's range holds a tensor of another layer (the message
     *     names both layers' tensors), a layer is larger than {@link Integer#MAX_VALUE} bytes, a
     *     {@code blk} tensor has no valid block number, or a layer id would exceed {@link
     *     Integer#MAX_VALUE}; the exception's offset is then a tensor's or layer's data offset
     */
    public List<GgufLayer> layers() throws GgufFormatException {
        return GgufNaming.layers(tensors);
    }

    @Override
    public String toString() {
        return "GGUF v"
                + version
                + " "
                + architecture().orElse("(no architecture)")
                + ": "
                + metadata.size()
                + " metadata entries, "
                + tensors.size()
                + " tensors, data at "
                + dataStart
                + " (alignment "
                + alignment
                + "), "
                + fileSize
                + " bytes";
    }
}
