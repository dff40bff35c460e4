package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.TensorInfo;
import dev.memory64.gguf.GgufModel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** The check that a model read from elsewhere (a URI, a bucket) is the local file's. */
public final class SameModel {

    private SameModel() {}

    /**
     * Opens the GGUF model at {@code uri} through a cache in {@code cache}, read in chunks of 64
     * KiB, each read tried up to {@code attempts} times with a first backoff of a millisecond.
     *
     * @param uri the model's (first part's) URI
     * @param cache the cache directory
     * @param attempts the attempts per read (see {@link RemoteOptions#withRetries})
     * @return the open model
     * @throws IOException if the model does not open
     */
    public static GgufModel openRemote(URI uri, Path cache, int attempts) throws IOException {
        return GgufModel.builder(uri)
                .withCacheDirectory(cache)
                .withRemoteOptions(
                        RemoteOptions.defaults()
                                .withChunkSize(64 << 10)
                                .withRetries(attempts, Duration.ofMillis(1)))
                .open();
    }

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
