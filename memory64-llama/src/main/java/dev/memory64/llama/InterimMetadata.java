package dev.memory64.llama;

import dev.memory64.gguf.GgufModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code memory64_metadata_info} and {@code memory64_metadata_read} served from a local GGUF file's
 * header, until the core's host functions serve them (issue 21): each guest adds them only where
 * its runtime's {@code Memory64HostFunctions} lacks them. The encoding is the ABI's, a slice of the
 * header. Goes when the host has the functions.
 */
final class InterimMetadata {
    static final String INFO = "memory64_metadata_info";
    static final String READ = "memory64_metadata_read";

    /** One value: its types, count, and its encoding's span in the header. */
    private record Entry(int type, int elementType, long count, int offset, int size) {}

    private final byte[] header;
    private final Map<String, Entry> entries = new HashMap<>();

    private InterimMetadata(byte[] header) {
        this.header = header;
        ByteBuffer in = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        in.position(16); // magic, version, tensor count
        long count = in.getLong();
        for (long i = 0; i < count; i++) {
            byte[] key = new byte[Math.toIntExact(in.getLong())];
            in.get(key);
            int type = in.getInt();
            entries.put(new String(key, StandardCharsets.UTF_8), value(in, type));
        }
    }

    /** Reads the metadata of a model's first (or only) local file. */
    static InterimMetadata of(GgufModel model) throws IOException {
        if (model.paths().isEmpty()) {
            throw new IOException(
                    "this build reads a remote model's metadata only through the host's"
                            + " memory64_metadata_* functions, which it lacks: "
                            + model);
        }
        long size = model.parts().getFirst().headerSize();
        try (FileChannel channel =
                FileChannel.open(model.paths().getFirst(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size));
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // reads the header whole
            }
            return new InterimMetadata(buffer.array());
        }
    }

    private static Entry value(ByteBuffer in, int type) {
        if (type == 8) {
            int length = Math.toIntExact(in.getLong());
            Entry entry = new Entry(type, type, 1, in.position(), length);
            in.position(in.position() + length);
            return entry;
        }
        if (type == 9) {
            int elementType = in.getInt();
            long count = in.getLong();
            int start = in.position();
            for (long i = 0; i < count; i++) {
                value(in, elementType);
            }
            return new Entry(type, elementType, count, start, in.position() - start);
        }
        int size =
                switch (type) {
                    case 0, 1, 7 -> 1;
                    case 2, 3 -> 2;
                    case 4, 5, 6 -> 4;
                    case 10, 11, 12 -> 8;
                    default -> throw new IllegalArgumentException("value type " + type);
                };
        Entry entry = new Entry(type, type, 1, in.position(), size);
        in.position(in.position() + size);
        return entry;
    }

    /** The info record of a key, or null when there is no such key. */
    byte[] info(byte[] key) {
        Entry entry = entries.get(new String(key, StandardCharsets.UTF_8));
        if (entry == null) {
            return null;
        }
        ByteBuffer record = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(entry.type()).putInt(entry.elementType()).putLong(entry.count());
        record.putLong(entry.size());
        return record.array();
    }

    /** The offset in {@link #header()} of a key's bytes from offset, or the ABI's error code. */
    long read(byte[] key, long offset, long length) {
        Entry entry = entries.get(new String(key, StandardCharsets.UTF_8));
        if (entry == null) {
            return -2;
        }
        if ((offset | length) < 0 || offset > entry.size() || length > entry.size() - offset) {
            return -4;
        }
        return entry.offset() + offset;
    }

    byte[] header() {
        return header;
    }
}
