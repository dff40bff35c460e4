package dev.memory64.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only in-memory {@link FileChannel} over a byte array, so that thousands of mutated files
 * parse without touching the disk. Each read returns at most {@code maxChunk} bytes, which
 * exercises the reader's handling of short reads.
 */
final class ByteArrayFileChannel extends FileChannel {

    private final byte[] bytes;
    private final int maxChunk;
    private long position;

    ByteArrayFileChannel(byte[] bytes) {
        this(bytes, Integer.MAX_VALUE);
    }

    ByteArrayFileChannel(byte[] bytes, int maxChunk) {
        this.bytes = bytes;
        this.maxChunk = maxChunk;
    }

    @Override
    public int read(ByteBuffer target, long at) throws IOException {
        ensureOpen();
        if (at >= bytes.length) {
            return -1;
        }
        int count = (int) Math.min(Math.min(target.remaining(), maxChunk), bytes.length - at);
        target.put(bytes, (int) at, count);
        return count;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        int count = read(target, position);
        if (count > 0) {
            position += count;
        }
        return count;
    }

    @Override
    public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int count = read(targets[i]);
            if (count < 0) {
                return total == 0 ? -1 : total;
            }
            total += count;
        }
        return total;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public FileChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return bytes.length;
    }

    private void ensureOpen() throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public int write(ByteBuffer source) {
        throw new NonWritableChannelException();
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) {
        throw new NonWritableChannelException();
    }

    @Override
    public int write(ByteBuffer source, long at) {
        throw new NonWritableChannelException();
    }

    @Override
    public FileChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) {}

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long at, long count) {
        throw new NonWritableChannelException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {}
}
