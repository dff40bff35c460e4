package dev.memory64.safetensors;

import dev.memory64.model.HeaderSource;
import dev.memory64.model.ModelText;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of one safetensors file, read and checked: its tensors in data order, its {@code
 * __metadata__}, and where its data starts. Reading it reads only the 8-byte length and the header
 * (never the tensors), and checks every rule that the reference implementation checks, and a few
 * more (see docs/GUIDE.md, "Safetensors checkpoints").
 */
public final class SafetensorsFile {

    /** The header size limit by default: the reference implementation's, 100,000,000 bytes. */
    public static final long DEFAULT_MAX_HEADER_SIZE = 100_000_000L;

    /** The largest header size limit one may set: a header is read into one Java array. */
    public static final long MAX_HEADER_SIZE_LIMIT = Integer.MAX_VALUE - 8;

    /** The bytes asked for first: the length and, for most shards, the whole header. */
    private static final int FIRST_READ = 4096;

    private final String name;
    private final long fileSize;
    private final long headerSize;
    private final List<SafetensorsTensor> tensors;
    private final Map<String, String> metadata;
    private Map<String, SafetensorsTensor> byName;

    SafetensorsFile(
            String name,
            long fileSize,
            long headerSize,
            List<SafetensorsTensor> tensors,
            Map<String, String> metadata) {
        this.name = name;
        this.fileSize = fileSize;
        this.headerSize = headerSize;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Reads a file's header with the default header size limit.
     *
     * @param file the file
     * @return the header
     * @throws SafetensorsFormatException if the header breaks a rule (the message names the file,
     *     the tensor and the rule)
     * @throws IOException if the file cannot be read
     */
    public static SafetensorsFile read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_HEADER_SIZE);
    }

    /**
     * Reads a file's header.
     *
     * @param file the file
     * @param maxHeaderSize the largest header accepted, in bytes (the JSON, without the 8-byte
     *     length)
     * @return the header
     * @throws SafetensorsFormatException if the header breaks a rule
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the limit is not in {@code [2, MAX_HEADER_SIZE_LIMIT]}
     */
    public static SafetensorsFile read(Path file, long maxHeaderSize) throws IOException {
        checkMaxHeaderSize(maxHeaderSize);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(nameOf(file), HeaderSource.of(channel), channel.size(), maxHeaderSize);
        }
    }

    /**
     * Reads a header through positional reads: the length, then the JSON, then its checks. The
     * first read asks for {@value #FIRST_READ} bytes, which hold most shards' headers whole.
     */
    static SafetensorsFile read(String name, HeaderSource source, long size, long maxHeaderSize)
            throws IOException {
        if (size < 8) {
            throw new SafetensorsFormatException(
                    name,
                    null,
                    "header_size",
                    "the file has " + size + " bytes, fewer than the 8 of the header's length");
        }
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(size, FIRST_READ));
        readAtLeast(source, first, 8);
        long n = first.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > maxHeaderSize) {
            throw new SafetensorsFormatException(
                    name,
                    null,
                    "header_size",
                    "the header's length "
                            + Long.toUnsignedString(n)
                            + " is over the header size limit of "
                            + maxHeaderSize
                            + " bytes");
        }
        if (n > size - 8) {
            throw new SafetensorsFormatException(
                    name,
                    null,
                    "header_size",
                    "the header's length " + n + " runs past the " + size + "-byte file");
        }
        int end = 8 + (int) n;
        ByteBuffer bytes = first;
        if (end > first.capacity()) {
            bytes = ByteBuffer.allocate(end);
            bytes.put(first.array(), 0, first.position());
        }
        if (bytes.position() < end) {
            readAtLeast(source, bytes.limit(end), end);
        }
        return SafetensorsParser.parse(name, bytes.array(), 8, (int) n, size);
    }

    /** Reads into {@code target} at its position until it holds {@code min} bytes, or is full. */
    private static void readAtLeast(HeaderSource source, ByteBuffer target, int min)
            throws IOException {
        while (target.position() < min) {
            int read = source.read(target, target.position());
            if (read < 0) {
                throw new EOFException("safetensors: the file ended at byte " + target.position());
            }
        }
    }

    static void checkMaxHeaderSize(long maxHeaderSize) {
        ModelText.checkMaxHeaderSize("maxHeaderSize ", maxHeaderSize, 2, MAX_HEADER_SIZE_LIMIT);
    }

    static String nameOf(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    /**
     * Returns the file's name, as messages give it.
     *
     * @return the last segment of the path or URI it was read from
     */
    public String name() {
        return name;
    }

    /**
     * Returns the file's size in bytes.
     *
     * @return the size
     */
    public long fileSize() {
        return fileSize;
    }

    /**
     * Returns the header's size: the JSON's bytes, padding included, without the 8-byte length.
     *
     * @return the size
     */
    public long headerSize() {
        return headerSize;
    }

    /**
     * Returns where the data starts in the file, to which tensors' offsets are relative.
     *
     * @return {@code 8 + headerSize()}
     */
    public long dataStart() {
        return 8 + headerSize;
    }

    /**
     * Returns the tensors, in data order (by their offsets).
     *
     * @return the tensors, unmodifiable
     */
    public List<SafetensorsTensor> tensors() {
        return tensors;
    }

    /**
     * Returns the tensor of a name.
     *
     * @param tensorName the name
     * @return the tensor, or null if the file has none of that name
     */
    public SafetensorsTensor tensor(String tensorName) {
        Map<String, SafetensorsTensor> index = byName;
        if (index == null) {
            index = new HashMap<>();
            for (SafetensorsTensor t : tensors) {
                index.put(t.name(), t);
            }
            byName = index;
        }
        return index.get(tensorName);
    }

    /**
     * Returns the header's {@code __metadata__}, in the header's order.
     *
     * @return the string pairs, empty if the header has none; unmodifiable
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "SafetensorsFile["
                + name
                + ", "
                + tensors.size()
                + " tensors, header "
                + headerSize
                + " bytes]";
    }
}
