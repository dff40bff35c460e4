package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/** The ABI logic against a heap guest memory: every code, the validation order, properties. */
class Memory64AbiTest {
    static final long PAGE = 64 * 1024;
    static final int GUEST_SIZE = 64 * 1024;

    Memory64Store store;
    Memory64Abi abi;
    HeapGuestMemory guest;
    byte[] model;

    @BeforeEach
    void setUp() throws Exception {
        store =
                Memory64Store.allocate(
                        MemoryLayout.builder().addRegion("a", PAGE).addRegion("b", PAGE).build());
        model = new byte[(int) (2 * PAGE)];
        for (int i = 0; i < model.length; i++) {
            model[i] = (byte) (i * 13 + (i >>> 9));
        }
        store.write(0, model);
        store.registerLayers(
                List.of(
                        new Layer(0, "token_embd", "embeddings", 0, 1000),
                        new Layer(1, "blk.0", "block", PAGE - 100, 5000),
                        new Layer(2, "big", "block", 0, 2 * PAGE)),
                List.of(new TensorInfo("blk.0.w", 1, 16, 4000, 2, List.of(32L, 125L))));
        abi = Memory64Abi.builder(store).build();
        guest = new HeapGuestMemory(GUEST_SIZE);
        Arrays.fill(guest.bytes, (byte) 0x5A);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    byte[] modelRange(long offset, long len) {
        return Arrays.copyOfRange(model, (int) offset, (int) (offset + len));
    }

    @Test
    void shouldCopyWholeLayer() {
        assertEquals(5000, abi.loadLayer(guest, 1, 100, 6000));
        assertArrayEquals(modelRange(PAGE - 100, 5000), Arrays.copyOfRange(guest.bytes, 100, 5100));
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
        ByteBuffer record = ByteBuffer.wrap(guest.bytes, 8, 40).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, record.getLong()); // reads
        assertEquals(1, record.getLong()); // writes (the setup)
        assertEquals(1000, record.getLong());
        assertEquals(2 * PAGE, record.getLong());
        assertEquals(1, record.getLong()); // errors
    }

    @Test
    void shouldStreamALayerInChunks() {
        byte[] whole = new byte[5000];
        for (int offset = 0; offset < 5000; offset += 1024) {
            int n = Math.min(1024, 5000 - offset);
            assertEquals(n, abi.loadLayerRange(guest, 1, offset, 0, n));
            System.arraycopy(guest.bytes, 0, whole, offset, n);
        }
        assertArrayEquals(modelRange(PAGE - 100, 5000), whole);
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
        ByteBuffer record = ByteBuffer.wrap(guest.bytes, 1000, 64).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, record.getInt());
        assertEquals(2, record.getInt());
        assertEquals(16, record.getLong());
        assertEquals(4000, record.getLong());
        assertEquals(2, record.getInt());
        assertEquals(0, record.getInt());
        assertEquals(32, record.getLong());
        assertEquals(125, record.getLong());
        assertEquals(1, record.getLong());
        assertEquals(1, record.getLong());
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

    static Gen<Long> edgyLongs() {
        Gen<Long> edges =
                Generate.pick(
                        List.of(
                                0L,
                                -1L,
                                Long.MAX_VALUE,
                                Long.MIN_VALUE,
                                PAGE,
                                2 * PAGE,
                                2 * PAGE - 1,
                                2 * PAGE + 1,
                                4294967296L));
        return Generate.frequency(
                org.quicktheories.api.Pair.of(2, edges),
                org.quicktheories.api.Pair.of(3, SourceDSL.longs().between(0, 3 * PAGE)),
                org.quicktheories.api.Pair.of(1, SourceDSL.longs().all()));
    }

    /** The code the documented validation order predicts for memory64_load_layer. */
    int predictLoadLayer(int id, int dstPtr, int maxSize) {
        long ptr = Integer.toUnsignedLong(dstPtr);
        long max = Integer.toUnsignedLong(maxSize);
        if (ptr + max > 1L << 32) {
            return -6;
        }
        if (ptr + max > GUEST_SIZE) {
            return -7;
        }
        Layer layer = store.layer(id);
        if (layer == null) {
            return -2;
        }
        if (max < layer.size()) {
            return -3;
        }
        return (int) layer.size();
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
                            int expected = predictLoadLayer(id, ptr, max);
                            int result = abi.loadLayer(guest, id, ptr, max);
                            assertEquals(
                                    expected,
                                    result,
                                    "load_layer(" + id + ", " + ptr + ", " + max + ")");
                            if (result >= 0) {
                                Layer layer = store.layer(id);
                                int p = ptr;
                                assertArrayEquals(
                                        modelRange(layer.offset(), layer.size()),
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
                .forAll(edgyLongs(), edgyInts(), edgyInts())
                .checkAssert(
                        (offset, ptr, len) -> {
                            byte[] before = guest.bytes.clone();
                            long p = Integer.toUnsignedLong(ptr);
                            long n = Integer.toUnsignedLong(len);
                            int expected;
                            if (p + n > 1L << 32) {
                                expected = -6;
                            } else if (p + n > GUEST_SIZE) {
                                expected = -7;
                            } else if (offset < 0 || n > 2 * PAGE - offset) {
                                expected = -4;
                            } else {
                                expected = len;
                            }
                            int result = abi.read(guest, offset, ptr, len);
                            assertEquals(
                                    expected,
                                    result,
                                    "read(" + offset + ", " + ptr + ", " + len + ")");
                            if (result >= 0) {
                                assertArrayEquals(
                                        modelRange(offset, n),
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
