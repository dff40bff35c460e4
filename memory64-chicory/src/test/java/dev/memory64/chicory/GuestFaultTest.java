package dev.memory64.chicory;

import static dev.memory64.chicory.Guests.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.testkit.LayerChecksum;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real guests loading from a mapped file that is truncated under them: before a load and between
 * the chunks of a streamed load. The guest gets HOST_RANGE (-4), the store counts one error, the
 * guest and the JVM go on, and what is left of the file still loads.
 */
class GuestFaultTest {
    static final int PAGE = 64 * 1024;

    @TempDir Path dir;

    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 13 + 5 + (i >>> 9));
        }
        return bytes;
    }

    Memory64Store mappedStore(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        Memory64Store store =
                Memory64Store.builder(
                                MemoryLayout.builder().addRegion("weights", content.length).build())
                        .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                        .build();
        store.registerLayer(0, "head", 0, PAGE);
        store.registerLayer(1, "rest", PAGE, content.length - PAGE);
        return store;
    }

    @Test
    void guestLoadsAfterTheFileWasTruncatedGetHostRangeOnEveryMemory() throws Exception {
        byte[] content = pattern(4 * PAGE);
        Path file = dir.resolve("weights.bin");
        try (Memory64Store store = mappedStore(file, content)) {
            truncate(file, PAGE);
            Memory64HostFunctions memory64 = Memory64HostFunctions.builder(store).build();
            List<SegmentMemory> segmentMemories = new ArrayList<>();
            Function<MemoryLimits, Memory> segmentMemory = Guests.segmentMemories(segmentMemories);
            // Chicory's default memory (staged copies), then a SegmentMemory (one copy).
            List<Function<MemoryLimits, Memory>> memories = Arrays.asList(null, segmentMemory);
            try {
                long errors = 0;
                for (Function<MemoryLimits, Memory> factory : memories) {
                    Instance guest =
                            Guests.instantiate(
                                    Guests.wat("abi"),
                                    memory64.toImportValues(),
                                    Guests.Mode.INTERPRETER,
                                    factory);
                    call(guest, "grow", 4);
                    byte[] before = guest.memory().readBytes(0, 5 * PAGE);

                    assertEquals(-4, call(guest, "load_layer", 1, 0, 3 * PAGE));
                    assertEquals(++errors, store.stats().errors());
                    assertArrayEquals(
                            Arrays.copyOfRange(before, 3 * PAGE, 5 * PAGE),
                            guest.memory().readBytes(3 * PAGE, 2 * PAGE),
                            "nothing past the destination changes");

                    // The guest goes on: what is left of the file loads exactly.
                    assertEquals(PAGE, call(guest, "load_layer", 0, 4 * PAGE, PAGE));
                    assertArrayEquals(
                            Arrays.copyOf(content, PAGE), guest.memory().readBytes(4 * PAGE, PAGE));
                }
            } finally {
                segmentMemories.forEach(SegmentMemory::close);
            }
        }
    }

    @Test
    void fileTruncatedBetweenTheChunksOfAStreamedLoadStopsTheGuestWithHostRange() throws Exception {
        byte[] content = pattern(4 * PAGE);
        Path file = dir.resolve("weights.bin");
        try (Memory64Store store = mappedStore(file, content)) {
            Memory64HostFunctions memory64 = Memory64HostFunctions.builder(store).build();
            // The host truncates the file when the guest asks for the layer's second chunk.
            int[] rangeCalls = {0};
            List<HostFunction> functions = new ArrayList<>();
            for (HostFunction f : memory64.toHostFunctions()) {
                if (!f.name().equals("memory64_load_layer_range")) {
                    functions.add(f);
                    continue;
                }
                functions.add(
                        new HostFunction(
                                f.module(),
                                f.name(),
                                f.functionType(),
                                (instance, args) -> {
                                    if (++rangeCalls[0] == 2) {
                                        truncate(file, 3 * PAGE);
                                    }
                                    return f.handle().apply(instance, args);
                                }));
            }
            ImportValues imports =
                    ImportValues.builder()
                            .addFunction(functions.toArray(HostFunction[]::new))
                            .build();
            Instance guest =
                    Guests.instantiate(
                            Guests.wat("checksum"), imports, Guests.Mode.INTERPRETER, null);

            // Chunks of one page: the first (layer bytes [0, 64 KiB), file page 1) loads, the
            // second (file page 2) is still inside the truncated file, the third faults.
            assertEquals(-4, call(guest, "checksum_layer", 1, PAGE, PAGE));
            assertEquals(-4, call(guest, "last_error"));
            assertEquals(3, rangeCalls[0]);
            assertEquals(2, store.stats().reads());
            assertEquals(1, store.stats().errors());

            // The guest goes on: the part of the file that is left still checksums exactly.
            long expected = LayerChecksum.of(MemorySegment.ofArray(Arrays.copyOf(content, PAGE)));
            assertEquals(expected, call(guest, "checksum_layer", 0, PAGE, PAGE));
            assertEquals(0, call(guest, "last_error"));
        }
    }

    static void truncate(Path file, long size) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
