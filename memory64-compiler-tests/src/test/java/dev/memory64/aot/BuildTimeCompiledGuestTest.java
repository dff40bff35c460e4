package dev.memory64.aot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.abi.ErrorCode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guests compiled to JVM bytecode at build time ({@code guests/wat/abi.wasm}, by Chicory's and by
 * Endive's Maven plugin, see this module's pom) work with the host functions and the segment
 * memory: a layer load is one copy into the guest's segment, as under the interpreter.
 */
class BuildTimeCompiledGuestTest {

    private static final int PAGE = 64 * 1024;

    private Memory64Store store;
    private byte[] weights;

    @BeforeEach
    void setUp() throws Exception {
        store = Memory64Store.allocate(MemoryLayout.builder().addRegion("weights", PAGE).build());
        weights = new byte[PAGE];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 29 + 5);
        }
        store.write(0, weights);
        store.registerLayers(List.of(new Layer(4, "blk.4", "block", 512, 3000)), List.of());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** A guest's exports, whichever runtime compiled it: the first result of a call. */
    interface Exports {
        long call(String name, long... args);
    }

    /** The guest memory's bytes, whichever runtime's memory it is. */
    interface Bytes {
        byte[] read(int offset, int length);
    }

    /** One layer load and one raw read land in the guest memory; a load past its end fails. */
    private void assertLoadsAndReads(Exports guest, Bytes memory) {
        assertEquals(3000, guest.call("load_layer", 4, 100, 4096));
        assertArrayEquals(Arrays.copyOfRange(weights, 512, 512 + 3000), memory.read(100, 3000));
        assertEquals(16, guest.call("read", 520, 8000, 16));
        assertArrayEquals(Arrays.copyOfRange(weights, 520, 536), memory.read(8000, 16));
        assertEquals(
                ErrorCode.OUT_OF_BOUNDS.code(), (int) guest.call("load_layer", 4, PAGE - 10, 4096));
        assertEquals(3000, guest.call("layer_size", 4));
        assertEquals(2, guest.call("stats"));
    }

    @Test
    void chicorysBuildTimeCompiledGuestLoadsALayerIntoASegmentMemory() {
        var memory64 = dev.memory64.chicory.Memory64HostFunctions.builder(store).build();
        var instance =
                com.dylibso.chicory.runtime.Instance.builder(ChicoryAbiGuest.load())
                        .withMachineFactory(ChicoryAbiGuest::create)
                        .withImportValues(memory64.toImportValues())
                        .withMemoryFactory(dev.memory64.chicory.SegmentMemory.factory())
                        .build();
        try (var memory =
                assertInstanceOf(dev.memory64.chicory.SegmentMemory.class, instance.memory())) {
            assertLoadsAndReads(
                    (name, args) -> instance.export(name).apply(args)[0], memory::readBytes);
        }
    }

    @Test
    void endivesBuildTimeCompiledGuestLoadsALayerIntoASegmentMemory() {
        var memory64 = dev.memory64.endive.Memory64HostFunctions.builder(store).build();
        var instance =
                run.endive.runtime.Instance.builder(EndiveAbiGuest.load())
                        .withMachineFactory(EndiveAbiGuest::create)
                        .withImportValues(memory64.toImportValues())
                        .withMemoryFactory(dev.memory64.endive.SegmentMemory.factory())
                        .build();
        try (var memory =
                assertInstanceOf(dev.memory64.endive.SegmentMemory.class, instance.memory())) {
            assertLoadsAndReads(
                    (name, args) -> instance.export(name).apply(args)[0], memory::readBytes);
        }
    }
}
