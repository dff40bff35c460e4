package dev.memory64.abi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A guest memory of any size up to 2<sup>32</sup> bytes that holds only the pages written (the rest
 * read as zero), counts the ABI's writes, and can fail a write part-way, for fuzzing the ABI over
 * arbitrary memory sizes without allocating them.
 */
final class SparseGuestMemory implements GuestMemory {
    private static final int PAGE = 4096;

    private final long size;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private int writes;
    private long faultAfter = -1;
    private Supplier<RuntimeException> fault;

    SparseGuestMemory(long size) {
        this.size = size;
    }

    /** From now on, a write fails by throwing {@code fault} after {@code bytes} more bytes. */
    void failAfter(long bytes, Supplier<RuntimeException> exception) {
        this.faultAfter = bytes;
        this.fault = exception;
    }

    /** How many times the ABI called {@link #write}. */
    int writes() {
        return writes;
    }

    /** Sets bytes as a guest would (not counted as an ABI write). */
    void put(long offset, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            putByte(offset + i, bytes[i]);
        }
    }

    byte byteAt(long offset) {
        byte[] page = pages.get(offset / PAGE);
        return page == null ? 0 : page[(int) (offset % PAGE)];
    }

    /** A copy of this memory's bytes and size, with no fault and no writes counted. */
    SparseGuestMemory copy() {
        SparseGuestMemory copy = new SparseGuestMemory(size);
        pages.forEach((index, page) -> copy.pages.put(index, page.clone()));
        return copy;
    }

    /**
     * Tells whether this memory equals {@code before} except inside {@code [offset, offset +
     * expected.length)}, where each byte is the expected one or, if {@code partial}, the old one.
     */
    boolean matches(SparseGuestMemory before, long offset, byte[] expected, boolean partial) {
        Set<Long> indexes = new HashSet<>(pages.keySet());
        indexes.addAll(before.pages.keySet());
        for (long i = offset / PAGE;
                expected.length > 0 && i <= (offset + expected.length - 1) / PAGE;
                i++) {
            indexes.add(i);
        }
        byte[] zero = new byte[PAGE];
        for (long index : indexes) {
            long start = index * PAGE;
            if (start + PAGE <= offset || start >= offset + expected.length) {
                byte[] now = pages.getOrDefault(index, zero);
                byte[] old = before.pages.getOrDefault(index, zero);
                if (!Arrays.equals(now, old)) {
                    return false;
                }
                continue;
            }
            for (long at = start; at < start + PAGE; at++) {
                byte now = byteAt(at);
                byte old = before.byteAt(at);
                long i = at - offset;
                boolean ok =
                        i >= 0 && i < expected.length
                                ? now == expected[(int) i] || (partial && now == old)
                                : now == old;
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        writes++;
        long len = src.byteSize();
        for (long i = 0; i < len; i++) {
            if (faultAfter == 0) {
                throw fault.get();
            }
            if (faultAfter > 0) {
                faultAfter--;
            }
            putByte(offset + i, src.get(ValueLayout.JAVA_BYTE, i));
        }
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        for (long i = 0; i < dst.byteSize(); i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, byteAt(offset + i));
        }
    }

    private void putByte(long offset, byte value) {
        if (offset < 0 || offset >= size) {
            // An Error, so that the ABI cannot turn it into an error code: it is a test failure.
            throw new AssertionError("guest offset=" + offset + " outside memory size=" + size);
        }
        byte[] page = pages.get(offset / PAGE);
        if (page == null) {
            if (value == 0) {
                return;
            }
            page = new byte[PAGE];
            pages.put(offset / PAGE, page);
        }
        page[(int) (offset % PAGE)] = value;
    }
}
