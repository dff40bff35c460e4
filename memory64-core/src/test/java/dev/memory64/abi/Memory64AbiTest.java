package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.testkit.AbiOracle;
import dev.memory64.testkit.AbiRecords;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.TestStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/** The ABI logic against a heap guest memory: every code, the validation order, properties. */
class Memory64AbiTest {
    static final long PAGE = 64 * 1024;
    static final int GUEST_SIZE = 64 * 1024;

    @AutoClose TestStore fixture;
    Memory64Store store;
    Memory64Abi abi;
    HeapGuestMemory guest;

    @BeforeEach
    void setUp() throws Exception {
        fixture =
                TestStore.abiModel(PAGE, "blk.0.w")
                        .layer(new Layer(2, "big", "block", 0, 2 * PAGE))
                        .build();
        store = fixture.store();
        abi = Memory64Abi.builder(store).build();
        guest = new HeapGuestMemory(GUEST_SIZE);
        Arrays.fill(guest.bytes, (byte) 0x5A);
    }

    @Test
    void shouldCopyWholeLayer() {
        assertEquals(5000, abi.loadLayer(guest, 1, 100, 6000));
        assertArrayEquals(
                fixture.range(PAGE - 100, 5000), Arrays.copyOfRange(guest.bytes, 100, 5100));
        assertEquals(0x5A, guest.bytes[99]);
        assertEquals(0x5A, guest.bytes[5100]);
        assertEquals(1, abi.stats());
        assertEquals(new Memory64Stats(1, 1, 5000, 2 * PAGE, 0), store.stats());
    }

    @Test
    void shouldReturnEveryErrorCodeAndChangeNothing() {
        byte[] before = guest.bytes.clone();
        assertEquals(-2, abi.loadLayer(guest, 9, 0, 100));
        assertEquals(-2, abi.loadLayer(guest, -1, 0, 100));
        assertEquals(-3, abi.loadLayer(guest, 1, 0, 4999));
        assertEquals(-4, abi.read(guest, 2 * PAGE - 10, 0, 11));
        assertEquals(-4, abi.read(guest, -1L, 0, 1));
        assertEquals(-4, abi.loadLayerRange(guest, 1, 4990, 0, 11));
        assertEquals(-4, abi.loadLayerRange(guest, 1, -1L, 0, 0));
        assertEquals(-5, abi.loadLayer(null, 1, 0, 6000));
        assertEquals(-6, abi.loadLayer(guest, 1, -1, 2));
        assertEquals(-6, abi.read(guest, 0, 2, -1));
        assertEquals(-7, abi.loadLayer(guest, 1, GUEST_SIZE - 4999, 5000));
        assertEquals(-7, abi.read(guest, 0, GUEST_SIZE, 1));
        assertEquals(-3, abi.statsInto(guest, 0, 39));
        assertEquals(-2, abi.layerSize(3));
        assertArrayEquals(before, guest.bytes);
        assertEquals(14, store.stats().errors());
        assertEquals(0, store.stats().reads());
    }

    @Test
    void shouldAllowARangeEndingExactlyAtTwoToThe32() {
        // ptr + len = 2^32 is not an overflow; it is out of bounds of a 64 KiB memory.
        assertEquals(-7, abi.read(guest, 0, (int) (4294967296L - 16), 16));
        assertEquals(-6, abi.read(guest, 0, (int) (4294967296L - 16), 17));
    }

    @Test
    void shouldReportGuestWriteFailures() {
        guest.failWrites = true;
        assertEquals(-8, abi.loadLayer(guest, 0, 0, 1000));
        assertEquals(1, store.stats().errors());
    }

    @Test
    void shouldReportAClosedStoreAsHostRange() {
        store.close();
        byte[] before = guest.bytes.clone();
        assertEquals(-4, abi.loadLayer(guest, 0, 0, 1000));
        assertEquals(-4, abi.read(guest, 0, 0, 10));
        assertArrayEquals(before, guest.bytes);
    }

