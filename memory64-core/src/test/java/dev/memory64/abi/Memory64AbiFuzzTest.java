package dev.memory64.abi;

import static dev.memory64.testkit.FuzzedGuest.ptr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.RegionBacking;
import dev.memory64.TensorInfo;
import dev.memory64.abi.AbiModel.Call;
import dev.memory64.abi.AbiModel.Fn;
import dev.memory64.abi.AbiModel.Outcome;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of every ABI function: arbitrary argument tuples, guest memory sizes from
 * 0 to 2<sup>32</sup>, three hosts (enabled, disabled, granting some layers), and guest writes that
 * fail part-way. Each call must return exactly what {@link AbiModel} predicts, write exactly its
 * bytes (none on failure, a mix of old and new bytes inside the destination only for GUEST_WRITE),
 * and add exactly one to {@code errors} per failure or one read per successful load.
 *
 * <p>In the build this replays the committed corpus in {@code
 * src/test/resources/dev/memory64/abi/Memory64AbiFuzzTestInputs/}; {@code ./scripts/fuzz.sh} fuzzes
 * it for a set time.
 */
class Memory64AbiFuzzTest {
    static final int PAGE = 64 * 1024;

    /** The mapped region's file: one page and 100 bytes, so the region has an unbacked tail. */
    static final int FILE_SIZE = PAGE + 100;

    static final int[] IDS = {0, 1, 2, 3, 4, 5, 6, Integer.MAX_VALUE};
    static final Set<Integer> GRANTED = Set.of(0, 1, 6, Integer.MAX_VALUE);

    /** Metadata of every shape: scalars, a string, arrays of numbers and strings, an empty one. */
    static final List<AbiModel.Meta> META =
            List.of(
                    new AbiModel.Meta("llama.block_count", 4, 4, 1, new byte[] {5, 0, 0, 0}),
                    new AbiModel.Meta(
                            "general.name", 8, 8, 1, "ünï model".getBytes(StandardCharsets.UTF_8)),
                    new AbiModel.Meta("flag", 7, 7, 1, new byte[] {1}),
                    new AbiModel.Meta("empty", 8, 8, 1, new byte[0]),
                    new AbiModel.Meta("scores", 9, 6, 300, pattern(1200)),
                    new AbiModel.Meta(
                            "tokens",
                            9,
                            8,
                            2,
                            new byte[] {
                                1, 0, 0, 0, 0, 0, 0, 0, 'a', 2, 0, 0, 0, 0, 0, 0, 0, 'b', 'c'
                            }),
                    new AbiModel.Meta("blk.0", 5, 5, 1, new byte[] {-1, -1, -1, -1}));

    static Path directory;
    static Memory64Store store;
    static AbiModel[] models;
    static Memory64Abi[] abis;
    static List<byte[]> names;

