package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.SmallModels;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers over 2 GiB and layers of several extents, as a guest sees them through the ABI. */
class LargeAndSplitLayerAbiTest {

    private static final long GIB = 1L << 30;

    @TempDir Path dir;

    /** A guest memory of the full 4 GiB that must never be written. */
    private static final GuestMemory FOUR_GIB =
            new GuestMemory() {
                @Override
                public long size() {
                    return 1L << 32;
                }

                @Override
                public void write(long offset, MemorySegment src) {
                    throw new AssertionError("nothing may be written");
                }

                @Override
                public void read(long offset, MemorySegment dst) {
                    throw new AssertionError("nothing may be read");
                }
            };

    @Test
    void shouldStreamALayerOverTwoGiBByRangeAndRefuseItWhole() throws Exception {
        try (Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("big", 4 * GIB).build())
                        .withDefaultBacking(RegionBacking.reservedOvercommitted(dir))
                        .build()) {
            byte[] tail = SmallModels.bytes(4096, 1);
            store.write(3 * GIB - 4096, tail);
            store.registerLayer(0, "token_embd", 0, 3 * GIB);
            Memory64Abi abi = Memory64Abi.builder(store).build();
            assertEquals(3 * GIB, abi.layerSize(0));
            // The i32 result cannot carry 3 GiB, even with a 4 GiB buffer.
            assertEquals(
                    ErrorCode.BUFFER_TOO_SMALL.code(), abi.loadLayer(FOUR_GIB, 0, 0, 0xFFFF_FFFF));
            HeapGuestMemory guest = new HeapGuestMemory(64 * 1024);
            assertEquals(4096, abi.loadLayerRange(guest, 0, 3 * GIB - 4096, 1024, 4096));
            assertArrayEquals(tail, Arrays.copyOfRange(guest.bytes, 1024, 1024 + 4096));
            assertEquals(
                    ErrorCode.HOST_RANGE.code(),
                    abi.loadLayerRange(guest, 0, 3 * GIB - 4095, 1024, 4096));
            assertEquals(2, store.stats().errors());
        }
    }

    @Test
    void shouldLoadALayerOfSeveralExtentsAsOneSequenceWithTensorOffsetsInIt() throws Exception {
        long page = 64 * 1024;
        try (Memory64Store store =
                Memory64Store.allocate(
                        MemoryLayout.builder()
                                .addRegion("part1", page)
                                .addRegion("part2", page)
                                .build())) {
            byte[] all = SmallModels.bytes((int) (2 * page), 2);
            store.write(0, all);
            // blk.0's tensors: the tail of part 1, then the head of part 2 (a straddling block).
            List<Layer.Extent> extents =
                    List.of(new Layer.Extent(page - 3000, 3000), new Layer.Extent(page, 5000));
            store.registerLayers(
                    List.of(new Layer(1, "blk.0", "block", extents)),
                    List.of(
                            new dev.memory64.TensorInfo("blk.0.a", 1, 0, 3000, 0, List.of(750L)),
                            new dev.memory64.TensorInfo(
                                    "blk.0.b", 1, 3000, 5000, 0, List.of(1250L))));
            Memory64Abi abi = Memory64Abi.builder(store).build();
            HeapGuestMemory guest = new HeapGuestMemory(64 * 1024);
            assertEquals(8000, abi.loadLayer(guest, 1, 100, 8000));
            byte[] expected = new byte[8000];
            System.arraycopy(all, (int) page - 3000, expected, 0, 3000);
            System.arraycopy(all, (int) page, expected, 3000, 5000);
            assertArrayEquals(expected, Arrays.copyOfRange(guest.bytes, 100, 8100));
            // A range that crosses from one extent into the next.
            assertEquals(100, abi.loadLayerRange(guest, 1, 2950, 20_000, 100));
            assertArrayEquals(
                    Arrays.copyOfRange(expected, 2950, 3050),
                    Arrays.copyOfRange(guest.bytes, 20_000, 20_100));
            assertEquals(2, store.stats().reads());
        }
    }

    @Test
    void shouldGrantRawReadsInsideALayersExtentsButNotBetweenThem() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("m", 64 * 1024).build())) {
            // blk.0 is [0, 100) and [200, 300); blk.1, not granted, lies between them.
            store.registerLayers(
                    List.of(
                            new Layer(
                                    1,
                                    "blk.0",
                                    "block",
                                    List.of(new Layer.Extent(0, 100), new Layer.Extent(200, 100))),
                            new Layer(2, "blk.1", "block", 100, 100)));
            Memory64Abi abi =
                    Memory64Abi.builder(store)
                            .withAccessPolicy(AccessPolicy.onlyLayers(new int[] {1}, store::layer))
                            .build();
            HeapGuestMemory guest = new HeapGuestMemory(64 * 1024);
            assertEquals(50, abi.read(guest, 210, 0, 50));
            assertEquals(100, abi.read(guest, 0, 0, 100));
            assertEquals(ErrorCode.ACCESS_DENIED.code(), abi.read(guest, 150, 0, 10));
            assertEquals(ErrorCode.ACCESS_DENIED.code(), abi.read(guest, 50, 0, 200));
            assertEquals(ErrorCode.ACCESS_DENIED.code(), abi.loadLayer(guest, 2, 0, 100));
        }
    }
}
