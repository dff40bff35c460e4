package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.testkit.Nginx;
import dev.memory64.testkit.Printed;
import dev.memory64.testkit.SmallModels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each core block of docs/GUIDE.md ({@link GuideExamples}) runs and does what the guide says. */
class GuideExamplesTest {

    @Test
    void buildingAStoreReservesSixtyFourGibInTheTemporaryDirectory() throws IOException {
        // The guide says so: the reserved region needs its whole size free in java.io.tmpdir.
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long usable = Files.getFileStore(tmp).getUsableSpace();
        Assumptions.assumeTrue(
                usable > (64L << 30) + (1L << 30),
                "the store example needs 64 GiB free in " + tmp + ", which has " + usable);
        byte[] embeddingBytes = SmallModels.bytes(65536, 7);

        MemoryLayout layout = GuideExamples.buildingAStore(embeddingBytes);

        assertEquals(2, layout.regionCount());
        assertEquals(1L << 30, layout.region("embeddings").size());
        assertEquals(64L << 30, layout.region("layers").size());
        assertEquals(65L << 30, layout.size());
    }

    @Test
    void verifyingChecksEveryPartBeforeOpeningAndDigestsOneFile(@TempDir Path models)
            throws IOException {
        List<Path> parts = twoParts(models);
        assertEquals(
                List.of(
                        models.resolve("m-00001-of-00002.gguf"),
                        models.resolve("m-00002-of-00002.gguf")),
                parts);
        String digest1 = sha256(parts.get(0));
        String digest2 = sha256(parts.get(1));
        List<String> calls = new ArrayList<>();
        GuideExamples.ProgressBar bar =
                (task, done, total) -> calls.add(task + " " + done + "/" + total);

        String digest = GuideExamples.verifyingSha256(models, digest1, digest2, bar, parts.get(1));

        assertEquals(digest2, digest);
        long size1 = Files.size(parts.get(0));
        long size2 = Files.size(parts.get(1));
        // Every part is digested, in turn, before anything is opened.
        assertEquals(
                List.of(
                        "sha256 m-00001-of-00002.gguf 0/" + size1,
                        "sha256 m-00001-of-00002.gguf " + size1 + "/" + size1,
                        "sha256 m-00002-of-00002.gguf 0/" + size2,
                        "sha256 m-00002-of-00002.gguf " + size2 + "/" + size2),
                calls.subList(0, 4));
        assertTrue(calls.size() > 4, "no open progress after the digests: " + calls);
        calls.subList(4, calls.size())
                .forEach(c -> assertTrue(c.startsWith("open "), "after the digests: " + c));

        // A part that does not match its published digest is refused before it is opened.
        String wrong = digest2.substring(1) + (digest2.charAt(0) == '0' ? '1' : '0');
        assertThrows(
                GgufIntegrityException.class,
                () -> GuideExamples.verifyingSha256(models, digest1, wrong, bar, parts.get(1)));
    }

    @Test
    void residencyRunsOnAnOpenModel(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("model.gguf");
        SmallModels.llama(64, 32).build().write(path);
        GuideExamples.residency(path);
    }

    @Test
    void remoteOpenOfAFourPartModelSendsThreeRequestsPerPartEachWithTheToken(@TempDir Path dir)
            throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        List<GgufSplitter.Spec> specs =
                GgufSplitter.blocks(
                        8, "attn_q.weight", new long[] {64}, i -> SmallModels.bytes(256, i));
        List<Path> parts =
                GgufSplitter.byTensors(root, "llama-3-70b-q4_k_m", GgufSplitter.LLAMA, specs, 2);
        assertEquals(4, parts.size());
        Path cacheDirectory = Files.createDirectories(dir.resolve("cache"));
        Path work = dir.resolve("nginx");
        GuideExamples examples = new GuideExamples();
        try (Nginx nginx = Nginx.start(root, work)) {
            examples.remote(nginx.uri(""), cacheDirectory);
        }
        // "three requests per part for a header under 64 KiB, nothing else", and the decorator
        // is called once per request.
        List<String> requests = Files.readAllLines(work.resolve("access.log"));
        assertEquals(12, requests.size(), String.join("\n", requests));
        assertEquals(12, examples.tokens);
        for (Path part : parts) {
            String get = "\"GET /" + part.getFileName() + " HTTP/1.1\" 206 ";
            assertEquals(
                    3,
                    requests.stream().filter(r -> r.contains(get)).count(),
                    "ranged GETs of " + part.getFileName() + " in\n" + String.join("\n", requests));
        }
        // The cache files are unlinked: the directory is empty once the model is closed.
        try (Stream<Path> left = Files.list(cacheDirectory)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void hubOpensAGatedModelWhoseTokenReachesTheHubAndNotTheCdn(@TempDir Path dir)
            throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        SmallModels.llama(64, 32).build().write(root.resolve("llama-q4_k_m.gguf"));
        Path work = dir.resolve("nginx");
        Path cacheDirectory = Files.createDirectories(dir.resolve("cache"));
        try (Nginx nginx = HubNginxTest.hubAndCdn(root, work, List.of("llama-q4_k_m.gguf"))) {
            GuideExamples.hub(
                    URI.create("http://127.0.0.1:" + nginx.port(0)),
                    cacheDirectory,
                    HubNginxTest.TOKEN);
        }
        List<String> hub = Files.readAllLines(work.resolve("hub.log"));
        List<String> cdn = Files.readAllLines(work.resolve("cdn.log"));
        assertFalse(hub.isEmpty());
        assertFalse(cdn.isEmpty());
        assertTrue(
                hub.stream().allMatch(l -> l.contains(HubNginxTest.TOKEN)), String.join("\n", hub));
        assertTrue(
                cdn.stream().noneMatch(l -> l.contains(HubNginxTest.TOKEN)),
                String.join("\n", cdn));
    }

    @Test
    void statsPrintsTheCountersOfTheStore() throws Exception {
        MemoryLayout layout = MemoryLayout.builder().addRegion("w", 65536).build();
        try (Memory64Store store = Memory64Store.allocate(layout)) {
            store.write(0, SmallModels.bytes(100, 1));
            byte[] back = new byte[100];
            store.read(0, back);
            assertArrayEquals(SmallModels.bytes(100, 1), back);
            assertThrows(IndexOutOfBoundsException.class, () -> store.read(65536, back));

            assertEquals(
                    "1 reads, 100 bytes, 1 errors" + System.lineSeparator(),
                    Printed.by(() -> GuideExamples.stats(store)));
        }
    }

    /** A model of four tensors cut into two parts of two, named {@code m-0000K-of-00002.gguf}. */
    private static List<Path> twoParts(Path dir) throws IOException {
        List<GgufSplitter.Spec> specs =
                GgufSplitter.blocks(
                        4, "ffn_up.weight", new long[] {32}, i -> SmallModels.bytes(128, i));
        return GgufSplitter.byTensors(dir, "m", GgufSplitter.LLAMA, specs, 2);
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
