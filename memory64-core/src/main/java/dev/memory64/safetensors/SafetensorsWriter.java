package dev.memory64.safetensors;

import dev.memory64.internal.Utf8;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes safetensors checkpoints: one file, or a sharded set with its index. Tensors are written in
 * the order they were added (so that a block's tensors lie together), the header padded with spaces
 * to a multiple of 8 bytes as the reference implementation pads it. A tensor added without data is
 * written as a hole: a sparse file that costs no disk, for tests and measurements of open time.
 *
 * <pre>{@code
 * SafetensorsWriter.create()
 *         .putMetadata("format", "pt")
 *         .add("model.embed_tokens.weight", SafetensorsDtype.F32, new long[] {32, 8}, weights)
 *         .write(Path.of("model.safetensors"));
 * }</pre>
 */
public final class SafetensorsWriter {

    /** One tensor to write: its data, or null for zeros written as a hole. */
    private record Pending(
            String name, SafetensorsDtype dtype, long[] shape, long size, MemorySegment data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    private SafetensorsWriter() {}

    /**
     * Starts a checkpoint with no tensors and no metadata.
     *
     * @return a writer
     */
    public static SafetensorsWriter create() {
        return new SafetensorsWriter();
    }

    /**
     * Sets a {@code __metadata__} entry (written in every shard).
     *
     * @param key the key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the key or the value has no UTF-8 form
     */
    public SafetensorsWriter putMetadata(String key, String value) {
        checkText(Objects.requireNonNull(key, "key"));
        checkText(Objects.requireNonNull(value, "value"));
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor with its bytes (row-major, little-endian, as the format stores them).
     *
     * @param name the tensor's name, unique
     * @param dtype its type
     * @param shape its shape, outermost first; empty for a scalar
     * @param data its bytes, exactly as many as the dtype and shape take; read when written
     * @return this writer
     * @throws IllegalArgumentException if the name is taken, is {@code __metadata__} or has no
     *     UTF-8 form, a dimension is negative, the bits of the shape do not fill whole bytes, or
     *     the data's size is not the tensor's
     */
    public SafetensorsWriter add(
            String name, SafetensorsDtype dtype, long[] shape, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        long size = check(name, dtype, shape);
        if (data.byteSize() != size) {
            throw new IllegalArgumentException(
                    "tensor \""
                            + name
                            + "\": "
                            + data.byteSize()
                            + " bytes of data, but "
                            + dtype
                            + " "
                            + java.util.Arrays.toString(shape)
                            + " takes "
                            + size);
        }
        tensors.add(new Pending(name, dtype, shape.clone(), size, data));
        return this;
    }

    /**
     * Adds a tensor of zeros, written as a hole in the file (no disk taken where the file system
     * supports sparse files).
     *
     * @param name the tensor's name, unique
     * @param dtype its type
     * @param shape its shape, outermost first
     * @return this writer
     * @throws IllegalArgumentException as {@link #add}
     */
    public SafetensorsWriter addZeros(String name, SafetensorsDtype dtype, long... shape) {
        long size = check(name, dtype, shape);
        tensors.add(new Pending(name, dtype, shape.clone(), size, null));
        return this;
    }

    private long check(String name, SafetensorsDtype dtype, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        checkText(name);
        if (name.equals(SafetensorsParser.METADATA)) {
            throw new IllegalArgumentException("tensor name " + name + " is reserved");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "tensor \"" + name + "\": negative dimension " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        long size = dtype.byteSize(elements);
        if (size < 0) {
            throw new IllegalArgumentException(
                    "tensor \""
                            + name
                            + "\": "
                            + elements
                            + " elements of "
                            + dtype
                            + " do not fill whole bytes");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor \"" + name + "\" added twice");
        }
        return size;
    }

    private static void checkText(String text) {
        if (Utf8.unpairedSurrogate(text) >= 0) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" has an unpaired surrogate, which UTF-8 cannot hold");
        }
    }

    /**
     * Writes every tensor into one file, replacing it.
     *
     * @param file the file
     * @throws IOException if the file cannot be written
     */
    public void write(Path file) throws IOException {
        writeFile(file, tensors);
    }

    /**
     * Writes the tensors into {@code shards} files named {@code PREFIX-0000K-of-0000N.safetensors}
     * in {@code directory}, in the order added, each holding about the same number of bytes and at
     * least one tensor, and the index {@code PREFIX.safetensors.index.json} beside them.
     *
     * @param directory where the files go
     * @param prefix the files' prefix, e.g. {@code model}
     * @param shards how many shards, 2 to 99999
     * @return the shards, in part order
     * @throws IllegalArgumentException if {@code shards} is out of range or more than the tensors
     * @throws IOException if a file cannot be written
     */
    public List<Path> writeSharded(Path directory, String prefix, int shards) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(prefix, "prefix");
        if (shards < 2 || shards > 99_999 || shards > tensors.size()) {
            throw new IllegalArgumentException(
                    "writeSharded: "
                            + shards
                            + " shards for "
                            + tensors.size()
                            + " tensors; need 2 to 99999, at most one per tensor");
        }
        long total = 0;
        for (Pending t : tensors) {
            total += t.size;
        }
        List<List<Pending>> groups = new ArrayList<>();
        List<Pending> current = new ArrayList<>();
        long inCurrent = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Pending t = tensors.get(i);
            int remainingShards = shards - groups.size();
            int remainingTensors = tensors.size() - i;
            boolean full =
                    inCurrent > 0 && (double) inCurrent + t.size / 2.0 > (double) total / shards;
            if (!current.isEmpty()
                    && remainingShards > 1
                    && (full || remainingTensors < remainingShards)) {
                groups.add(current);
                current = new ArrayList<>();
                inCurrent = 0;
            }
            current.add(t);
            inCurrent += t.size;
        }
        groups.add(current);
        while (groups.size() < shards) {
            // Too few cuts (a few huge tensors): split the group of most tensors.
            int most = 0;
            for (int g = 1; g < groups.size(); g++) {
                if (groups.get(g).size() > groups.get(most).size()) {
                    most = g;
                }
            }
            List<Pending> group = groups.get(most);
            int half = group.size() / 2;
            groups.set(most, new ArrayList<>(group.subList(0, half)));
            groups.add(most + 1, new ArrayList<>(group.subList(half, group.size())));
        }
        List<Path> files = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        for (int g = 0; g < shards; g++) {
            String name = SafetensorsFormat.shardName(prefix, g, shards);
            Path file = directory.resolve(name);
            writeFile(file, groups.get(g));
            files.add(file);
            for (Pending t : groups.get(g)) {
                weightMap.put(t.name, name);
            }
        }
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        try (JsonGenerator json = generator(index)) {
            json.writeStartObject();
            json.writeName("metadata");
            json.writeStartObject();
            json.writeName("total_size");
            json.writeNumber(total);
            json.writeEndObject();
            json.writeName("weight_map");
            json.writeStartObject();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                json.writeName(e.getKey());
                json.writeString(e.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        Files.write(directory.resolve(SafetensorsIndex.nameFor(prefix)), index.toByteArray());
        return files;
    }

    private static JsonGenerator generator(ByteArrayOutputStream out) {
        return new JsonFactory().createGenerator(ObjectWriteContext.empty(), out);
    }

    private void writeFile(Path file, List<Pending> group) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        long offset = 0;
        try (JsonGenerator json = generator(header)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeName(SafetensorsParser.METADATA);
                json.writeStartObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    json.writeName(e.getKey());
                    json.writeString(e.getValue());
                }
                json.writeEndObject();
            }
            for (Pending t : group) {
                json.writeName(t.name);
                json.writeStartObject();
                json.writeName("dtype");
                json.writeString(t.dtype.name());
                json.writeName("shape");
                json.writeStartArray();
                for (long d : t.shape) {
                    json.writeNumber(d);
                }
                json.writeEndArray();
                json.writeName("data_offsets");
                json.writeStartArray();
                json.writeNumber(offset);
                json.writeNumber(offset + t.size);
                json.writeEndArray();
                json.writeEndObject();
                offset += t.size;
            }
            json.writeEndObject();
        }
        while (header.size() % 8 != 0) {
            header.write(' ');
        }
        byte[] headerBytes = header.toByteArray();
        long dataStart = 8L + headerBytes.length;
        try (FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            length.putLong(0, headerBytes.length);
            writeFully(channel, length, 0);
            writeFully(channel, ByteBuffer.wrap(headerBytes), 8);
            long at = dataStart;
            for (Pending t : group) {
                if (t.data != null && t.size > 0) {
                    long done = 0;
                    while (done < t.size) {
                        int chunk = (int) Math.min(t.size - done, 1 << 24);
                        writeFully(channel, t.data.asSlice(done, chunk).asByteBuffer(), at + done);
                        done += chunk;
                    }
                }
                at += t.size;
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + offset);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long position)
            throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }
}
