package dev.memory64.gguf;

import dev.memory64.internal.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes GGUF files: metadata of every type and tensors whose data comes from a byte array, from a
 * callback that streams it, or from nowhere (a sparse hole, so that a multi-GiB test model costs
 * almost nothing on disk).
 *
 * <p>Tensors are laid out in the order they were added, each at the next multiple of the alignment;
 * the file ends padded to the alignment, as ggml writes it. {@code general.alignment} is written
 * (as the first metadata entry) when {@link Builder#withAlignment(long)} was called.
 *
 * <pre>{@code
 * GgufWriter.builder()
 *         .addMetadata("general.architecture", GgufValue.string("llama"))
 *         .addMetadata("llama.block_count", GgufValue.uint32(1))
 *         .addTensor("token_embd.weight", GgmlType.F32, new long[] {8, 4}, embeddings)
 *         .addSparseTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, new long[] {4096, 11008})
 *         .build()
 *         .write(path);
 * }</pre>
 *
 * <p>A {@code GgufWriter} is immutable (byte arrays given to it are not copied and must not change
 * until written) and can write its file any number of times.
 */
public final class GgufWriter {

    /**
     * Streams a tensor's data: writes exactly the tensor's byte size into the channel, in chunks of
     * any size, so that a large tensor never has to sit in the heap.
     */
    @FunctionalInterface
    public interface TensorContent {
        /**
         * Writes the tensor's bytes.
         *
         * @param channel where to write them; it accepts exactly the tensor's byte size, and
         *     closing it does nothing
         * @throws IOException if the bytes cannot be produced or written
         */
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /** Where a tensor's data comes from: a byte[], a {@link TensorContent}, or nothing (sparse). */
    private record Entry(GgufTensor tensor, byte[] bytes, TensorContent content) {}

    private final int version;
    private final long alignment;
    private final Map<String, GgufValue> metadata;
    private final List<Entry> entries;
    private final byte[] header;
    private final long dataStart;
    private final long fileSize;

    private GgufWriter(Builder builder) {
        this.version = builder.version;
        this.alignment = builder.alignment;
        Map<String, GgufValue> all = new LinkedHashMap<>();
        if (builder.alignmentSet) {
            all.put(GgufFile.KEY_ALIGNMENT, GgufValue.uint32(alignment));
        }
        all.putAll(builder.metadata);
        this.metadata = Collections.unmodifiableMap(all);

        GgufEncoder out = new GgufEncoder();
        out.u32(Integer.reverseBytes(GgufParser.MAGIC));
        out.u32(version);
        out.u64(builder.tensors.size());
        out.u64(all.size());
        for (Map.Entry<String, GgufValue> entry : all.entrySet()) {
            out.string(entry.getKey());
            out.u32(entry.getValue().type().id());
            out.value(entry.getValue());
        }
        long offset = 0;
        long[] offsets = new long[builder.tensors.size()];
        int index = 0;
        for (PendingTensor pending : builder.tensors) {
            out.string(pending.name);
            out.u32(pending.dims.length);
            for (long dim : pending.dims) {
                out.u64(dim);
            }
            out.u32(pending.type.id());
            out.u64(offset);
            offsets[index++] = offset;
            offset = GgufParser.alignUp(Math.addExact(offset, pending.byteSize), alignment);
        }
        this.header = out.toArray();
        this.dataStart = GgufParser.alignUp(header.length, alignment);
        this.fileSize = Math.addExact(dataStart, offset);
        List<Entry> list = new ArrayList<>();
        for (int i = 0; i < builder.tensors.size(); i++) {
            PendingTensor pending = builder.tensors.get(i);
            long tensorOffset = offsets[i];
            list.add(
                    new Entry(
                            new GgufTensor(
                                    pending.name,
                                    pending.type,
                                    pending.dims,
                                    tensorOffset,
                                    pending.byteSize,
                                    dataStart + tensorOffset),
                            pending.bytes,
                            pending.content));
        }
        this.entries = List.copyOf(list);
    }

    /**
     * Starts a writer: version 3, alignment 32, no metadata, no tensors.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the GGUF version to write.
     *
     * @return 2 or 3
     */
    public int version() {
        return version;
    }

    /**
     * Returns the alignment of tensor data.
     *
     * @return a power of two
     */
    public long alignment() {
        return alignment;
    }

    /**
     * Returns the metadata to write, in order, {@code general.alignment} included when set.
     *
     * @return an unmodifiable map
     */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /**
     * Returns the tensors as they will be in the file, with their offsets.
     *
     * @return the tensors, in the order they were added
     */
    public List<GgufTensor> tensors() {
        return entries.stream().map(Entry::tensor).toList();
    }

