package dev.memory64.chicory;

import static dev.memory64.chicory.Guests.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.Instance;
import dev.memory64.Layer;
import dev.memory64.TensorInfo;
import dev.memory64.gguf.GgufModel;
import dev.memory64.testkit.LayerChecksum;
import dev.memory64.testkit.SmallModels;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A guest finds tensors of a mapped GGUF model by name and reads them as the host sees them. */
class GgufGuestTest {
    @TempDir Path dir;

    /** token_embd, four blocks of a Q8_0 and an F32 tensor, and an F16 output: 40 KiB at most. */
    Path writeModel() throws Exception {
        return SmallModels.write(dir.resolve("tiny.gguf"), 40, 16);
    }

    @Test
    void guestFindsTensorsByNameAndReadsThemAsTheHostDoes() throws Exception {
        try (GgufModel model = GgufModel.open(writeModel())) {
            Memory64HostFunctions functions = Memory64HostFunctions.builder(model.store()).build();
            for (Guests.Mode mode : Guests.modes()) {
                Instance guest =
                        Guests.instantiate(
                                Guests.wat("abi"),
                                functions.toImportValues(),
                                mode,
                                SegmentMemory.factory());
                assertEquals(1, call(guest, "grow", 3)); // 256 KiB
                for (TensorInfo expected : model.store().tensors()) {
                    byte[] name = expected.name().getBytes(StandardCharsets.UTF_8);
                    guest.memory().write(0, name);
                    assertEquals(64, call(guest, "tensor_info", 0, name.length, 512, 64));
                    ByteBuffer record =
                            ByteBuffer.wrap(guest.memory().readBytes(512, 64))
                                    .order(ByteOrder.LITTLE_ENDIAN);
                    int layerId = record.getInt();
                    assertEquals(expected.layerId(), layerId);
                    assertEquals(expected.type(), record.getInt());
                    long offsetInLayer = record.getLong();
                    long size = record.getLong();
                    assertEquals(expected.size(), size);
                    // Load exactly the tensor's bytes out of its layer, by id, into the guest.
                    assertEquals(
                            size,
                            call(guest, "load_layer_range", layerId, offsetInLayer, 1024, size));
                    Layer layer = model.store().layer(layerId);
                    byte[] host = new byte[(int) size];
                    model.store().read(layer.offset() + offsetInLayer, host);
                    byte[] seen = guest.memory().readBytes(1024, (int) size);
                    assertArrayEquals(host, seen, expected.name());
                    assertEquals(
                            LayerChecksum.of(MemorySegment.ofArray(host)),
                            LayerChecksum.of(MemorySegment.ofArray(seen)));
                    // And the layer by its name.
                    String layerName = layer.name();
                    byte[] ln = layerName.getBytes(StandardCharsets.UTF_8);
                    guest.memory().write(0, ln);
                    assertEquals(layerId, call(guest, "layer_find", 0, ln.length));
                }
                assertEquals(-2, call(guest, "layer_find", 0, 0));
                ((SegmentMemory) guest.memory()).close();
            }
        }
    }

    @Test
    void checksumGuestStreamsEveryLayerOfAGgufModelById() throws Exception {
        try (GgufModel model = GgufModel.open(writeModel())) {
            Instance guest =
                    Guests.instantiate(
                            Guests.wat("checksum"),
                            Memory64HostFunctions.builder(model.store())
                                    .withReadAhead(true)
                                    .build()
                                    .toImportValues(),
                            Guests.fastest(),
                            null);
            for (Layer layer : model.store().layers()) {
                assertEquals(
                        HostChecksum.of(model.store(), layer),
                        call(guest, "checksum_layer", layer.id(), 0, 4096),
                        layer.name());
            }
            assertEquals(0, model.store().stats().errors());
        }
    }
}
