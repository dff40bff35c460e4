package dev.memory64.safetensors;

import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The safetensors block of docs/GUIDE.md, between its marker comments (checked by {@code
 * GuideBlocksTest} in memory64-chicory), run by {@link GuideExamplesTest}.
 */
final class GuideExamples {

    private GuideExamples() {}

    /**
     * "Opening a safetensors checkpoint": a sharded checkpoint by its index, the config's block
     * count and a tensor's dims and dtype printed.
     *
     * @param models the directory holding the checkpoint
     */
    static void openingASafetensorsCheckpoint(Path models) throws IOException {
        // guide-example:begin
        Path index = models.resolve("model.safetensors.index.json");
        try (SafetensorsModel model = SafetensorsModel.open(index)) {
            Memory64Store store = model.store();
            ValueLayout.OfLong i64 =
                    ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            MetadataValue blocks = store.metadata().get("config.num_hidden_layers").orElseThrow();
            long count = blocks.encoding().get(i64, 0);
            TensorInfo q = store.tensor("model.layers.0.self_attn.q_proj.weight");
            String dtype = SafetensorsDtype.byTypeId(q.type()).name();
            System.out.println(count + " blocks; q_proj " + q.dims() + " " + dtype);
            // ... Memory64HostFunctions.builder(store).build(), then run guests
        }
        // guide-example:end
    }
}
