package dev.memory64;

import static org.quicktheories.generators.SourceDSL.longs;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of {@code long}s read as unsigned 64-bit values, weighted towards the
 * edges where unsigned arithmetic goes wrong: 0, 1, 2<sup>64</sup>-1 ({@code -1L}), 2<sup>63</sup>
 * ({@code Long.MIN_VALUE}) and its neighbours, every power of two and its neighbours, and the
 * values around 2<sup>32</sup>. A uniform generator would almost never produce one of them.
 */
final class Unsigned64Generators {

    /** Edge values: each power of two, one either side of it, and its two's complement. */
    static final List<Long> EDGES = edges();

    private Unsigned64Generators() {}

    private static List<Long> edges() {
        Set<Long> edges = new LinkedHashSet<>();
        edges.add(0L);
        for (int k = 0; k < 64; k++) {
            long power = 1L << k;
            edges.add(power);
            edges.add(power - 1);
            edges.add(power + 1);
            edges.add(-power); // 2^64 - 2^k
        }
        edges.add(-1L);
        edges.add(-2L);
        edges.add(Long.MAX_VALUE);
        edges.add(Long.MAX_VALUE - 1);
        edges.add(0x5555_5555_5555_5555L); // (2^64 - 1) / 3
        edges.add(0xAAAA_AAAA_AAAA_AAAAL);
        edges.add(0xFFFF_FFFFL); // 2^32 - 1: its square is just below 2^64
        edges.add(0xFFFF_FFFF_0000_0000L);
        edges.add(MemoryRegion.PAGE_SIZE);
        edges.add(MemoryRegion.PAGE_SIZE - 1);
        edges.add(MemoryRegion.MAX_SIZE);
        edges.add(MemoryRegion.MAX_SIZE + MemoryRegion.PAGE_SIZE);
        edges.add(MemoryLayout.GIB);
        return List.copyOf(edges);
    }

    /**
     * Any unsigned 64-bit value: about a third edge values, the rest uniform or clustered near 0,
     * near 2<sup>32</sup> and near 2<sup>64</sup>.
     */
    static Gen<Long> unsigned64() {
        return Generate.frequency(
                List.of(
                        Pair.of(4, Generate.pick(EDGES)),
                        Pair.of(5, longs().all()),
                        Pair.of(1, longs().between((1L << 32) - 4096, (1L << 32) + 4096)),
                        Pair.of(1, longs().between(0, 1 << 16)),
                        Pair.of(1, longs().between(-(1L << 16), -1))));
    }

    /** Two operands, shown in unsigned decimal when a property fails. */
    record Operands(long a, long b) {
        @Override
        public String toString() {
            return "(" + Long.toUnsignedString(a) + ", " + Long.toUnsignedString(b) + ")";
        }
    }

    /**
     * Operand pairs for {@code a + b}: independent edge-weighted operands, and pairs whose true sum
     * lies within 2 of 2<sup>64</sup>-1, so that both "just fits" and "just overflows" come up
     * often.
     */
    static Gen<Operands> addOperands() {
        Gen<Operands> nearLimit =
                unsigned64()
                        .zip(
                                longs().between(-2, 2),
                                (a, delta) -> new Operands(a, Unsigned64.MAX_VALUE - a + delta));
        return Generate.frequency(List.of(Pair.of(3, independent()), Pair.of(1, nearLimit)))
                .describedAs(Operands::toString);
    }

    /**
     * Operand pairs for {@code a * b}: independent edge-weighted operands, and pairs where {@code
     * b} is within 2 of the largest value whose product with {@code a} fits in 64 bits.
     */
    static Gen<Operands> multiplyOperands() {
        Gen<Operands> nearLimit =
                unsigned64()
                        .zip(
                                longs().between(-1, 2),
                                (a, delta) -> {
                                    long nonZero = a == 0 ? 1 : a;
                                    long largest =
                                            Long.divideUnsigned(Unsigned64.MAX_VALUE, nonZero);
                                    return new Operands(nonZero, largest + delta);
                                });
        return Generate.frequency(List.of(Pair.of(3, independent()), Pair.of(1, nearLimit)))
                .describedAs(Operands::toString);
    }

    /** Independent edge-weighted operand pairs. */
    static Gen<Operands> independent() {
        return unsigned64().zip(unsigned64(), Operands::new).describedAs(Operands::toString);
    }
}
