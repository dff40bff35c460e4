package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.Instance;
import dev.memory64.AlreadyClosedException;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.testkit.Printed;
import dev.memory64.testkit.SmallModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each runtime block of docs/GUIDE.md ({@link GuideExamples}) runs and does what the guide says,
 * over a store of four 1 KiB layers and the guests of {@code guests/wat}. Like {@link
 * ReadmeExampleTest}, it runs in both adapter modules.
 */
class GuideExamplesTest {

    private static final int LAYER = 1024;

    private Memory64Store store;

    @BeforeEach
    void fourLayers() throws IOException {
        store = Memory64Store.allocate(MemoryLayout.builder().addRegion("w", 65536).build());
        for (int id = 0; id < 4; id++) {
            store.write((long) id * LAYER, layerBytes(id));
            store.registerLayer(id, "layer", (long) id * LAYER, LAYER);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] layerBytes(int id) {
        return SmallModels.bytes(LAYER, id + 1);
    }

    private static long call(Instance instance, String function, long... args) {
        return instance.export(function).apply(args)[0];
    }

    @Test
    void aWasiHostGivesItsGuestMemory64sFunctions() {
        Instance instance = GuideExamples.addingToAWasiHost(store, Guests.wat("abi"));

        assertEquals(1, call(instance, "is_enabled"));
        assertEquals(LAYER, call(instance, "layer_size", 2));
        assertEquals(LAYER, call(instance, "load_layer", 2, 0, LAYER));
        assertArrayEquals(layerBytes(2), instance.memory().readBytes(0, LAYER));
    }

    @Test
    void openingAGgufModelPrintsItsArchitectureAndLayerCount(@TempDir Path models)
            throws Exception {
        // token_embd (layer 0), blk.0 to blk.3 (layers 1 to 4) and output: six layers.
        SmallModels.llama(4, 8).build().write(models.resolve("llama-7b-q4_0.gguf"));
        assertEquals(
                "llama: 6 layers" + System.lineSeparator(),
                Printed.by(() -> GuideExamples.openingAGgufModel(models)));
    }

    @Test
    void everySegmentMemoryTheFactoryMadeIsClosedAfterTheInstance() {
        List<SegmentMemory> memories =
                GuideExamples.segmentMemory(
                        Guests.wat("abi"),
                        Memory64HostFunctions.builder(store).build().toImportValues());

        // abi.wasm declares one memory.
        assertEquals(1, memories.size());
        assertThrows(AlreadyClosedException.class, () -> memories.getFirst().readInt(0));
    }

    @Test
    void theSharedMemoryLinksWithThreadsWasmAndServesTwoInstances() {
        GuideExamples.Shared shared =
                GuideExamples.sharedMemory(Memory64HostFunctions.builder(store).build());
        try {
            Instance first =
                    Instance.builder(Guests.wat("threads"))
                            .withImportValues(shared.imports())
                            .build();
            Instance second =
                    Instance.builder(Guests.wat("threads"))
                            .withImportValues(shared.imports())
                            .build();

            assertEquals(10, call(first, "add", 10));
            assertEquals(10, call(second, "counter32"));
            assertEquals(LAYER, call(second, "load_layer", 1, 64, LAYER));
            assertArrayEquals(layerBytes(1), shared.memory().readBytes(64, LAYER));
            assertArrayEquals(layerBytes(1), first.memory().readBytes(64, LAYER));
        } finally {
            shared.memory().close();
        }
    }

    @Test
    void theAccessPolicyGrantsLayersZeroToTwoAndRangesInsideOne() {
        Memory64HostFunctions memory64 = GuideExamples.accessPolicy(store);
        Instance instance =
                Instance.builder(Guests.wat("abi"))
                        .withImportValues(memory64.toImportValues())
                        .build();

        assertEquals(LAYER, call(instance, "load_layer", 2, 0, LAYER));
        assertArrayEquals(layerBytes(2), instance.memory().readBytes(0, LAYER));
        // ACCESS_DENIED (-9): layer 3, a range of it, and a range across layers 1 and 2.
        assertEquals(-9, call(instance, "load_layer", 3, 0, LAYER));
        assertEquals(-9, call(instance, "read", 3L * LAYER, 0, 16));
        assertEquals(-9, call(instance, "read", 2L * LAYER - 8, 0, 16));
        // A range wholly inside layer 1.
        assertEquals(16, call(instance, "read", LAYER + 8, 2048, 16));
        byte[] expected = new byte[16];
        System.arraycopy(layerBytes(1), 8, expected, 0, 16);
        assertArrayEquals(expected, instance.memory().readBytes(2048, 16));
    }
}
