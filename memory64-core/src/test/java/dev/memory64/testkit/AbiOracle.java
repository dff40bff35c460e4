package dev.memory64.testkit;

import dev.memory64.Layer;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * What a guest's call returns by the validation order of docs/ABI.md, for the ABI's properties in
 * every module: the heap-memory tests of the core and the real guests of the adapters predict with
 * the same rules.
 */
public final class AbiOracle {
    private AbiOracle() {}

    /**
     * What {@code memory64_load_layer} returns.
     *
     * @param guestSize the guest memory's size in bytes
     * @param layer the layer the id names, or null if none
     * @param ptr the destination pointer, as the unsigned 32-bit value the guest passed
     * @param max the destination size, likewise
     * @return the layer's size, or the error code
     */
    public static long loadLayer(long guestSize, Layer layer, long ptr, long max) {
        if (ptr + max > 1L << 32) {
            return -6;
        }
        if (ptr + max > guestSize) {
            return -7;
        }
        if (layer == null) {
            return -2;
        }
        return max < layer.size() ? -3 : layer.size();
    }

    /**
     * What {@code memory64_read} returns.
     *
     * @param guestSize the guest memory's size in bytes
     * @param storeSize the store's size in bytes
     * @param offset the store offset, as the signed 64-bit value the guest passed
     * @param ptr the destination pointer, as the unsigned 32-bit value the guest passed
     * @param len the length, likewise
     * @return {@code len}, or the error code
     */
    public static long read(long guestSize, long storeSize, long offset, long ptr, long len) {
        if (ptr + len > 1L << 32) {
            return -6;
        }
        if (ptr + len > guestSize) {
            return -7;
        }
        return offset < 0 || len > storeSize - offset ? -4 : len;
    }

    /**
     * Store offsets that hit the edges often: zero, -1, the extremes, a page, the store's end and
     * its neighbours, 2^32; else mostly offsets inside the store and a page past it.
     *
     * @param page the size of the store's first region
     * @param storeSize the store's size
     * @return the generator
     */
    public static Gen<Long> offsets(long page, long storeSize) {
        Gen<Long> edges =
                Generate.pick(
                        List.of(
                                0L,
                                -1L,
                                Long.MAX_VALUE,
                                Long.MIN_VALUE,
                                page,
                                storeSize,
                                storeSize - 1,
                                storeSize + 1,
                                1L << 32));
        return Generate.frequency(
                Pair.of(2, edges),
                Pair.of(3, SourceDSL.longs().between(0, storeSize + page)),
                Pair.of(1, SourceDSL.longs().all()));
    }
}
