package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.testkit.MemoryTransport;
import dev.memory64.testkit.RangeServer;
import dev.memory64.testkit.SameModel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A GGUF model opened from a URI on the in-process server: the same model as the file. */
class RemoteGgufModelTest {
    @TempDir Path dir;

    /** The nginx tests' richer model (metadata of every type, several layers) in {@code dir}. */
    private Path richModel() throws Exception {
        Path file = dir.resolve("rich.gguf");
        NginxRemoteTest.bigger().build().write(file);
        return file;
    }

    @Test
    void opensAModelByUriAsTheFileAndRefusesWhatOnlyFilesHave() throws Exception {
        Path file = richModel();
        Path cache = Files.createDirectory(dir.resolve("cache"));
        try (RangeServer server = new RangeServer(Files.readAllBytes(file));
                GgufModel local = GgufModel.open(file);
                GgufModel remote = SameModel.openRemote(server.uri(), cache, 2)) {
            SameModel.assertSameModel(local, remote);
            assertEquals(List.of(server.uri()), remote.uris());
            assertTrue(remote.toString().contains(server.uri().toString()), remote.toString());
            assertThrows(
                    UnsupportedOperationException.class,
                    () -> remote.verify(Map.of(), dev.memory64.ProgressListener.NONE));
        }
    }

    @Test
    void anOpenSendsTheHeaderReadsBetweenTwoIdentityProbesAndNothingElse() throws Exception {
        try (RangeServer server = new RangeServer(Files.readAllBytes(richModel()));
                GgufModel remote = GgufModel.builder(server.uri()).withCacheDirectory(dir).open()) {
            // docs/GUIDE.md, "Opening": a 1-byte probe pins the version, the header is read in
            // ranges (64 KiB first), and the region's own probe checks it is still that version.
            assertEquals(List.of(server.uri()), remote.uris());
            assertEquals(List.of("bytes=0-0", "bytes=0-65535", "bytes=0-0"), server.ranges);
        }
    }

    @Test
    void aUriThatIsNotHttpIsRefusedNamingIt() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GgufModel.open(URI.create("ftp://example.org/m.gguf")));
        assertTrue(e.getMessage().contains("ftp://example.org/m.gguf"), e.getMessage());
    }

    @Test
    void aServerThatFailsThroughEveryAttemptFailsTheOpen() throws Exception {
        try (RangeServer server = new RangeServer(new byte[1024])) {
            server.faults.addAll(List.of(503, 503));
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class,
                            () ->
                                    GgufModel.builder(server.uri())
                                            .withCacheDirectory(dir)
                                            .withRemoteOptions(
                                                    RemoteOptions.defaults()
                                                            .withRetries(2, Duration.ofMillis(1)))
                                            .open());
            assertEquals(503, e.status());
            assertEquals(0, e.offset());
        }
    }

    @Test
    void aSplitModelOpensByAnyPartThroughAnotherTransport() throws Exception {
        List<GgufSplitter.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(GgufSplitter.f32("blk." + i + ".ffn_up.weight", TestModels.data(4096, i)));
        }
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        metadata.put("general.architecture", GgufValue.string("llama"));
        List<Path> parts = GgufSplitter.byTensors(dir, "split", metadata, specs, 2);
        MemoryTransport transport = new MemoryTransport();
        for (Path part : parts) {
            transport.put(
                    URI.create("mem://bucket/models/" + part.getFileName()),
                    Files.readAllBytes(part));
        }
        Path cache = Files.createDirectory(dir.resolve("cache"));
        try (GgufModel local = GgufModel.open(parts.get(0));
                GgufModel remote =
                        GgufModel.builder(
                                        URI.create(
                                                "mem://bucket/models/"
                                                        + parts.get(2).getFileName()))
                                .withCacheDirectory(cache)
                                .withRemoteOptions(
                                        RemoteOptions.defaults()
                                                .withChunkSize(64 << 10)
                                                .withTransport(transport))
                                .open()) {
            assertEquals(
                    URI.create("mem://bucket/models/" + parts.get(0).getFileName()),
                    remote.uris().get(0));
            assertEquals(3, remote.uris().size());
            SameModel.assertSameModel(local, remote);
        }
    }
}
