package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgmlType;
import dev.memory64.safetensors.SafetensorsDtype;
import dev.memory64.testkit.Nginx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stories260K as a Hugging Face checkpoint served by nginx, run through {@link
 * Llama#builder(URI...)} by its file's URI and by its index's: the config and tokenizer read beside
 * it, the weights read by range, the same text as run.c prints; a checkpoint served without its
 * tokenizer or config is refused naming the URI read, before anything runs.
 */
class HfRemoteCheckpointTest {
    @TempDir Path root;
    @TempDir Path work;

    /** stories260K converted into {@code root/name} at F32. */
    private Path checkpoint(String name) throws IOException {
        Path directory = root.resolve(name);
        HfCheckpointConverter.convert(
                SharedModels.require("stories260K.bin"),
                SharedModels.require("tok512.bin"),
                directory,
                SafetensorsDtype.F32);
        return directory;
    }

    private static String generate(URI uri) throws IOException {
        try (Llama llama = Llama.builder(uri).open()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            llama.generate(
                    LlamaTest.PROMPT,
                    GenerationOptions.greedy(256),
                    (token, piece) -> out.writeBytes(piece));
            out.write('\n');
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCheckpointByUriWritesWhatRunCPrints() throws IOException {
        Path single = checkpoint("single");
        HfCheckpointTest.reshard(
                single.resolve("model.safetensors"),
                Files.createDirectories(root.resolve("sharded")),
                3);
        byte[] expected =
                Files.readAllBytes(
                        SharedModels.require("expected/greedy-256-once-upon-a-time-a-dog.txt"));
        try (Nginx nginx = Nginx.start(root, work)) {
            for (URI uri :
                    new URI[] {
                        nginx.uri("single/model.safetensors"),
                        nginx.uri("sharded/model.safetensors.index.json")
                    }) {
                String text = generate(uri);
                assertArrayEquals(
                        expected, text.getBytes(StandardCharsets.UTF_8), uri + ": " + text);
            }
        }
        String log = Files.readString(work.resolve("access.log"));
        assertTrue(log.contains("GET /single/tokenizer.json"), log);
        assertTrue(log.contains("GET /sharded/model-00002-of-00003.safetensors"), log);
    }

    /**
     * The builder's remote options reach every read of the checkpoint (a 64 KiB chunk: no answer
     * for its tensors is larger, where the default 4 MiB reads the 1 MB file in one), and its cache
     * directory reaches the parts' caches (a missing one is refused naming it), as a GGUF model's
     * by URI.
     */
    @Test
    void theBuildersRemoteOptionsAndCacheDirectoryReachTheCheckpoint(@TempDir Path cache)
            throws IOException {
        checkpoint("single");
        Llama2cConverter.convert(
                SharedModels.require("stories260K.bin"),
                SharedModels.require("tok512.bin"),
                root.resolve("m.gguf"),
                GgmlType.F32);
        try (Nginx nginx = Nginx.start(root, work)) {
            URI uri = nginx.uri("single/model.safetensors");
            Path missing = root.resolve("no-such-cache");
            // A GGUF model by URI takes the same options.
            NoSuchFileException gguf =
                    assertThrows(
                            NoSuchFileException.class,
                            () ->
                                    Llama.builder(nginx.uri("m.gguf"))
                                            .withCacheDirectory(missing)
                                            .open());
            assertEquals(missing.toString(), gguf.getFile(), gguf.getMessage());
            NoSuchFileException e =
                    assertThrows(
                            NoSuchFileException.class,
                            () -> Llama.builder(uri).withCacheDirectory(missing).open());
            assertEquals(missing.toString(), e.getFile(), e.getMessage());
            List<Long> refused = modelAnswers();
            assertTrue(
                    refused.stream().allMatch(bytes -> bytes <= 4096),
                    "only the header read before the cache was refused: " + refused);
            Files.writeString(work.resolve("access.log"), "");
            try (Llama llama = Llama.builder(uri).withCacheDirectory(cache).open()) {
                llama.generate("", GenerationOptions.greedy(4), (token, piece) -> {});
            }
            List<Long> defaults = modelAnswers();
            assertTrue(defaults.stream().anyMatch(bytes -> bytes > 64 << 10), defaults.toString());
            Files.writeString(work.resolve("access.log"), "");
            try (Llama llama =
                    Llama.builder(uri)
                            .withRemoteOptions(RemoteOptions.defaults().withChunkSize(64 << 10))
                            .withCacheDirectory(cache)
                            .open()) {
                llama.generate("", GenerationOptions.greedy(4), (token, piece) -> {});
            }
        }
        List<Long> chunked = modelAnswers();
        assertTrue(chunked.size() > 8, chunked.toString());
        assertTrue(chunked.stream().allMatch(bytes -> bytes <= 64 << 10), chunked.toString());
    }

    /** The bytes of each answer nginx logged for the single checkpoint's tensors, in order. */
    private List<Long> modelAnswers() throws IOException {
        List<Long> bytes = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve("access.log"))) {
            // combined format: ... "GET /single/model.safetensors HTTP/1.1" 206 65536 "-" "..."
            int request = line.indexOf("\"GET /single/model.safetensors ");
            if (request >= 0) {
                String[] after =
                        line.substring(line.indexOf('"', request + 1) + 1).trim().split(" ");
                bytes.add(Long.parseLong(after[1]));
            }
        }
        return bytes;
    }

    @Test
    void aCheckpointServedWithoutItsTokenizerOrConfigIsRefusedNamingTheUri() throws IOException {
        Path source = checkpoint("source");
        for (String missing : new String[] {"tokenizer.json", "config.json"}) {
            Path directory = Files.createDirectories(root.resolve("without-" + missing));
            for (String file :
                    new String[] {"model.safetensors", "config.json", "tokenizer.json"}) {
                if (!file.equals(missing)) {
                    Files.copy(source.resolve(file), directory.resolve(file));
                }
            }
        }
        try (Nginx nginx = Nginx.start(root, work)) {
            for (String missing : new String[] {"tokenizer.json", "config.json"}) {
                URI uri = nginx.uri("without-" + missing + "/model.safetensors");
                NoSuchFileException e =
                        assertThrows(NoSuchFileException.class, () -> Llama.builder(uri).open());
                assertEquals(uri.resolve(missing).toString(), e.getFile(), e.getMessage());
                assertTrue(e.getMessage().contains("beside it"), e.getMessage());
            }
        }
        String log = Files.readString(work.resolve("access.log"));
        assertTrue(!log.contains("model.safetensors HTTP"), "no tensor read: " + log);
    }
}
