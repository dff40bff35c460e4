package dev.memory64.gguf;

import static dev.memory64.testkit.SameModel.assertSameModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.testkit.Nginx;
import dev.memory64.testkit.SmallModels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF models served by a real nginx on the loopback, opened by URI, checked against the file. */
class NginxRemoteTest {
    @TempDir Path root;
    @TempDir Path work;
    @TempDir Path cache;

    static RemoteOptions fast() {
        return RemoteOptions.defaults()
                .withChunkSize(64 << 10)
                .withRetries(3, Duration.ofMillis(1))
                .withRequestTimeout(Duration.ofSeconds(20));
    }

    GgufModel openRemote(Nginx nginx, String name) throws IOException {
        return GgufModel.builder(nginx.uri(name))
                .withCacheDirectory(cache)
                .withRemoteOptions(fast())
                .open();
    }

    static GgufWriter.Builder bigger() {
        return SmallModels.llama(300, 256);
    }

    @Test
    void aSmallRealModelAndABiggerOneReadAsTheirFiles() throws Exception {
        TestModels.rich().build().write(root.resolve("rich.gguf"));
        bigger().build().write(root.resolve("bigger.gguf"));
        try (Nginx nginx = Nginx.start(root, work)) {
            for (String name : List.of("rich.gguf", "bigger.gguf")) {
                try (GgufModel local = GgufModel.open(root.resolve(name));
                        GgufModel remote = openRemote(nginx, name)) {
                    assertTrue(remote.store().backing(0) instanceof RegionBacking.Remote);
                    assertEquals(List.of(nginx.uri(name)), remote.uris());
                    assertEquals(List.of(), remote.paths());
                    assertSameModel(local, remote);
                    assertEquals(0, remote.store().stats().errors());
                }
            }
        }
    }

    /** A split model of three parts, {@code split-0000K-of-00003.gguf}, written to {@code root}. */
    static List<Path> splitSet(Path root) throws IOException {
        List<GgufSplitter.Spec> specs =
                GgufSplitter.blocks(
                        6,
                        "ffn_up.weight",
                        new long[] {1024, 40},
                        i -> TestModels.data(1024 * 40 * 4, i));
        List<Path> parts = GgufSplitter.byTensors(root, "split", GgufSplitter.LLAMA, specs, 2);
        assertEquals(3, parts.size());
        return parts;
    }

    @Test
    void aSplitModelOpensFromItsFirstPartsUri() throws Exception {
        List<Path> parts = splitSet(root);
        List<String> progress = new ArrayList<>();
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel local = GgufModel.open(parts.get(0));
                GgufModel remote =
                        GgufModel.builder(nginx.uri(parts.get(1).getFileName().toString()))
                                .withCacheDirectory(cache)
                                .withRemoteOptions(fast())
                                .withProgressListener(
                                        (task, done, total) ->
                                                progress.add(task + " " + done + "/" + total))
                                .open()) {
            assertEquals(3, remote.uris().size());
            assertEquals(nginx.uri(parts.get(0).getFileName().toString()), remote.uris().get(0));
            assertSameModel(local, remote);
        }
        // One report per part, of all three, in the order the parts were found, as for files.
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add("open " + parts.get(i).getFileName() + " " + (i + 1) + "/3");
        }
        assertEquals(expected, progress);
    }

    @Test
    void aSixGibSparseModelReadsPastFourGib() throws Exception {
        Path file = root.resolve("six-gib.gguf");
        TestModels.sparseLlama(10).write(file);
        assertTrue(Files.size(file) >= 6L << 30);
        // Real bytes at the ends of the last layer, past 4 GiB, so that the check can fail.
        GgufFile header = GgufFile.read(file);
        GgufLayer last = header.layers().get(header.layers().size() - 1);
        byte[] mark = TestModels.data(4096, 77);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(mark), last.fileOffset());
            channel.write(ByteBuffer.wrap(mark), last.fileEnd() - mark.length);
        }
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel remote = openRemote(nginx, "six-gib.gguf")) {
            Layer layer = remote.store().layer(last.id());
            assertTrue(layer.offset() > 4L << 30);
            byte[] head = new byte[mark.length];
            byte[] tail = new byte[mark.length];
            remote.store().readLayer(layer.id(), 0, MemorySegment.ofArray(head));
            remote.store()
                    .readLayer(layer.id(), layer.size() - mark.length, MemorySegment.ofArray(tail));
            assertArrayEquals(mark, head);
            assertArrayEquals(mark, tail);
            byte[] zeros = new byte[4096];
            remote.store().readLayer(layer.id(), 1 << 20, MemorySegment.ofArray(zeros));
            assertArrayEquals(new byte[4096], zeros);
        }
    }

    private static Layer lastLayer(GgufModel model) {
        return model.store().layers().get(model.store().layers().size() - 1);
    }

    /** Reading the layer into {@code into} fails with a fetch error. */
    private static RemoteFetchException readFails(GgufModel remote, Layer layer, byte[] into) {
        return assertThrows(
                RemoteFetchException.class,
                () -> remote.store().readLayer(layer.id(), 0, MemorySegment.ofArray(into)));
    }

    @Test
    void aStoppedServerFailsTheLoadAndARestartedOneServesIt() throws Exception {
        bigger().build().write(root.resolve("m.gguf"));
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel local = GgufModel.open(root.resolve("m.gguf"));
                GgufModel remote = openRemote(nginx, "m.gguf")) {
            Layer first = remote.store().layer(0);
            byte[] got = new byte[(int) first.size()];
            remote.store().readLayer(first.id(), 0, MemorySegment.ofArray(got));
            nginx.stop();
            Layer output = lastLayer(remote);
            byte[] untouched = new byte[(int) output.size()];
            RemoteFetchException e = readFails(remote, output, untouched);
            assertEquals(RemoteFetchException.NO_STATUS, e.status());
            assertTrue(e.getMessage().contains(nginx.uri("m.gguf").toString()), e.getMessage());
            assertArrayEquals(new byte[untouched.length], untouched);
            // What was fetched before the server stopped is served from the cache.
            remote.store().readLayer(first.id(), 0, MemorySegment.ofArray(got));
            nginx.restart();
            assertSameModel(local, remote);
        }
    }

    @Test
    void aReplacedFileIsAnIdentityError() throws Exception {
        Path file = root.resolve("m.gguf");
        bigger().build().write(file);
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel remote = openRemote(nginx, "m.gguf")) {
            remote.store().readLayer(0, 0, MemorySegment.ofArray(new byte[16]));
            Path next = root.resolve("next.gguf");
            bigger().addMetadata("general.name", GgufValue.string("v2")).build().write(next);
            Files.setLastModifiedTime(
                    next, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 10_000));
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Layer output = lastLayer(remote);
            RemoteFetchException e = readFails(remote, output, new byte[16]);
            assertTrue(e.getMessage().contains("changed since it was opened"), e.getMessage());
        }
    }

    @Test
    void aServerWithoutRangesAndAMissingFileAreRefusedAtOpen() throws Exception {
        bigger().build().write(root.resolve("m.gguf"));
        try (Nginx nginx = Nginx.start(root, work)) {
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class,
                            () ->
                                    GgufModel.builder(nginx.uriWithoutRanges("m.gguf"))
                                            .withCacheDirectory(cache)
                                            .withRemoteOptions(fast())
                                            .open());
            assertEquals(200, e.status());
            assertTrue(e.getMessage().contains("ignores range requests"), e.getMessage());
            e = assertThrows(RemoteFetchException.class, () -> openRemote(nginx, "absent.gguf"));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains(nginx.uri("absent.gguf").toString()));
        }
    }
}