    @BeforeAll
    static void openStore() throws IOException {
        directory = Files.createTempDirectory("memory64-abi-fuzz");
        byte[] content = new byte[2 * PAGE + FILE_SIZE];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + (i >>> 8) + 7);
        }
        Path file = directory.resolve("m.bin");
        Files.write(file, Arrays.copyOfRange(content, 2 * PAGE, content.length));
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("a", PAGE)
                        .addRegion("b", PAGE)
                        .addRegion("m", 2 * PAGE)
                        .build();
        ModelMetadata.Builder metadataBuilder = ModelMetadata.builder();
        for (AbiModel.Meta meta : META) {
            metadataBuilder.put(
                    meta.key(),
                    MetadataValue.of(
                            meta.type(),
                            meta.elementType(),
                            meta.count(),
                            MemorySegment.ofArray(meta.encoding())));
        }
        store =
                Memory64Store.builder(layout)
                        .withMetadata(metadataBuilder.build())
                        .withDefaultBacking(RegionBacking.allocated())
                        .withBacking("m", RegionBacking.mapped(file, 0, false))
                        .build();
        store.write(0, content, 0, 2 * PAGE);
        long backedEnd = content.length;
        List<Layer> layers =
                List.of(
                        new Layer(0, "token_embd", "embeddings", 0, 1000),
                        new Layer(1, "blk.0", "block", PAGE - 100, 5000),
                        new Layer(2, "big", "block", 0, 2 * PAGE),
                        new Layer(3, "dup", "block", 100, 1),
                        new Layer(4, "tail", "block", backedEnd - 50, 100),
                        new Layer(5, "ünï", "block", 2 * PAGE, 300),
                        new Layer(6, "dup", "block", 2 * PAGE + 300, 7),
                        new Layer(Integer.MAX_VALUE, "last", "block", 2 * PAGE - 10, 20));
        List<TensorInfo> tensors =
                List.of(
                        new TensorInfo("blk.0.w", 1, 16, 4000, 2, List.of(32L, 125L)),
                        new TensorInfo("ü.t", 5, 0, 300, 0, List.of(300L)),
                        new TensorInfo("tail.t", 4, 10, 90, 8, List.of(1L, 2L, 3L, 15L)),
                        new TensorInfo("last.t", Integer.MAX_VALUE, 0, 20, 1, List.of(5L, 2L, 1L)),
                        new TensorInfo("", 0, 999, 1, 0, List.of(1L)));
        store.registerLayers(layers, tensors);
        models =
                new AbiModel[] {
                    new AbiModel(layout.size(), content, layers, tensors, true, null, META),
                    new AbiModel(layout.size(), content, layers, tensors, false, null, META),
                    new AbiModel(layout.size(), content, layers, tensors, true, GRANTED, META)
                };
        abis =
                new Memory64Abi[] {
                    Memory64Abi.builder(store).build(),
                    Memory64Abi.builder(store).withEnabled(false).build(),
                    Memory64Abi.builder(store)
                            .withAccessPolicy(
                                    AccessPolicy.onlyLayers(
                                            GRANTED.stream().mapToInt(i -> i).toArray(),
                                            store::layer))
                            .build()
                };
        names = new ArrayList<>();
        for (Layer layer : layers) {
            names.add(layer.name().getBytes(StandardCharsets.UTF_8));
        }
        for (TensorInfo tensor : tensors) {
            names.add(tensor.name().getBytes(StandardCharsets.UTF_8));
        }
        for (AbiModel.Meta meta : META) {
            names.add(meta.key().getBytes(StandardCharsets.UTF_8));
        }
        names.add("blk.0\0".getBytes(StandardCharsets.UTF_8));
        names.add("BLK.0".getBytes(StandardCharsets.UTF_8));
        names.add(new byte[] {(byte) 0xC3}); // a truncated "ü"
        names.add(new byte[] {'d', 'u', (byte) 0xC0, (byte) 0xF0}); // "dup" with an overlong 'p'
        names.add(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // a UTF-16 surrogate
        names.add(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'd', 'u', 'p'}); // a BOM
        byte[] longName = new byte[Memory64Abi.MAX_NAME_LENGTH + 1];
        Arrays.fill(longName, (byte) 'x');
        names.add(longName);
        names.add(Arrays.copyOf(longName, Memory64Abi.MAX_NAME_LENGTH));
    }

    @AfterAll
    static void closeStore() throws IOException {
        store.close();
        try (var files = Files.list(directory)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(directory);
    }

    @FuzzTest(maxDuration = "5m")
    void everyCallDoesWhatTheModelPredicts(FuzzedDataProvider data) {
        int host = data.consumeInt(0, abis.length - 1);
        SparseGuestMemory guest =
                data.consumeInt(0, 15) == 0 ? null : new SparseGuestMemory(memorySize(data));
        int calls = data.consumeInt(1, 4);
        for (int i = 0; i < calls && data.remainingBytes() > 0; i++) {
            checkOneCall(data, models[host], abis[host], guest);
        }
    }

    private static void checkOneCall(
            FuzzedDataProvider data, AbiModel model, Memory64Abi abi, SparseGuestMemory guest) {
        Fn fn = data.pickValue(Fn.values());
        long size = guest == null ? 0 : guest.size();
        Call call =
                switch (fn) {
                    case LOAD_LAYER ->
                            new Call(fn, layerId(data), ptr(data, size), len(data, size));
                    case READ -> new Call(fn, offset(data), ptr(data, size), len(data, size));
                    case IS_ENABLED, STATS -> new Call(fn);
                    case LAYER_SIZE, PREFETCH -> new Call(fn, layerId(data));
                    case STATS_INTO -> new Call(fn, ptr(data, size), len(data, size));
                    case LOAD_LAYER_RANGE ->
                            new Call(
                                    fn,
                                    layerId(data),
                                    offset(data),
                                    ptr(data, size),
                                    len(data, size));
                    case LAYER_FIND -> nameCall(fn, data, guest);
                    case TENSOR_INFO, METADATA_INFO -> nameCall(fn, data, guest);
                    case METADATA_READ -> metadataRead(data, guest);
                };
        long faultAfter = -1;
        if (guest != null && data.consumeInt(0, 7) == 0) {
            faultAfter = data.consumeLong(0, 2L * PAGE);
            guest.failAfter(faultAfter, fault(data));
        } else if (guest != null) {
            guest.failAfter(-1, null);
        }
        SparseGuestMemory before = guest == null ? null : guest.copy();
        int writesBefore = guest == null ? 0 : guest.writes();
        Memory64Stats stats = store.stats();
        Outcome success = model.predict(call, before, stats);
        boolean partial = faultAfter >= 0 && faultAfter < success.bytes().length;
        Outcome expected = partial ? Outcome.fail(AbiModel.GUEST_WRITE) : success;
        boolean failed = expected.result() < 0;

        long result = invoke(abi, call, guest);

        assertEquals(expected.result(), result, () -> call + " on a memory of " + size);
        Memory64Stats counted =
                new Memory64Stats(
                        stats.reads() + (expected.readBytes() >= 0 ? 1 : 0),
                        stats.writes(),
                        stats.bytesRead() + Math.max(0, expected.readBytes()),
                        stats.bytesWritten(),
                        stats.errors() + (failed ? 1 : 0));
        assertEquals(counted, operations(store.stats()), () -> call + " counted");
        if (guest != null) {
            assertTrue(
                    guest.matches(before, success.at(), success.bytes(), partial),
                    () -> call + (failed ? " changed guest bytes" : " wrote the wrong bytes"));
            if (failed && !partial) {
                assertEquals(writesBefore, guest.writes(), () -> call + " failed but wrote");
            }
        }
    }

    private static long invoke(Memory64Abi abi, Call call, GuestMemory guest) {
        return switch (call.fn()) {
            case LOAD_LAYER -> abi.loadLayer(guest, call.i32(0), call.i32(1), call.i32(2));
            case READ -> abi.read(guest, call.args()[0], call.i32(1), call.i32(2));
            case IS_ENABLED -> abi.isEnabled();
            case STATS -> abi.stats();
            case LAYER_SIZE -> abi.layerSize(call.i32(0));
            case STATS_INTO -> abi.statsInto(guest, call.i32(0), call.i32(1));
            case LOAD_LAYER_RANGE ->
                    abi.loadLayerRange(
                            guest, call.i32(0), call.args()[1], call.i32(2), call.i32(3));
            case LAYER_FIND -> abi.layerFind(guest, call.i32(0), call.i32(1));
            case TENSOR_INFO ->
                    abi.tensorInfo(guest, call.i32(0), call.i32(1), call.i32(2), call.i32(3));
            case PREFETCH -> abi.prefetch(call.i32(0));
            case METADATA_INFO ->
                    abi.metadataInfo(guest, call.i32(0), call.i32(1), call.i32(2), call.i32(3));
            case METADATA_READ ->
                    abi.metadataRead(
                            guest,
                            call.i32(0),
                            call.i32(1),
                            call.args()[2],
                            call.i32(3),
                            call.i32(4));
        };
    }

    /** A name call: puts a known or arbitrary name in guest memory, where it fits. */
    private static Call nameCall(Fn fn, FuzzedDataProvider data, SparseGuestMemory guest) {
        long size = guest == null ? 0 : guest.size();
        byte[] name =
                data.consumeBoolean()
                        ? names.get(data.consumeInt(0, names.size() - 1))
                        : data.consumeBytes(data.consumeInt(0, 64));
        int namePtr = ptr(data, size);
        int nameLen = data.consumeInt(0, 3) == 0 ? len(data, size) : name.length;
        if (guest != null && Integer.toUnsignedLong(namePtr) + name.length <= size) {
            guest.put(Integer.toUnsignedLong(namePtr), name);
        }
        return fn == Fn.LAYER_FIND
                ? new Call(fn, namePtr, nameLen)
                : new Call(fn, namePtr, nameLen, ptr(data, size), len(data, size));
    }

    /** A metadata read: a name call's key and destination, and an offset into the encoding. */
    private static Call metadataRead(FuzzedDataProvider data, SparseGuestMemory guest) {
        Call named = nameCall(Fn.METADATA_INFO, data, guest);
        long valueOffset =
                switch (data.consumeInt(0, 2)) {
                    case 0 -> data.consumeLong();
                    case 1 -> data.consumeLong(-2, 2);
                    default -> data.consumeLong(0, 1300);
                };
        return new Call(
                Fn.METADATA_READ,
                named.args()[0],
                named.args()[1],
                valueOffset,
                named.args()[2],
                named.args()[3]);
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 13 + 5);
        }
        return bytes;
    }

    private static long memorySize(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> data.pickValue(new long[] {0, 1, 40, 64, PAGE, (1L << 32) - 1, 1L << 32});
            case 1 -> data.consumeLong(0, 4L * PAGE);
            default -> data.consumeLong(0, 1L << 32);
        };
    }

    private static int layerId(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> data.pickValue(IDS);
            case 1 -> data.pickValue(new int[] {-1, Integer.MIN_VALUE, 7, Integer.MAX_VALUE - 1});
            default -> data.consumeInt();
        };
    }

    /** A guest length: a pointer-like value, or a size that matters to some function. */
    private static int len(FuzzedDataProvider data, long memorySize) {
        return data.consumeBoolean()
                ? data.pickValue(new int[] {0, 1, 39, 40, 63, 64, 300, 999, 1000, 5000, 2 * PAGE})
                : ptr(data, memorySize);
    }

    /** A host offset: arbitrary, near a layer, near the end of the backed bytes or the layout. */
    private static long offset(FuzzedDataProvider data) {
        long delta = data.consumeLong(-300, 300);
        return switch (data.consumeInt(0, 4)) {
            case 0 -> data.consumeLong();
            case 4 -> data.consumeLong(0, 6000);
            case 1 -> store.layer(data.pickValue(IDS)).offset() + delta;
            case 2 -> 2L * PAGE + FILE_SIZE + delta;
            default -> store.size() + delta;
        };
    }

    private static Supplier<RuntimeException> fault(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> () -> new IllegalStateException("guest memory is gone");
            case 1 -> () -> new IndexOutOfBoundsException("guest memory shrank");
            default -> () -> new RuntimeException("the runtime trapped");
        };
    }

    /** The operation counters alone: prefetched bytes arrive in the background, at any time. */
    static Memory64Stats operations(Memory64Stats s) {
        return new Memory64Stats(
                s.reads(), s.writes(), s.bytesRead(), s.bytesWritten(), s.errors());
    }
}
