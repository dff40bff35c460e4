package dev.memory64.chicory;

import static dev.memory64.testkit.FuzzedGuest.ptr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.TensorInfo;
import dev.memory64.abi.GuestMemory;
import dev.memory64.abi.Memory64Abi;
import dev.memory64.testkit.HeapGuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the host functions as a real guest calls them: the test guest {@code
 * guests/wat/abi.wasm} under Chicory's interpreter, on each kind of Chicory memory (byte array,
 * byte buffer, {@link SegmentMemory}) grown to 1 to 16 pages, calls any of the twelve functions
 * with arbitrary arguments. Each result, every guest byte and the store's counters must equal those
 * of the runtime-neutral {@link Memory64Abi} called directly on a plain array over a twin store
 * (which {@code Memory64AbiFuzzTest} checks against the ABI's reference model).
 *
 * <p>In the build this replays the committed corpus in {@code
 * src/test/resources/dev/memory64/chicory/HostFunctionsFuzzTestInputs/}; {@code ./scripts/fuzz.sh}
 * fuzzes it for a set time.
 */
class HostFunctionsFuzzTest {
    static final int PAGE = 64 * 1024;
    static final int[] IDS = {0, 1, 2, 3, Integer.MAX_VALUE, -1, 4};
    static final String[] NAMES = {"token_embd", "blk.0", "dup", "last", "blk.0.w", "ü.t", "x"};
    static final String[] EXPORTS = {
        "load_layer",
        "read",
        "is_enabled",
        "stats",
        "layer_size",
        "stats_into",
        "load_layer_range",
        "layer_find",
        "tensor_info",
        "prefetch"
    };

    static WasmModule module;
    static Memory64Store guestStore;
    static Memory64Store referenceStore;
    static Memory64HostFunctions hostFunctions;
    static Memory64Abi reference;

    @BeforeAll
    static void openStores() throws Exception {
        module = Guests.wat("abi");
        guestStore = twin();
        referenceStore = twin();
        hostFunctions = Memory64HostFunctions.builder(guestStore).build();
        reference = Memory64Abi.builder(referenceStore).build();
    }

    @AfterAll
    static void closeStores() {
        guestStore.close();
        referenceStore.close();
    }

    private static Memory64Store twin() throws Exception {
        Memory64Store store =
                Memory64Store.allocate(
                        MemoryLayout.builder().addRegion("a", PAGE).addRegion("b", PAGE).build());
        byte[] content = new byte[2 * PAGE];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 29 + (i >>> 11) + 3);
        }
        store.write(0, content);
        store.registerLayers(
                List.of(
                        new Layer(0, "token_embd", "embeddings", 0, 1000),
                        new Layer(1, "blk.0", "block", PAGE - 100, 5000),
                        new Layer(2, "dup", "block", 7, 2 * PAGE - 7),
                        new Layer(3, "dup", "block", 0, 1),
                        new Layer(Integer.MAX_VALUE, "last", "block", 2 * PAGE - 40, 40)),
                List.of(
                        new TensorInfo("blk.0.w", 1, 16, 4000, 2, List.of(32L, 125L)),
                        new TensorInfo("ü.t", 3, 0, 1, 0, List.of(1L))));
        return store;
    }

    @FuzzTest(maxDuration = "5m")
    void guestCallsMatchTheAbiOnEveryMemory(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 2);
        int pages = data.consumeInt(1, 16);
        List<SegmentMemory> opened = new ArrayList<>();
        Function<MemoryLimits, Memory> factory =
                switch (kind) {
                    case 0 -> ByteArrayMemory::new;
                    case 1 -> ByteBufferMemory::new;
                    default ->
                            limits -> {
                                SegmentMemory memory =
                                        SegmentMemory.of(limits, SegmentMemory.Backing.ALLOCATED);
                                opened.add(memory);
                                return memory;
                            };
                };
        try {
            Instance guest =
                    Guests.instantiate(
                            module,
                            hostFunctions.toImportValues(),
                            Guests.Mode.INTERPRETER,
                            factory);
            Guests.call(guest, "grow", pages - 1);
            HeapGuestMemory plain = new HeapGuestMemory(pages * PAGE);
            int calls = data.consumeInt(1, 4);
            for (int i = 0; i < calls && data.remainingBytes() > 0; i++) {
                checkOneCall(data, guest, plain);
            }
        } finally {
            opened.forEach(SegmentMemory::close);
        }
    }

    private static void checkOneCall(
            FuzzedDataProvider data, Instance guest, HeapGuestMemory plain) {
        int fn = data.consumeInt(0, EXPORTS.length - 1);
        long size = plain.size();
        long[] args =
                switch (fn) {
                    case 0 -> new long[] {id(data), ptr(data, size), len(data, size)};
                    case 1 -> new long[] {offset(data), ptr(data, size), len(data, size)};
                    case 2, 3 -> new long[0];
                    case 4, 9 -> new long[] {id(data)};
                    case 5 -> new long[] {ptr(data, size), len(data, size)};
                    case 6 -> new long[] {id(data), offset(data), ptr(data, size), len(data, size)};
                    default -> nameArgs(data, guest, plain, fn == 8);
                };
        long expected = invoke(fn, args, plain);
        long actual = Guests.call(guest, EXPORTS[fn], args);
        String call = EXPORTS[fn] + java.util.Arrays.toString(args) + " on " + size + " bytes";
        assertEquals(expected, actual, call);
        assertEquals(
                operations(referenceStore.stats()),
                operations(guestStore.stats()),
                call + ": counters");
        assertArrayEquals(plain.bytes, guest.memory().readBytes(0, (int) size), call + ": bytes");
    }

    /**
     * The same call on the runtime-neutral ABI; i32 arguments are truncated as Wasm passes them.
     */
    private static long invoke(int fn, long[] a, GuestMemory memory) {
        return switch (fn) {
            case 0 -> reference.loadLayer(memory, (int) a[0], (int) a[1], (int) a[2]);
            case 1 -> reference.read(memory, a[0], (int) a[1], (int) a[2]);
            case 2 -> reference.isEnabled();
            case 3 -> reference.stats();
            case 4 -> reference.layerSize((int) a[0]);
            case 5 -> reference.statsInto(memory, (int) a[0], (int) a[1]);
            case 6 -> reference.loadLayerRange(memory, (int) a[0], a[1], (int) a[2], (int) a[3]);
            case 7 -> reference.layerFind(memory, (int) a[0], (int) a[1]);
            case 8 -> reference.tensorInfo(memory, (int) a[0], (int) a[1], (int) a[2], (int) a[3]);
            default -> reference.prefetch((int) a[0]);
        };
    }

    /** Puts a name in both memories where it fits; returns the name (and destination) arguments. */
    private static long[] nameArgs(
            FuzzedDataProvider data, Instance guest, HeapGuestMemory plain, boolean tensor) {
        long size = plain.size();
        byte[] name =
                data.consumeBoolean()
                        ? NAMES[data.consumeInt(0, NAMES.length - 1)].getBytes(
                                StandardCharsets.UTF_8)
                        : data.consumeBytes(data.consumeInt(0, 16));
        int namePtr = ptr(data, size);
        int nameLen = data.consumeInt(0, 3) == 0 ? len(data, size) : name.length;
        if (Integer.toUnsignedLong(namePtr) + name.length <= size) {
            guest.memory().write(namePtr, name);
            System.arraycopy(name, 0, plain.bytes, namePtr, name.length);
        }
        return tensor
                ? new long[] {namePtr, nameLen, ptr(data, size), len(data, size)}
                : new long[] {namePtr, nameLen};
    }

    private static int id(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(IDS) : data.consumeInt();
    }

    private static int len(FuzzedDataProvider data, long size) {
        return data.consumeBoolean()
                ? data.pickValue(new int[] {0, 1, 39, 40, 63, 64, 1000, 5000, 2 * PAGE})
                : ptr(data, size);
    }

    private static long offset(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeLong();
            case 1 -> data.consumeLong(0, 6000);
            default -> 2L * PAGE + data.consumeLong(-6000, 6000);
        };
    }

    /** The operation counters alone: prefetched bytes arrive in the background, at any time. */
    private static Memory64Stats operations(Memory64Stats s) {
        return new Memory64Stats(
                s.reads(), s.writes(), s.bytesRead(), s.bytesWritten(), s.errors());
    }
}
