package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.RemoteFetchException;
import dev.memory64.TensorInfo;
import dev.memory64.gguf.GgufModel;
import java.lang.foreign.MemorySegment;

/** The check that a model read from elsewhere (a URI, a bucket) is the local file's. */
public final class SameModel {

    private SameModel() {}

    /**
     * Asserts that every layer and tensor of {@code remote} reads as {@code local}'s, byte for
     * byte, and that both have the same metadata keys.
     *
     * @param local the model opened from its file
     * @param remote the same model opened from elsewhere
     * @throws Memory64Exception if a read fails
     */
    public static void assertSameModel(GgufModel local, GgufModel remote) throws Memory64Exception {
        Memory64Store l = local.store();
        Memory64Store r = remote.store();
        assertEquals(l.layers(), r.layers());
        assertEquals(l.tensors(), r.tensors());
        assertEquals(local.file().metadata().keySet(), remote.file().metadata().keySet());
        for (Layer layer : l.layers()) {
            byte[] expected = new byte[(int) layer.size()];
            byte[] got = new byte[(int) layer.size()];
            l.readLayer(layer.id(), 0, MemorySegment.ofArray(expected));
            r.readLayer(layer.id(), 0, MemorySegment.ofArray(got));
            assertArrayEquals(expected, got, layer.name());
        }
        for (TensorInfo t : l.tensors()) {
            assertEquals(t, r.tensor(t.name()));
        }
    }

    /**
     * Asserts that reading the last layer of {@code remote}, not read before, fails because the
     * object behind it was replaced since it was opened.
     *
     * @param remote a model opened from a URI whose object has since changed
     * @return the failure, for the checks a test adds
     */
    public static RemoteFetchException assertLastLayerChanged(GgufModel remote) {
        Memory64Store store = remote.store();
        Layer last = store.layers().getLast();
        byte[] into = new byte[(int) last.size()];
        RemoteFetchException e =
                assertThrows(
                        RemoteFetchException.class,
                        () -> store.readLayer(last.id(), 0, MemorySegment.ofArray(into)));
        assertTrue(e.getMessage().contains("changed since it was opened"), e.getMessage());
        return e;
    }
}
