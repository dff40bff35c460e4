package dev.memory64.chicory;

import static dev.memory64.chicory.Guests.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.abi.AccessPolicy;
import dev.memory64.testkit.AbiOracle;
import dev.memory64.testkit.AbiRecords;
import dev.memory64.testkit.TestStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The guest ABI exercised by real Wasm guests, run by a subclass per execution mode and guest
 * memory implementation.
 */
abstract class GuestAbiContractTest {
    static final long PAGE = 64 * 1024;
    static final long BIG = 3L << 20; // larger than the checksum guest's 1 MiB memory

    @AutoClose TestStore fixture;
    Memory64Store store;
    Memory64HostFunctions functions;
    Instance guest;

    private final Guests.Mode mode;
    private final Function<MemoryLimits, Memory> memoryFactory;

    /**
     * The contract for one execution mode and one guest memory implementation.
     *
     * @param mode how the guests run
     * @param memoryFactory the guest memory implementation, or null for Chicory's default
     */
    GuestAbiContractTest(Guests.Mode mode, Function<MemoryLimits, Memory> memoryFactory) {
        this.mode = mode;
        this.memoryFactory = memoryFactory;
    }

    Instance instantiate(WasmModule module, Memory64HostFunctions fns) {
        return Guests.instantiate(module, fns.toImportValues(), mode, memoryFactory);
    }

    @BeforeEach
    void setUp() throws Exception {
        fixture =
                TestStore.abiModel(4L << 20, "blk.0.attn_q.weight")
                        .layer(new Layer(2, "blk.1", "block", PAGE, BIG + 3))
                        .build();
        store = fixture.store();
        functions = Memory64HostFunctions.builder(store).build();
        guest = instantiate(Guests.wat("abi"), functions);
    }

    byte[] guestBytes(Instance instance) {
        Memory memory = instance.memory();
        return memory.readBytes(0, memory.pages() * Memory.PAGE_SIZE);
    }

    @Test
    void shouldCopyWholeLayerIntoTheGuest() {
        assertEquals(5000, call(guest, "load_layer", 1, 100, 6000));
        byte[] memory = guestBytes(guest);
        assertArrayEquals(fixture.range(PAGE - 100, 5000), Arrays.copyOfRange(memory, 100, 5100));
        assertEquals(0, memory[99]);
        assertEquals(0, memory[5100]);
        assertEquals(1, call(guest, "stats"));
        assertEquals(1, call(guest, "is_enabled"));
        assertEquals(5000, call(guest, "layer_size", 1));
    }

    @Test
    void shouldReturnEveryErrorCodeToARealGuestAndChangeNothing() {
        guest.memory().fill((byte) 0x5A, 0, (int) PAGE);
        byte[] before = guestBytes(guest);
        long errors = store.stats().errors();
        assertEquals(-2, call(guest, "load_layer", 9, 0, 100));
        assertEquals(-3, call(guest, "load_layer", 1, 0, 4999));
        assertEquals(-4, call(guest, "read", store.size() - 10, 0, 11));
        assertEquals(-4, call(guest, "read", -1L, 0, 1));
        assertEquals(-4, call(guest, "load_layer_range", 1, 4990, 0, 11));
        assertEquals(-6, call(guest, "load_layer", 1, 0xFFFF_FFFFL, 2));
        assertEquals(-6, call(guest, "read", 0, 2, 0xFFFF_FFFFL));
        assertEquals(-7, call(guest, "load_layer", 0, PAGE - 999, 1000));
        assertEquals(-7, call(guest, "read", 0, 0xFFFF_FFF0L, 16)); // ends at exactly 2^32
        assertEquals(-2, call(guest, "layer_size", 77));
        assertEquals(-3, call(guest, "stats_into", 0, 39));
        assertEquals(-2, call(guest, "prefetch", 77));
        assertArrayEquals(before, guestBytes(guest));
        assertEquals(errors + 12, store.stats().errors());
        assertEquals(0, store.stats().reads());
    }

