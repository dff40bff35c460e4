package dev.memory64.gguf;

import static dev.memory64.gguf.GgufSplitter.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.RegionBacking;
import dev.memory64.TensorInfo;
import dev.memory64.testkit.ProcStatus;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF files opened as mapped stores: layers, tensors, bytes, split models, footprint. */
class GgufModelTest {
    @TempDir Path dir;

    @Test
    void shouldRegisterLayersAndTensorsAtTheFilesOwnOffsets() throws Exception {
        Path file = dir.resolve("rich.gguf");
        GgufWriter writer = TestModels.rich().build();
        writer.write(file);
        byte[] bytes = Files.readAllBytes(file);
        GgufFile parsed = GgufFile.read(file);
        try (GgufModel model = GgufModel.open(file)) {
            Memory64Store store = model.store();
            assertEquals(
                    List.of("token_embd", "blk.0", "blk.1", "output_norm", "output"),
                    store.layers().stream().map(Layer::name).toList());
            assertEquals(List.of(0, 1, 2, 3, 4), store.layers().stream().map(Layer::id).toList());
            assertTrue(store.backing(0) instanceof RegionBacking.Mapped m && !m.writable());
            for (GgufLayer layer : parsed.layers()) {
                Layer registered = store.layer(layer.id());
                assertEquals(layer.fileOffset(), registered.offset());
                assertEquals(layer.size(), registered.size());
                byte[] got = new byte[(int) layer.size()];
                store.read(registered.offset(), got);
                assertArrayEquals(
                        java.util.Arrays.copyOfRange(
                                bytes, (int) layer.fileOffset(), (int) layer.fileEnd()),
                        got);
                for (GgufTensor t : layer.tensors()) {
                    TensorInfo info = store.tensor(t.name());
                    assertEquals(layer.id(), info.layerId());
                    assertEquals(t.fileOffset() - layer.fileOffset(), info.offsetInLayer());
                    assertEquals(t.byteSize(), info.size());
                    assertEquals(t.type().id(), info.type());
                    assertEquals(t.dims().length, info.dims().size());
                    byte[] tensor = new byte[(int) t.byteSize()];
                    store.read(registered.offset() + info.offsetInLayer(), tensor);
                    assertArrayEquals(
                            java.util.Arrays.copyOfRange(
                                    bytes, (int) t.fileOffset(), (int) t.fileEnd()),
                            tensor);
                }
            }
            assertEquals("blk.0", store.layer("blk.0").name());
            assertEquals("llama", model.file().architecture().orElseThrow());
            assertThrows(IllegalStateException.class, () -> store.write(0, new byte[1]));
        }
    }

    @Test
    void shouldOpenEveryPartOfASplitModelFromTheFirst() throws Exception {
        byte[] a = new byte[4096];
        byte[] b = new byte[8192];
        java.util.Arrays.fill(a, (byte) 1);
        java.util.Arrays.fill(b, (byte) 2);
        GgufSplitter.onePerPart(dir, "m", Map.of(), f32("token_embd.weight", a), f32("blk.0.w", b));
        try (GgufModel model = GgufModel.open(dir.resolve("m-00002-of-00002.gguf"))) {
            Memory64Store store = model.store();
            assertEquals(2, store.layout().regionCount());
            assertEquals(2, model.parts().size());
            byte[] got = new byte[8192];
            store.read(store.layer(1).offset(), got);
            assertArrayEquals(b, got);
            assertTrue(store.layer(1).offset() >= store.layout().region(1).start());
            byte[] first = new byte[4096];
            store.read(store.layer(0).offset(), first);
            assertArrayEquals(a, first);
        }
        Files.delete(dir.resolve("m-00002-of-00002.gguf"));
        assertThrows(
                java.nio.file.NoSuchFileException.class,
                () -> GgufModel.open(dir.resolve("m-00001-of-00002.gguf")));
    }

    @Test
    void opensALayerSplitAcrossTwoPartsAsTwoExtents() throws Exception {
        GgufSplitter.onePerPart(
                dir, "s", Map.of(), f32("blk.0.a", new byte[64]), f32("blk.0.b", new byte[64]));
        try (GgufModel model = GgufModel.open(dir.resolve("s-00001-of-00002.gguf"))) {
            dev.memory64.Layer block = model.store().layer("blk.0");
            assertEquals(2, block.extents().size());
            assertEquals(128, block.size());
            assertEquals(1, model.store().layout().regionIndex(block.extents().get(1).offset()));
            assertEquals(64, model.store().tensor("blk.0.b").offsetInLayer());
        }
    }

    @Test
    void rejectsPartsThatDoNotFormOneModel() throws Exception {
        Path one = dir.resolve("one.gguf");
        GgufWriter.builder()
                .addMetadata("split.no", GgufValue.uint16(0))
                .addMetadata("split.count", GgufValue.uint16(3))
                .addTensor("blk.0.a", GgmlType.F32, new long[] {16}, new byte[64])
                .build()
                .write(one);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufModel.open(one));
        assertEquals("split.count", e.field());
        assertTrue(e.getMessage().contains("its other parts cannot be found"), e.getMessage());
    }

    /**
     * A 5 GiB model of 34 layers, sparse on disk: opens in milliseconds, reads nothing into memory.
     */
    @Test
    void opensAFiveGibSparseModelWithoutReadingIt() throws Exception {
        Path file = dir.resolve("big.gguf");
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(32));
        builder.addSparseTensor("token_embd.weight", GgmlType.F32, new long[] {4096, 8192});
        for (int i = 0; i < 32; i++) {
            builder.addSparseTensor(
                    "blk." + i + ".ffn.weight", GgmlType.F32, new long[] {4096, 9728});
        }
        builder.addSparseTensor("output.weight", GgmlType.F32, new long[] {4096, 8192});
        builder.build().write(file);
        assertTrue(Files.size(file) > 5L << 30);
        long before = ProcStatus.residentBytes();
        long heapBefore = heapUsed();
        long start = System.nanoTime();
        try (GgufModel model = GgufModel.open(file)) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            long grown = ProcStatus.residentBytes() - before;
            System.out.printf(
                    "opened a %d-byte GGUF (%d layers) in %d ms; resident memory grew by %d KiB%n",
                    Files.size(file), model.store().layers().size(), millis, grown / 1024);
            assertEquals(34, model.store().layers().size());
            assertTrue(grown < 64L << 20, "resident memory grew by " + grown);
            assertTrue(heapUsed() - heapBefore < 64L << 20);
            List<Layer> layers = new ArrayList<>(model.store().layers());
            byte[] head = new byte[4096];
            model.store().read(layers.get(33).offset(), head);
            assertArrayEquals(new byte[4096], head);
        }
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