    @Test
    void disabledHostAnswersDisabledEverywhere() {
        Memory64Abi off = Memory64Abi.builder(store).withEnabled(false).build();
        assertEquals(0, off.isEnabled());
        assertEquals(1, abi.isEnabled());
        assertEquals(-1, off.loadLayer(guest, 0, 0, 1000));
        assertEquals(-1, off.read(guest, 0, 0, 1));
        assertEquals(-1L, off.stats());
        assertEquals(-1L, off.layerSize(0));
        assertEquals(-1, off.statsInto(guest, 0, 40));
        assertEquals(-1, off.loadLayerRange(guest, 0, 0, 0, 1));
        assertEquals(-1, off.layerFind(guest, 0, 1));
        assertEquals(-1, off.tensorInfo(guest, 0, 1, 0, 64));
        assertEquals(-1, off.prefetch(0));
    }

    @Test
    void shouldDenyWhatThePolicyDoesNotGrant() {
        Memory64Abi limited =
                Memory64Abi.builder(store)
                        .withAccessPolicy(AccessPolicy.onlyLayers(new int[] {0}, store::layer))
                        .build();
        assertEquals(1000, limited.loadLayer(guest, 0, 0, 1000));
        assertEquals(-9, limited.loadLayer(guest, 1, 0, 6000));
        assertEquals(-9, limited.layerSize(1));
        assertEquals(-9, limited.read(guest, 999, 0, 2));
        assertEquals(2, limited.read(guest, 998, 0, 2));
        assertEquals(-9, limited.prefetch(2));
    }

    @Test
    void shouldWriteStatsAsLittleEndianU64s() {
        abi.loadLayer(guest, 0, 0, 1000);
        abi.loadLayer(guest, 9, 0, 1000);
        assertEquals(40, abi.statsInto(guest, 8, 40));
        // One read, one error, and the setup's write.
        assertEquals(
                new Memory64Stats(1, 1, 1000, 2 * PAGE, 1),
                AbiRecords.stats(Arrays.copyOfRange(guest.bytes, 8, 48)));
    }

    @Test
    void shouldStreamALayerInChunks() {
        byte[] whole = new byte[5000];
        for (int offset = 0; offset < 5000; offset += 1024) {
            int n = Math.min(1024, 5000 - offset);
            assertEquals(n, abi.loadLayerRange(guest, 1, offset, 0, n));
            System.arraycopy(guest.bytes, 0, whole, offset, n);
        }
        assertArrayEquals(fixture.range(PAGE - 100, 5000), whole);
        assertEquals(5000L, abi.layerSize(1));
    }

