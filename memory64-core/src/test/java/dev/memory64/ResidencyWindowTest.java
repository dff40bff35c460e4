package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The window arithmetic of the residency policy, as properties. */
class ResidencyWindowTest {

    private static long[] prefix(List<Long> sizes) {
        long[] prefix = new long[sizes.size() + 1];
        for (int i = 0; i < sizes.size(); i++) {
            prefix[i + 1] = prefix[i] + sizes.get(i);
        }
        return prefix;
    }

    @Test
    void layerWindowCoversTheLayerAndExactlyTheLayersAsked() {
        qt().forAll(
                        lists().of(longs().between(1, 1L << 31)).ofSizeBetween(1, 200),
                        integers().between(0, 1000),
                        longs().between(0, Long.MAX_VALUE),
                        longs().between(0, Long.MAX_VALUE))
                .checkAssert(
                        (sizes, at, behind, ahead) -> {
                            long[] prefix = prefix(sizes);
                            int n = sizes.size();
                            int layer = at % n;
                            long[] w =
                                    Residency.window(
                                            ResidencyPolicy.layers(
                                                    (int) Math.min(behind, Integer.MAX_VALUE),
                                                    (int) Math.min(ahead, Integer.MAX_VALUE)),
                                            prefix,
                                            layer,
                                            prefix[layer] + 1);
                            long b = Math.min(behind, Integer.MAX_VALUE);
                            long a = Math.min(ahead, Integer.MAX_VALUE);
                            assertEquals(prefix[(int) Math.max(0, layer - b)], w[0]);
                            assertEquals(prefix[(int) Math.min(n, layer + 1 + a)], w[1]);
                            assertTrue(w[0] <= prefix[layer] && prefix[layer + 1] <= w[1]);
                        });
    }

    @Test
    void byteWindowIsThePositionPlusMinusTheBytesAskedClampedToTheStream() {
        qt().forAll(
                        lists().of(longs().between(1, 1L << 40)).ofSizeBetween(1, 100),
                        longs().between(0, Long.MAX_VALUE),
                        longs().between(0, Long.MAX_VALUE),
                        longs().between(0, Long.MAX_VALUE))
                .checkAssert(
                        (sizes, seed, behind, ahead) -> {
                            long[] prefix = prefix(sizes);
                            int n = sizes.size();
                            long total = prefix[n];
                            long position = 1 + seed % total;
                            int layer = 0;
                            while (prefix[layer + 1] < position) {
                                layer++;
                            }
                            long[] w =
                                    Residency.window(
                                            ResidencyPolicy.bytes(behind, ahead),
                                            prefix,
                                            layer,
                                            position);
                            assertEquals(Math.min(behind, position), position - w[0]);
                            assertEquals(Math.min(ahead, total - position), w[1] - position);
                            assertTrue(0 <= w[0] && w[1] <= total);
                        });
    }

    @Test
    void outsideIsExactlyWhatNoWindowCovers() {
        qt().forAll(
                        integers().between(0, 200),
                        integers().between(0, 200),
                        lists().of(integers().between(0, 250)).ofSizeBetween(0, 12))
                .checkAssert(
                        (a, b, ends) -> {
                            int lo = Math.min(a, b);
                            int hi = Math.max(a, b);
                            List<long[]> windows = new ArrayList<>();
                            for (int i = 0; i + 1 < ends.size(); i += 2) {
                                windows.add(
                                        new long[] {
                                            Math.min(ends.get(i), ends.get(i + 1)),
                                            Math.max(ends.get(i), ends.get(i + 1))
                                        });
                            }
                            List<long[]> pieces = Residency.outside(lo, hi, windows);
                            boolean[] released = new boolean[251];
                            long previousEnd = Long.MIN_VALUE;
                            for (long[] p : pieces) {
                                assertTrue(p[0] < p[1], "empty piece");
                                assertTrue(p[0] > previousEnd, "pieces sorted and apart");
                                previousEnd = p[1];
                                for (long x = p[0]; x < p[1]; x++) {
                                    released[(int) x] = true;
                                }
                            }
                            for (int x = 0; x < 251; x++) {
                                boolean covered = false;
                                for (long[] w : windows) {
                                    covered |= w[0] <= x && x < w[1];
                                }
                                boolean expected = lo <= x && x < hi && !covered;
                                assertEquals(expected, released[x], "byte " + x);
                            }
                        });
    }
}