    @Test
    void noMemoryGuestGetsNoGuestMemoryFromEveryFunction() {
        Instance nomem = instantiate(Guests.wat("nomem"), functions);
        assertEquals(-5, call(nomem, "load_layer", 0, 0, 1000));
        assertEquals(-5, call(nomem, "read", 0, 0, 1));
        assertEquals(-5, call(nomem, "stats_into", 0, 40));
        assertEquals(-5, call(nomem, "load_layer_range", 0, 0, 0, 1));
        assertEquals(-5, call(nomem, "layer_find", 0, 1));
        assertEquals(-5, call(nomem, "tensor_info", 0, 1, 0, 64));
        assertEquals(6, store.stats().errors());
    }

    @Test
    void disabledHostAnswersDisabledToTheGuest() {
        Instance off =
                instantiate(
                        Guests.wat("abi"),
                        Memory64HostFunctions.builder(store).withEnabled(false).build());
        assertEquals(0, call(off, "is_enabled"));
        assertEquals(-1, call(off, "load_layer", 0, 0, 1000));
        assertEquals(-1, call(off, "read", 0, 0, 1));
        assertEquals(-1, call(off, "stats"));
        assertEquals(-1, call(off, "layer_size", 0));
        assertEquals(-1, call(off, "prefetch", 0));
        assertArrayEquals(new byte[(int) PAGE], guestBytes(off));
    }

    @Test
    void deniesLayersNotGrantedToTheGuest() {
        Instance limited =
                instantiate(
                        Guests.wat("abi"),
                        Memory64HostFunctions.builder(store)
                                .withAccessPolicy(
                                        AccessPolicy.onlyLayers(new int[] {0}, store::layer))
                                .build());
        assertEquals(-9, call(limited, "load_layer", 1, 0, 6000));
        assertEquals(-9, call(limited, "read", PAGE, 0, 1));
        assertEquals(1000, call(limited, "load_layer", 0, 0, 1000));
    }

    @Test
    void originDesignGuestLinksAndRunsUnchanged() {
        Instance origin = instantiate(Guests.wat("origin"), functions);
        assertEquals(1, call(origin, "is_enabled"));
        assertEquals(1000, call(origin, "load_layer", 0, 0, 1000));
        assertEquals(64, call(origin, "read", PAGE, 2000, 64));
        assertEquals(2, call(origin, "stats"));
        byte[] memory = guestBytes(origin);
        assertArrayEquals(fixture.range(0, 1000), Arrays.copyOf(memory, 1000));
        assertArrayEquals(fixture.range(PAGE, 64), Arrays.copyOfRange(memory, 2000, 2064));
    }

    @Test
    void shouldStreamALayerLargerThanTheGuestMemory() throws Exception {
        Instance checksum = instantiate(Guests.wat("checksum"), functions);
        Layer big = store.layer(2);
        long expected = HostChecksum.of(store, big);
        assertEquals(expected, call(checksum, "checksum_layer", 2, 0, PAGE));
        assertEquals(0, call(checksum, "last_error"));
        assertEquals(-2, call(checksum, "checksum_layer", 5, 0, PAGE));
        assertEquals(-2, call(checksum, "last_error"));
    }

    @Test
    void shouldLoadIntoMemoryTheGuestGrew() {
        assertEquals(-7, call(guest, "load_layer", 1, PAGE, 5000));
        assertEquals(1, call(guest, "grow", 2));
        assertEquals(5000, call(guest, "load_layer", 1, PAGE + 10, 5000));
        assertArrayEquals(
                fixture.range(PAGE - 100, 5000),
                Arrays.copyOfRange(guestBytes(guest), (int) PAGE + 10, (int) PAGE + 5010));
    }

    @Test
    void shouldFindLayersAndTensorsByNameForTheGuest() {
        byte[] layerName = "blk.0".getBytes(StandardCharsets.UTF_8);
        byte[] tensorName = "blk.0.attn_q.weight".getBytes(StandardCharsets.UTF_8);
        guest.memory().write(100, layerName);
        guest.memory().write(200, tensorName);
        assertEquals(1, call(guest, "layer_find", 100, layerName.length));
        assertEquals(-2, call(guest, "layer_find", 100, 3));
        assertEquals(64, call(guest, "tensor_info", 200, tensorName.length, 1000, 64));
        assertEquals(
                List.of(1L, 2L, 16L, 4000L, 2L, 0L, 32L, 125L, 1L, 1L),
                AbiRecords.tensor(guest.memory().readBytes(1000, 64)));
        assertEquals(-3, call(guest, "tensor_info", 200, tensorName.length, 2000, 63));
    }