    /**
     * Returns the size of the header (everything before the padding that precedes the data).
     *
     * @return the header size in bytes
     */
    public long headerSize() {
        return header.length;
    }

    /**
     * Returns the absolute offset of the tensor data.
     *
     * @return the header size rounded up to the alignment
     */
    public long dataStart() {
        return dataStart;
    }

    /**
     * Returns the size of the file {@link #write(Path)} writes.
     *
     * @return the file size in bytes, padding after the last tensor included
     */
    public long fileSize() {
        return fileSize;
    }

    /**
     * Writes the file, replacing any existing file. Padding and sparse tensors are left as holes
     * (they read as zeros); on a file system with sparse files they take no space. If writing fails
     * the partial file is deleted.
     *
     * @param path the file to write
     * @throws IOException if the file cannot be written, or a {@link TensorContent} fails
     * @throws IllegalStateException if a {@link TensorContent} writes more or fewer bytes than its
     *     tensor's byte size
     */
    public void write(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        boolean success = false;
        try (FileChannel channel =
                FileChannel.open(
                        path,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeFully(channel, ByteBuffer.wrap(header), 0);
            for (Entry entry : entries) {
                long at = entry.tensor.fileOffset();
                if (entry.bytes != null) {
                    writeFully(channel, ByteBuffer.wrap(entry.bytes), at);
                } else if (entry.content != null) {
                    channel.position(at);
                    BoundedChannel bounded = new BoundedChannel(channel, entry.tensor);
                    entry.content.writeTo(bounded);
                    bounded.finish();
                }
            }
            if (channel.size() < fileSize) {
                writeFully(channel, ByteBuffer.wrap(new byte[1]), fileSize - 1);
            }
            success = true;
        } finally {
            if (!success) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException | RuntimeException e) {
                    // Keep the original failure; the partial file stays.
                }
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer source, long offset)
            throws IOException {
        long at = offset;
        while (source.hasRemaining()) {
            at += channel.write(source, at);
        }
    }

    /** Passes a tensor's bytes to the file and refuses more than the tensor's size. */
    private static final class BoundedChannel implements WritableByteChannel {
        private final FileChannel channel;
        private final GgufTensor tensor;
        private long written;
        private boolean open = true;

        BoundedChannel(FileChannel channel, GgufTensor tensor) {
            this.channel = channel;
            this.tensor = tensor;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (source.remaining() > tensor.byteSize() - written) {
                throw new IllegalStateException(
                        "GGUF write: content of tensor \""
                                + tensor.name()
                                + "\" writes "
                                + source.remaining()
                                + " bytes after "
                                + written
                                + ", past its byte size "
                                + tensor.byteSize());
            }
            int count = 0;
            while (source.hasRemaining()) {
                count += channel.write(source);
            }
            written += count;
            return count;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }

        void finish() {
            open = false;
            if (written != tensor.byteSize()) {
                throw new IllegalStateException(
                        "GGUF write: content of tensor \""
                                + tensor.name()
                                + "\" wrote "
                                + written
                                + " bytes, but its byte size is "
                                + tensor.byteSize());
            }
        }
    }

    /** A tensor added to a builder, before its offset is known. */
    private record PendingTensor(
            String name,
            GgmlType type,
            long[] dims,
            long byteSize,
            byte[] bytes,
            TensorContent content) {}

    /** Collects the version, alignment, metadata and tensors of a GGUF file. */
    public static final class Builder {
        private int version = 3;
        private long alignment = GgufFile.DEFAULT_ALIGNMENT;
        private boolean alignmentSet;
        private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
        private final List<PendingTensor> tensors = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        private Builder() {}

        /**
         * Sets the GGUF version (the formats of 2 and 3 are the same for little-endian files).
         *
         * @param version 2 or 3
         * @return this builder
         * @throws IllegalArgumentException if {@code version} is not 2 or 3
         */
        public Builder withVersion(int version) {
            if (version != 2 && version != 3) {
                throw new IllegalArgumentException(
                        "GGUF writer: version=" + version + " is not 2 or 3");
            }
            this.version = version;
            return this;
        }

        /**
         * Sets the alignment of tensor data and writes it as {@code general.alignment}.
         *
         * @param alignment a power of two from 1 to 2<sup>31</sup>
         * @return this builder
         * @throws IllegalArgumentException if {@code alignment} is not such a power of two
         */
        public Builder withAlignment(long alignment) {
            if (alignment <= 0 || alignment > (1L << 31) || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException(
                        "GGUF writer: alignment="
                                + alignment
                                + " is not a power of two from 1 to 2^31");
            }
            this.alignment = alignment;
            this.alignmentSet = true;
            return this;
        }

        /**
         * Adds a metadata entry.
         *
         * @param key the key, e.g. {@code "llama.context_length"}; not {@code general.alignment},
         *     which {@link #withAlignment(long)} sets
         * @param value the value, with its GGUF type
         * @return this builder
         * @throws IllegalArgumentException if the key was already added, is {@code
         *     general.alignment}, or holds an unpaired surrogate
         * @throws NullPointerException if an argument is null
         */
        public Builder addMetadata(String key, GgufValue value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Utf8.checkEncodable(key);
            if (key.equals(GgufFile.KEY_ALIGNMENT)) {
                throw new IllegalArgumentException(
                        "GGUF writer: set general.alignment with withAlignment, not addMetadata");
            }
            if (metadata.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException(
                        "GGUF writer: metadata key \"" + key + "\" added twice");
            }
            return this;
        }

        /**
         * Adds a tensor whose data is a byte array (not copied).
         *
         * @param name the tensor's name, unique and not empty
         * @param type the data type
         * @param dims the dimensions, {@code ne[0]} first: 0 to 4, each positive, {@code dims[0]} a
         *     multiple of the type's block size
         * @param data exactly {@code type.byteSize(dims)} bytes
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or taken, the shape is invalid, the
         *     byte size overflows a {@code long}, or {@code data} has the wrong length
         * @throws NullPointerException if an argument is null
         */
        public Builder addTensor(String name, GgmlType type, long[] dims, byte[] data) {
            Objects.requireNonNull(data, "data");
            long byteSize = checkTensor(name, type, dims);
            if (data.length != byteSize) {
                throw new IllegalArgumentException(
                        "GGUF writer: tensor \""
                                + name
                                + "\" has "
                                + data.length
                                + " bytes of data, but "
                                + type
                                + " "
                                + Arrays.toString(dims)
                                + " takes "
                                + byteSize);
            }
            return add(name, type, dims, byteSize, data, null);
        }

        /**
         * Adds a tensor whose data a callback streams when the file is written.
         *
         * @param name the tensor's name, unique and not empty
         * @param type the data type
         * @param dims the dimensions, {@code ne[0]} first: 0 to 4, each positive, {@code dims[0]} a
         *     multiple of the type's block size
         * @param content writes exactly {@code type.byteSize(dims)} bytes
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or taken, the shape is invalid, or
         *     the byte size overflows a {@code long} (the message names the tensor, its type and
         *     shape)
         * @throws NullPointerException if an argument is null
         */
        public Builder addTensor(String name, GgmlType type, long[] dims, TensorContent content) {
            Objects.requireNonNull(content, "content");
            long byteSize = checkTensor(name, type, dims);
            return add(name, type, dims, byteSize, null, content);
        }

        /**
         * Adds a tensor whose data is left as a hole in the file: it reads as zeros and, on a file
         * system with sparse files, takes no disk space.
         *
         * @param name the tensor's name, unique and not empty
         * @param type the data type
         * @param dims the dimensions, {@code ne[0]} first: 0 to 4, each positive, {@code dims[0]} a
         *     multiple of the type's block size
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or taken, the shape is invalid, or
         *     the byte size overflows a {@code long} (the message names the tensor, its type and
         *     shape)
         * @throws NullPointerException if an argument is null
         */
        public Builder addSparseTensor(String name, GgmlType type, long[] dims) {
            long byteSize = checkTensor(name, type, dims);
            return add(name, type, dims, byteSize, null, null);
        }

        private long checkTensor(String name, GgmlType type, long[] dims) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(dims, "dims");
            Utf8.checkEncodable(name);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("GGUF writer: tensor name is empty");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException(
                        "GGUF writer: tensor \"" + name + "\" added twice");
            }
            try {
                return type.byteSize(dims);
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "GGUF writer: tensor \""
                                + name
                                + "\" of type "
                                + type
                                + " and shape "
                                + shape(dims)
                                + ": "
                                + (e instanceof ArithmeticException
                                        ? "its byte size overflows a long"
                                        : e.getMessage()),
                        e);
            }
        }

        private static String shape(long[] dims) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                text.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(dims[i]));
            }
            return text.append(']').toString();
        }

        private Builder add(
                String name,
                GgmlType type,
                long[] dims,
                long byteSize,
                byte[] bytes,
                TensorContent content) {
            names.add(name);
            tensors.add(new PendingTensor(name, type, dims.clone(), byteSize, bytes, content));
            return this;
        }

        /**
         * Lays the file out: computes every tensor's offset and encodes the header.
         *
         * @return the writer
         * @throws ArithmeticException if the file would be larger than {@link Long#MAX_VALUE} bytes
         */
        public GgufWriter build() {
            return new GgufWriter(this);
        }
    }
}
