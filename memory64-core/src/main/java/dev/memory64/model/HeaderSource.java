package dev.memory64.model;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Where a part's header bytes come from: a file's channel, or a remote object read by range. */
@FunctionalInterface
public interface HeaderSource {

    /**
     * Reads into {@code target} from {@code position}, as a {@code FileChannel} does.
     *
     * @param target where the bytes go, from its position
     * @param position the offset in the part of the first byte
     * @return the bytes read, -1 at the end
     * @throws IOException if the bytes cannot be read
     */
    int read(ByteBuffer target, long position) throws IOException;

    /**
     * A file's channel as a source, mapped when it can be.
     *
     * @param channel the file, open for reading; the caller closes it
     * @return the source
     */
    static HeaderSource of(FileChannel channel) {
        return new ChannelSource(channel);
    }

    /**
     * Maps the first {@code size} bytes read-only for as long as the segment is reachable.
     *
     * @param size the bytes to map
     * @return the mapping, or null if this source cannot map (a remote object, a special file)
     */
    default MemorySegment map(long size) {
        return null;
    }
}
