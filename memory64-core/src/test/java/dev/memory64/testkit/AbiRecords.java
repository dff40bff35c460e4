package dev.memory64.testkit;

import dev.memory64.Memory64Stats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Reads the records the ABI writes into a guest (docs/ABI.md), for the tests of every module, so
 * that a test compares one value with what it expects instead of reading field by field.
 */
public final class AbiRecords {
    private AbiRecords() {}

    /**
     * The stats record: five little-endian u64s.
     *
     * @param record the 40 bytes {@code memory64_stats_into} wrote
     * @return the counters it holds (reads, writes, bytes read, bytes written, errors)
     */
    public static Memory64Stats stats(byte[] record) {
        ByteBuffer in = wrap(record, 40);
        return new Memory64Stats(
                in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    /**
     * The tensor record, every field in order: layer id, GGML type, offset in the layer, byte size,
     * dimension count, the reserved field, and the four dimensions.
     *
     * @param record the 64 bytes {@code memory64_tensor_info} wrote
     * @return its ten fields, unsigned
     */
    public static List<Long> tensor(byte[] record) {
        ByteBuffer in = wrap(record, 64);
        return List.of(
                Integer.toUnsignedLong(in.getInt()),
                Integer.toUnsignedLong(in.getInt()),
                in.getLong(),
                in.getLong(),
                Integer.toUnsignedLong(in.getInt()),
                Integer.toUnsignedLong(in.getInt()),
                in.getLong(),
                in.getLong(),
                in.getLong(),
                in.getLong());
    }

    private static ByteBuffer wrap(byte[] record, int size) {
        if (record.length != size) {
            throw new IllegalArgumentException(
                    "a record of " + size + " bytes, not " + record.length);
        }
        return ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    }
}
