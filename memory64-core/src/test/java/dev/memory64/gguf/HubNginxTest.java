package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.HuggingFaceHub;
import dev.memory64.Layer;
import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteIdentity;
import dev.memory64.testkit.LayerChecksum;
import dev.memory64.testkit.Nginx;
import dev.memory64.testkit.SameModel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hf://} against nginx configured as the Hugging Face Hub and its CDN on two loopback ports:
 * the Hub answers {@code resolve} with a 302 to the CDN and {@code X-Linked-Etag}/{@code
 * X-Linked-Size}, and asks a bearer token for the gated repository (401 without); the CDN serves
 * ranges. Both log the {@code Authorization} header each request carried.
 */
class HubNginxTest {
    static final String TOKEN = "hf_testtoken0123456789";

    @TempDir Path root;
    @TempDir Path work;
    @TempDir Path cache;

    private Nginx start(List<String> files) throws IOException {
        return hubAndCdn(root, work, files);
    }

    /**
     * nginx as the Hub (port 0) and its CDN (port 1) serving {@code files} of {@code root}: {@code
     * /acme/REPO/resolve/REV/FILE} answers 302 to the CDN with {@code X-Linked-Etag} {@code
     * "sha-FILE"} and {@code X-Linked-Size}; the repositories {@code gated} and {@code llama-gguf}
     * answer 401 without {@code Authorization: Bearer }{@link #TOKEN}; any other path 404. Both log
     * each request's {@code Authorization} to {@code hub.log} and {@code cdn.log} in {@code work}.
     */
    static Nginx hubAndCdn(Path root, Path work, List<String> files) throws IOException {
        return Nginx.start(
                work,
                2,
                ports -> {
                    StringBuilder etags = new StringBuilder();
                    StringBuilder sizes = new StringBuilder();
                    for (String f : files) {
                        etags.append("    ~/")
                                .append(f)
                                .append("$ \"\\\"sha-")
                                .append(f)
                                .append("\\\"\";\n");
                        try {
                            sizes.append("    ~/")
                                    .append(f)
                                    .append("$ ")
                                    .append(Files.size(root.resolve(f)))
                                    .append(";\n");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    String cdn = "http://127.0.0.1:" + ports.get(1) + "/blobs/";
                    return String.join(
                            "\n",
                            "  log_format auth '$server_port $request_method $uri"
                                    + " auth=\"$http_authorization\"';",
                            "  map $uri $linked_etag {\n    default \"\";\n" + etags + "  }",
                            "  map $uri $linked_size {\n    default \"\";\n" + sizes + "  }",
                            "  server {",
                            "    listen 127.0.0.1:" + ports.get(0) + ";",
                            "    access_log " + work.resolve("hub.log") + " auth;",
                            "    location ~ ^/acme/open/resolve/[^/]+/(.+)$ {",
                            "      add_header X-Linked-Etag $linked_etag always;",
                            "      add_header X-Linked-Size $linked_size always;",
                            "      return 302 " + cdn + "$1;",
                            "    }",
                            "    location ~ ^/acme/(gated|llama-gguf)/resolve/[^/]+/(.+)$ {",
                            "      if ($http_authorization != \"Bearer "
                                    + TOKEN
                                    + "\") { return 401; }",
                            "      add_header X-Linked-Etag $linked_etag always;",
                            "      add_header X-Linked-Size $linked_size always;",
                            "      return 302 " + cdn + "$2;",
                            "    }",
                            "    location / { return 404; }",
                            "  }",
                            "  server {",
                            "    listen 127.0.0.1:" + ports.get(1) + ";",
                            "    access_log " + work.resolve("cdn.log") + " auth;",
                            "    location /blobs/ { alias " + root + "/; }",
                            "  }");
                });
    }

    private static HuggingFaceHub hub(Nginx nginx, String token) {
        return new HuggingFaceHub(URI.create("http://127.0.0.1:" + nginx.port(0)), token);
    }

    private GgufModel open(HuggingFaceHub hub, String uri) throws IOException {
        return GgufModel.builder(URI.create(uri))
                .withCacheDirectory(cache)
                .withRemoteOptions(NginxRemoteTest.fast().withTransport(hub))
                .open();
    }

    /** Each layer's checksum, as the guests compute it, read through the store. */
    private static List<Long> checksums(GgufModel model) throws IOException {
        List<Long> sums = new ArrayList<>();
        for (Layer layer : model.store().layers()) {
            byte[] bytes = new byte[(int) layer.size()];
            model.store().readLayer(layer.id(), 0, MemorySegment.ofArray(bytes));
            LayerChecksum sum = new LayerChecksum();
            sum.write(0, MemorySegment.ofArray(bytes));
            sums.add(sum.value());
        }
        return sums;
    }

    private List<String> log(String name) throws IOException {
        Path file = work.resolve(name);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void aGatedModelOpensWithItsTokenWhichNeverReachesTheCdn() throws Exception {
        NginxRemoteTest.bigger().build().write(root.resolve("m.gguf"));
        try (Nginx nginx = start(List.of("m.gguf"));
                GgufModel local = GgufModel.open(root.resolve("m.gguf"));
                GgufModel remote = open(hub(nginx, TOKEN), "hf://acme/gated/m.gguf")) {
            assertEquals(List.of(URI.create("hf://acme/gated/m.gguf")), remote.uris());
            assertEquals(checksums(local), checksums(remote));
            SameModel.assertSameModel(local, remote);
            assertEquals(0, remote.store().stats().errors());
        }
        List<String> hub = log("hub.log");
        List<String> cdn = log("cdn.log");
        assertFalse(hub.isEmpty());
        assertTrue(cdn.size() > 2, "the ranges came from the CDN: " + cdn);
        for (String line : hub) {
            assertTrue(line.contains("auth=\"Bearer " + TOKEN + "\""), line);
        }
        for (String line : cdn) {
            assertTrue(line.contains("auth=\"-\""), "the token reached the CDN: " + line);
            assertFalse(line.contains(TOKEN), line);
        }
    }

    @Test
    void theIdentityIsTheHubsLinkedEtagAndASplitSetOpensByAnyPart() throws Exception {
        List<Path> parts = NginxRemoteTest.splitSet(root);
        List<String> names = new ArrayList<>();
        parts.forEach(p -> names.add(p.getFileName().toString()));
        try (Nginx nginx = start(names);
                GgufModel local = GgufModel.open(parts.get(0));
                GgufModel remote = open(hub(nginx, null), "hf://acme/open/" + names.get(1))) {
            assertEquals(3, remote.uris().size());
            assertEquals(URI.create("hf://acme/open/" + names.get(0)), remote.uris().get(0));
            assertEquals(checksums(local), checksums(remote));
            // The identity pinned is the Hub's, not the CDN's ETag.
            RemoteIdentity pinned =
                    ((dev.memory64.RegionBacking.Remote) remote.store().backing(0))
                            .options()
                            .expected();
            assertEquals("\"sha-" + names.get(0) + "\"", pinned.etag());
            assertEquals(Files.size(parts.get(0)), pinned.size());
        }
        for (String line : log("hub.log")) {
            assertTrue(line.contains("auth=\"-\""), line);
        }
    }

    @Test
    void aGatedFileWithoutATokenIsRefusedNamingTheStatus() throws Exception {
        NginxRemoteTest.bigger().build().write(root.resolve("m.gguf"));
        try (Nginx nginx = start(List.of("m.gguf"))) {
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class,
                            () -> open(hub(nginx, null), "hf://acme/gated/m.gguf"));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains("hf://acme/gated/m.gguf"), e.getMessage());
            assertTrue(e.getMessage().contains("401"), e.getMessage());
            assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
            e =
                    assertThrows(
                            RemoteFetchException.class,
                            () -> open(hub(nginx, "hf_wrong"), "hf://acme/gated/m.gguf"));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains("not accepted"), e.getMessage());
            e =
                    assertThrows(
                            RemoteFetchException.class,
                            () -> open(hub(nginx, null), "hf://acme/absent/m.gguf"));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("hf://acme/absent/m.gguf"), e.getMessage());
        }
        assertEquals(List.of(), log("cdn.log"), "a refused resolve sends nothing to the CDN");
    }

    @Test
    void aCdnObjectThatChangesAfterOpenIsRefusedAsChanged() throws Exception {
        Path file = root.resolve("m.gguf");
        NginxRemoteTest.bigger().build().write(file);
        try (Nginx nginx = start(List.of("m.gguf"));
                GgufModel remote = open(hub(nginx, TOKEN), "hf://acme/gated/m.gguf")) {
            remote.store().readLayer(0, 0, MemorySegment.ofArray(new byte[16]));
            // Same size, same linked ETag at the Hub, another ETag at the CDN (a newer mtime).
            Path next = root.resolve("next.gguf");
            Files.copy(file, next);
            Files.setLastModifiedTime(
                    next, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 10_000));
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
            RemoteFetchException e = SameModel.assertLastLayerChanged(remote);
            assertTrue(e.getMessage().contains("hf://acme/gated/m.gguf"), e.getMessage());
        }
    }
}
