package dev.memory64.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file's channel as a header source, mapped when it can be (a class: a first open spins no
 * lambda).
 */
final class ChannelSource implements HeaderSource {

    private final FileChannel channel;

    ChannelSource(FileChannel channel) {
        this.channel = channel;
    }

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