    @Test
    void shouldWriteStatsIntoTheGuest() {
        call(guest, "load_layer", 0, 0, 1000);
        call(guest, "load_layer", 99, 0, 1000);
        assertEquals(40, call(guest, "stats_into", 2000, 40));
        assertEquals(
                new Memory64Stats(1, 1, 1000, store.size(), 1),
                AbiRecords.stats(guest.memory().readBytes(2000, 40)));
        assertEquals(0, call(guest, "prefetch", 2));
    }

    // ---------------------------------------------------------------------------------------
    // Properties, through real guest calls

    /** Calls the guest's export and checks that it returned what the oracle predicted. */
    private long callPredicted(long expected, String export, long... args) {
        long result = call(guest, export, args);
        assertEquals(expected, result, export + Arrays.toString(args));
        return result;
    }

    static Gen<Long> u32() {
        Gen<Long> edges =
                Generate.pick(
                        List.of(
                                0L,
                                1L,
                                0xFFFF_FFFFL,
                                0x8000_0000L,
                                0x7FFF_FFFFL,
                                PAGE,
                                PAGE - 1,
                                PAGE + 1,
                                1000L,
                                999L,
                                5000L,
                                4999L,
                                PAGE - 5000,
                                0xFFFF_0000L));
        return Generate.frequency(
                Pair.of(2, edges),
                Pair.of(3, SourceDSL.longs().between(0, 2 * PAGE)),
                Pair.of(1, SourceDSL.longs().between(0, 0xFFFF_FFFFL)));
    }

    @Test
    void anyLoadLayerFromTheGuestCopiesExactlyOrChangesNothing() {
        Gen<Long> ids =
                Generate.frequency(
                        Pair.of(4, SourceDSL.longs().between(-1, 3)),
                        Pair.of(1, SourceDSL.longs().between(0, 0xFFFF_FFFFL)));
        byte[] clean = guestBytes(guest);
        qt().withExamples(10_000)
                .withFixedSeed(11)
                .forAll(ids, u32(), u32())
                .checkAssert(
                        (id, ptr, max) -> {
                            long errors = store.stats().errors();
                            Layer layer = store.layer((int) (long) id);
                            long expected = AbiOracle.loadLayer(PAGE, layer, ptr, max);
                            long result = callPredicted(expected, "load_layer", id, ptr, max);
                            byte[] after = guestBytes(guest);
                            if (result >= 0) {
                                int p = (int) (long) ptr;
                                assertArrayEquals(
                                        fixture.range(layer.offset(), result),
                                        Arrays.copyOfRange(after, p, p + (int) result));
                                guest.memory().write(0, clean);
                            } else {
                                assertArrayEquals(clean, after);
                                assertEquals(errors + 1, store.stats().errors());
                            }
                        });
    }

    @Test
    void anyReadFromTheGuestCopiesExactlyOrChangesNothing() {
        byte[] clean = guestBytes(guest);
        long size = store.size();
        Gen<Long> offsets = AbiOracle.offsets(PAGE, size);
        qt().withExamples(10_000)
                .withFixedSeed(12)
                .forAll(offsets, u32(), u32())
                .checkAssert(
                        (offset, ptr, len) -> {
                            long expected = AbiOracle.read(PAGE, size, offset, ptr, len);
                            long result = callPredicted(expected, "read", offset, ptr, len);
                            byte[] after = guestBytes(guest);
                            if (result >= 0) {
                                int p = (int) (long) ptr;
                                assertArrayEquals(
                                        fixture.range(offset, len),
                                        Arrays.copyOfRange(after, p, p + (int) (long) len));
                                guest.memory().write(0, clean);
                            } else {
                                assertArrayEquals(clean, after);
                            }
                        });
    }
}