    @Test
    void shouldFindLayersAndTensorsByName() {
        byte[] name = "blk.0".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, guest.bytes, 500, name.length);
        assertEquals(1, abi.layerFind(guest, 500, name.length));
        assertEquals(-2, abi.layerFind(guest, 500, name.length - 1));
        byte[] tensor = "blk.0.w".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tensor, 0, guest.bytes, 600, tensor.length);
        assertEquals(-3, abi.tensorInfo(guest, 600, tensor.length, 1000, 63));
        assertEquals(64, abi.tensorInfo(guest, 600, tensor.length, 1000, 64));
        assertEquals(
                List.of(1L, 2L, 16L, 4000L, 2L, 0L, 32L, 125L, 1L, 1L),
                AbiRecords.tensor(Arrays.copyOfRange(guest.bytes, 1000, 1064)));
        guest.bytes[700] = (byte) 0xC3; // a lone UTF-8 lead byte
        assertEquals(-2, abi.layerFind(guest, 700, 1));
        assertEquals(-2, abi.layerFind(guest, 0, Memory64Abi.MAX_NAME_LENGTH + 1));
    }

    @Test
    void shouldAcceptPrefetchHints() throws Exception {
        assertEquals(0, abi.prefetch(1));
        assertEquals(-2, abi.prefetch(77));
        store.prefetch(2).get();
    }

    // ---------------------------------------------------------------------------------------
    // Properties

    /** Checks that a call returned what the oracle predicted, naming the call if not. */
    static void assertPredicted(long expected, int result, String function, Object... operands) {
        assertEquals(expected, result, function + Arrays.toString(operands));
    }

    /** i32 values that hit the interesting edges often. */
    static Gen<Integer> edgyInts() {
        Gen<Integer> edges =
                Generate.pick(
                        List.of(
                                0,
                                1,
                                -1,
                                Integer.MAX_VALUE,
                                Integer.MIN_VALUE,
                                GUEST_SIZE,
                                GUEST_SIZE - 1,
                                GUEST_SIZE + 1,
                                1000,
                                999,
                                5000,
                                4999,
                                65536 - 5000,
                                -65536));
        return Generate.frequency(
                org.quicktheories.api.Pair.of(2, edges),
                org.quicktheories.api.Pair.of(3, SourceDSL.integers().between(0, 2 * GUEST_SIZE)),
                org.quicktheories.api.Pair.of(1, SourceDSL.integers().all()));
    }

    @Test
    void anyLoadLayerCallCopiesExactlyOrReturnsThePredictedCodeChangingNothing() {
        Gen<Integer> ids =
                Generate.frequency(
                        org.quicktheories.api.Pair.of(4, SourceDSL.integers().between(-1, 3)),
                        org.quicktheories.api.Pair.of(1, SourceDSL.integers().all()));
        qt().withExamples(10_000)
                .withFixedSeed(7)
                .forAll(ids, edgyInts(), edgyInts())
                .checkAssert(
                        (id, ptr, max) -> {
                            byte[] before = guest.bytes.clone();
                            long errors = store.stats().errors();
                            long expected =
                                    AbiOracle.loadLayer(
                                            GUEST_SIZE,
                                            store.layer(id),
                                            Integer.toUnsignedLong(ptr),
                                            Integer.toUnsignedLong(max));
                            int result = abi.loadLayer(guest, id, ptr, max);
                            assertPredicted(expected, result, "load_layer", id, ptr, max);
                            if (result >= 0) {
                                Layer layer = store.layer(id);
                                int p = ptr;
                                assertArrayEquals(
                                        fixture.range(layer.offset(), layer.size()),
                                        Arrays.copyOfRange(guest.bytes, p, p + result));
                                assertArrayEquals(
                                        Arrays.copyOf(before, p), Arrays.copyOf(guest.bytes, p));
                                assertArrayEquals(
                                        Arrays.copyOfRange(before, p + result, GUEST_SIZE),
                                        Arrays.copyOfRange(guest.bytes, p + result, GUEST_SIZE));
                                Arrays.fill(guest.bytes, (byte) 0x5A);
                            } else {
                                assertArrayEquals(before, guest.bytes);
                                assertEquals(errors + 1, store.stats().errors());
                            }
                        });
    }

    @Test
    void anyReadCallCopiesExactlyOrReturnsThePredictedCodeChangingNothing() {
        qt().withExamples(10_000)
                .withFixedSeed(8)
                .forAll(AbiOracle.offsets(PAGE, 2 * PAGE), edgyInts(), edgyInts())
                .checkAssert(
                        (offset, ptr, len) -> {
                            byte[] before = guest.bytes.clone();
                            long p = Integer.toUnsignedLong(ptr);
                            long n = Integer.toUnsignedLong(len);
                            long expected = AbiOracle.read(GUEST_SIZE, 2 * PAGE, offset, p, n);
                            int result = abi.read(guest, offset, ptr, len);
                            assertPredicted(expected, result, "read", offset, ptr, len);
                            if (result >= 0) {
                                assertArrayEquals(
                                        fixture.range(offset, n),
                                        Arrays.copyOfRange(guest.bytes, (int) p, (int) (p + n)));
                                Arrays.fill(guest.bytes, (byte) 0x5A);
                            } else {
                                assertArrayEquals(before, guest.bytes);
                            }
                        });
        assertNull(ErrorCode.of(0));
        assertEquals(ErrorCode.ACCESS_DENIED, ErrorCode.of(-9));
    }
}
