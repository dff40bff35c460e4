package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors checkpoints open into stores: layers, tensors, bytes and metadata. */
class SafetensorsModelTest {
    @TempDir Path dir;

    /** Every tensor of at least one byte is in the store, with its bytes, dtype and dims. */
    static void assertHolds(List<Checkpoints.Tensor> tensors, Memory64Store store)
            throws dev.memory64.Memory64Exception {
        int registered = 0;
        for (Checkpoints.Tensor t : tensors) {
            TensorInfo info = store.tensor(t.name());
            if (t.bytes().length == 0) {
                assertNull(info, t.name() + " holds no byte: not in the table");
                continue;
            }
            registered++;
            assertEquals(t.dtype().typeId(), info.type(), t.name());
            assertEquals(t.bytes().length, info.size(), t.name());
            assertEquals(SafetensorsNaming.dims(boxed(t.shape())), info.dims(), t.name());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment into = arena.allocate(info.size());
                store.readLayer(info.layerId(), info.offsetInLayer(), into);
                assertArrayEquals(t.bytes(), into.toArray(ValueLayout.JAVA_BYTE), t.name());
            }
        }
        assertEquals(registered, store.tensors().size());
    }

    static List<Long> boxed(long[] shape) {
        List<Long> out = new ArrayList<>();
        for (long d : shape) {
            out.add(d);
        }
        return out;
    }

    @Test
    void opensASingleFileWithHuggingFaceLayersTensorsAndBytes() throws Exception {
        List<Checkpoints.Tensor> tensors = Checkpoints.llama(2);
        Path file = Checkpoints.single(dir, tensors);
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            Memory64Store store = model.store();
            assertHolds(tensors, store);
            List<String> names = new ArrayList<>();
            for (Layer layer : store.layers()) {
                names.add(layer.id() + " " + layer.name() + " " + layer.kind());
            }
            assertEquals(
                    List.of(
                            "0 model.embed_tokens embeddings",
                            "1 model.layers.0 block",
                            "2 model.layers.1 block",
                            "3 model.norm norm",
                            "4 lm_head head",
                            "5 model.rotary_emb other",
                            "6 extra other"),
                    names);
            // A block is its tensors, together in the file: one extent.
            assertEquals(1, store.layers().get(1).extents().size());
            assertEquals(List.of(file), model.paths());
            assertEquals(1, model.parts().size());
            assertEquals(tensors.size(), model.parts().get(0).tensors().size());
            assertTrue(model.toString().contains("7 layers"), model.toString());
        }
    }

    @Test
    void shapesBecomeDimsInnermostFirstAndFoldPastFour() {
        assertEquals(List.of(1L), SafetensorsNaming.dims(List.of()));
        assertEquals(List.of(16L, 37L), SafetensorsNaming.dims(List.of(37L, 16L)));
        assertEquals(List.of(7L, 5L, 1L, 6L), SafetensorsNaming.dims(List.of(2L, 3L, 1L, 5L, 7L)));
    }

    @Test
    void opensAShardedCheckpointByItsIndexByAnyShardAndByEveryShard() throws Exception {
        List<Checkpoints.Tensor> tensors = Checkpoints.llama(3);
        List<Path> shards = Checkpoints.writer(tensors).writeSharded(dir, "model", 4);
        assertEquals("model-00002-of-00004.safetensors", shards.get(1).getFileName().toString());
        Path index = dir.resolve("model.safetensors.index.json");
        List<List<Path>> ways =
                List.of(
                        List.of(index),
                        List.of(shards.get(2)),
                        List.of(shards.get(3), shards.get(0), shards.get(2), shards.get(1)));
        List<String> dones = new ArrayList<>();
        for (List<Path> given : ways) {
            try (SafetensorsModel model =
                    SafetensorsModel.open(
                            given, (what, done, total) -> dones.add(done + "/" + total))) {
                assertEquals(shards, model.paths());
                assertHolds(tensors, model.store());
                assertEquals(4, model.store().layout().regions().size());
                assertEquals("part-00001-of-00004", model.store().layout().region(0).name());
            }
        }
        assertEquals(List.of("1/4", "2/4", "3/4", "4/4"), dones.subList(0, 4));
    }

    @Test
    void theStoreMetadataHoldsTheHeadersMetadataAndTheConfigBesideIt() throws Exception {
        Path file = Checkpoints.single(dir, Checkpoints.llama(1));
        Files.writeString(dir.resolve("config.json"), Checkpoints.CONFIG);
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            ModelMetadata m = model.store().metadata();
            assertEquals("pt", string(m, "safetensors.metadata.format"));
            assertEquals(16L, i64(m, "config.hidden_size"));
            assertEquals(2L, i64(m, "config.num_hidden_layers"));
            assertEquals(1e-5, f64(m, "config.rms_norm_eps"));
            assertEquals(10000.0, f64(m, "config.rope_theta"));
            assertEquals(8.0, f64(m, "config.rope_scaling.factor"));
            assertEquals(1L, i64(m, "config.rope_scaling.low_freq_factor"));
            assertEquals("llama3", string(m, "config.rope_scaling.rope_type"));
            assertEquals("bfloat16", string(m, "config.torch_dtype"));
            MetadataValue bool = m.get("config.tie_word_embeddings").orElseThrow();
            assertEquals(MetadataValue.BOOL, bool.type());
            assertEquals(0, bool.encoding().get(ValueLayout.JAVA_BYTE, 0));
            MetadataValue eos = m.get("config.eos_token_id").orElseThrow();
            assertEquals(MetadataValue.ARRAY, eos.type());
            assertEquals(MetadataValue.INT64, eos.elementType());
            assertEquals(3, eos.count());
            assertEquals(128008L, eos.encoding().get(LE_LONG, 8));
            MetadataValue ratios = m.get("config.ratios").orElseThrow();
            assertEquals(MetadataValue.FLOAT64, ratios.elementType());
            assertEquals(2.5, Double.longBitsToDouble(ratios.encoding().get(LE_LONG, 8)));
            MetadataValue flags = m.get("config.flags").orElseThrow();
            assertEquals(MetadataValue.BOOL, flags.elementType());
            MetadataValue arch = m.get("config.architectures").orElseThrow();
            assertEquals(MetadataValue.STRING, arch.elementType());
            assertFalse(m.get("config.mixed").isPresent(), "a mixed array is skipped");
            assertFalse(m.get("config.nothing").isPresent(), "null is skipped");
        }
        Files.delete(dir.resolve("config.json"));
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            assertEquals(
                    List.of("safetensors.metadata.format"),
                    List.copyOf(model.store().metadata().keys()));
        }
    }

    @Test
    void metadataAddedByTheBuilderFollowsTheConfigAndReplacesItsKeys() throws Exception {
        Path file = Checkpoints.single(dir, Checkpoints.llama(1));
        Files.writeString(dir.resolve("config.json"), Checkpoints.CONFIG);
        try (SafetensorsModel model =
                SafetensorsModel.builder(file)
                        .withMetadata(
                                ModelMetadata.builder()
                                        .put("tokenizer.ggml.model", MetadataValue.ofString("x"))
                                        .put("config.hidden_size", MetadataValue.ofString("y"))
                                        .build())
                        .withMetadata(
                                ModelMetadata.builder()
                                        .put(
                                                "tokenizer.ggml.model",
                                                MetadataValue.ofString("llama"))
                                        .build())
                        .open()) {
            ModelMetadata m = model.store().metadata();
            List<String> keys = List.copyOf(m.keys());
            assertEquals("safetensors.metadata.format", keys.get(0));
            assertEquals("tokenizer.ggml.model", keys.get(keys.size() - 1));
            assertEquals("llama", string(m, "tokenizer.ggml.model"));
            assertEquals("y", string(m, "config.hidden_size"));
            assertEquals(2L, i64(m, "config.num_hidden_layers"));
        }
        Files.delete(dir.resolve("config.json"));
        try (SafetensorsModel model =
                SafetensorsModel.builder(file)
                        .withMetadata(
                                ModelMetadata.builder()
                                        .put("general.name", MetadataValue.ofString("z"))
                                        .build())
                        .open()) {
            assertEquals(
                    List.of("safetensors.metadata.format", "general.name"),
                    List.copyOf(model.store().metadata().keys()));
        }
    }

    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static String string(ModelMetadata m, String key) {
        MetadataValue v = m.get(key).orElseThrow(() -> new AssertionError("no " + key));
        assertEquals(MetadataValue.STRING, v.type(), key);
        return new String(v.encoding().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static long i64(ModelMetadata m, String key) {
        MetadataValue v = m.get(key).orElseThrow(() -> new AssertionError("no " + key));
        assertEquals(MetadataValue.INT64, v.type(), key);
        return v.encoding().get(LE_LONG, 0);
    }

    private static double f64(ModelMetadata m, String key) {
        MetadataValue v = m.get(key).orElseThrow(() -> new AssertionError("no " + key));
        assertEquals(MetadataValue.FLOAT64, v.type(), key);
        return Double.longBitsToDouble(v.encoding().get(LE_LONG, 0));
    }

    @Test
    void everyDtypeOfTheReferenceRoundTripsAndHasItsNumber() throws Exception {
        SafetensorsWriter writer = SafetensorsWriter.create();
        List<Checkpoints.Tensor> tensors = new ArrayList<>();
        int seed = 1;
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            Checkpoints.Tensor t = Checkpoints.tensor(seed++, "t." + dtype, dtype, 3, 8);
            tensors.add(t);
            writer.add(t.name(), dtype, t.shape(), MemorySegment.ofArray(t.bytes()));
            assertEquals(dtype, SafetensorsDtype.byName(dtype.name()));
            assertEquals(dtype, SafetensorsDtype.byTypeId(dtype.typeId()));
            assertEquals(24L * dtype.bits() / 8, dtype.byteSize(24));
        }
        assertEquals(20, SafetensorsDtype.values().length);
        assertEquals(0, SafetensorsDtype.F32.typeId());
        assertEquals(1, SafetensorsDtype.F16.typeId());
        assertEquals(30, SafetensorsDtype.BF16.typeId());
        assertEquals(-1, SafetensorsDtype.F6_E2M3.byteSize(3));
        Path file = dir.resolve("all.safetensors");
        writer.write(file);
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            assertHolds(tensors, model.store());
            for (SafetensorsTensor t : model.parts().get(0).tensors()) {
                assertEquals("t." + t.dtype(), t.name());
                assertEquals(List.of(3L, 8L), t.shape());
            }
        }
    }

    @Test
    void aNameOutsideTheRuleFallsBackToItsModuleAndABadBlockNumberIsRefused() throws Exception {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.create()
                .addZeros("transformer.h.0.attn.weight", SafetensorsDtype.F32, 4)
                .addZeros("transformer.h.0.attn.bias", SafetensorsDtype.F32, 4)
                .addZeros("bare", SafetensorsDtype.F32, 4)
                .addZeros(" .blank_module", SafetensorsDtype.F32, 4)
                .write(file);
        try (SafetensorsModel model = SafetensorsModel.open(file)) {
            assertEquals(
                    List.of("transformer.h.0.attn", "bare", " .blank_module"),
                    model.store().layers().stream().map(Layer::name).toList());
        }
        SafetensorsWriter.create()
                .addZeros("model.layers.01.x", SafetensorsDtype.F32, 4)
                .write(file);
        SafetensorsFormatException e =
                assertThrows(SafetensorsFormatException.class, () -> SafetensorsModel.open(file));
        assertEquals("layer_name", e.rule());
        assertEquals("model.layers.01.x", e.tensor());
        assertEquals("m.safetensors", e.file());
        SafetensorsWriter.create().addZeros(" ", SafetensorsDtype.F32, 4).write(file);
        e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsModel.open(file));
        assertEquals("layer_name", e.rule());
        assertEquals(" ", e.tensor());
    }

    @Test
    void theWriterRefusesWhatTheFormatCannotHold() {
        SafetensorsWriter w = SafetensorsWriter.create().addZeros("a", SafetensorsDtype.F32, 2);
        assertThrows(
                IllegalArgumentException.class, () -> w.addZeros("a", SafetensorsDtype.F32, 2));
        assertThrows(IllegalArgumentException.class, () -> w.addZeros("b", SafetensorsDtype.F4, 3));
        assertThrows(
                IllegalArgumentException.class, () -> w.addZeros("c", SafetensorsDtype.F32, -1));
        assertThrows(
                IllegalArgumentException.class,
                () -> w.addZeros("__metadata__", SafetensorsDtype.F32, 1));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        w.add(
                                "d",
                                SafetensorsDtype.F32,
                                new long[] {2},
                                MemorySegment.ofArray(new byte[4])));
        assertThrows(IllegalArgumentException.class, () -> w.writeSharded(dir, "m", 2));
    }
}
