package dev.memory64.bench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

class LargeModelTest {

    @Test
    void the405bClassModelIs264GbIn129Tensors() {
        LargeModel model = LargeModel.llama405b();
        GgufWriter writer = model.writer();
        assertEquals(264, Math.round(writer.fileSize() / 1e9));
        assertEquals(2 + 126 * 9 + 1, writer.tensors().size());
        assertTrue(model.sparse());
    }

    @Test
    void realDataModelHoldsAsManyBlocksAsFitTheSizeAsked() {
        LargeModel model = LargeModel.realData(32);
        assertFalse(model.sparse());
        long size = model.writer().fileSize();
        assertTrue(size <= 32_000_000_000L, "size " + size);
        assertTrue(size > 32_000_000_000L - 2_100_000_000L, "size " + size);
    }
}
