package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.ModelIntegrityException;
import dev.memory64.ProgressListener;
import dev.memory64.gguf.GgufModel;
import dev.memory64.testkit.FileDigests;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * SHA-256 verification of a checkpoint's shards before they are read or mapped, through the same
 * hook and with the same refusals as a GGUF model's.
 */
class SafetensorsIntegrityTest {
    @TempDir Path dir;

    private final List<Checkpoints.Tensor> tensors = Checkpoints.llama(3);

    /** The tasks a listener was told, in order, each once. */
    private static final class Tasks implements ProgressListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void progress(String task, long done, long total) {
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(task)) {
                seen.add(task);
            }
        }

        boolean any(String prefix) {
            return seen.stream().anyMatch(t -> t.startsWith(prefix));
        }
    }

    private List<Path> shards() throws IOException {
        return Checkpoints.writer(tensors).writeSharded(dir, "model", 3);
    }

    private SafetensorsModel openIndexVerified(Map<String, String> expected, Tasks tasks)
            throws IOException {
        return SafetensorsModel.builder(dir.resolve("model.safetensors.index.json"))
                .withExpectedSha256(expected)
                .withProgressListener(tasks)
                .open();
    }

    /** Whether this process maps the file now (Linux; false where /proc is absent). */
    private static boolean mapped(Path file) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        return Files.isReadable(maps)
                && Files.readAllLines(maps).stream()
                        .anyMatch(line -> line.endsWith(file.toAbsolutePath().toString()));
    }

    @Test
    void opensACheckpointWhoseShardsMatchTheirDigestsByItsIndexOrAShard() throws Exception {
        List<Path> shards = shards();
        // As a hub lists them: repository paths, upper-case hex; other files, the index's
        // included, are ignored.
        Map<String, String> expected = FileDigests.asAHubLists(shards, "bf16");
        expected.put("model.safetensors.index.json", "11".repeat(32));
        for (Path given : List.of(dir.resolve("model.safetensors.index.json"), shards.get(1))) {
            Tasks tasks = new Tasks();
            try (SafetensorsModel model =
                    SafetensorsModel.builder(given)
                            .withExpectedSha256(expected)
                            .withProgressListener(tasks)
                            .open()) {
                assertEquals(shards, model.paths());
                SafetensorsModelTest.assertHolds(tensors, model.store());
            }
            List<String> sha = new ArrayList<>();
            for (Path shard : shards) {
                sha.add("sha256 " + shard.getFileName());
            }
            if (given.equals(shards.get(1))) {
                // The named shard first, before its header names the others.
                sha = List.of(sha.get(1), sha.get(0), sha.get(2));
            }
            assertEquals(sha, tasks.seen.subList(0, 3), given.toString());
            assertEquals(
                    List.of(
                            "open model-00001-of-00003.safetensors",
                            "open model-00002-of-00003.safetensors",
                            "open model-00003-of-00003.safetensors"),
                    tasks.seen.subList(3, tasks.seen.size()));
        }
    }

    @Test
    void refusesACorruptedShardBeforeReadingOrMappingAnyNamingItAndBothDigests() throws Exception {
        List<Path> shards = shards();
        Map<String, String> expected = FileDigests.of(shards);
        Path second = shards.get(1);
        // Damage shard 2's header length: parsed, it would be a SafetensorsFormatException.
        FileDigests.corrupt(second, 7);
        assertThrows(SafetensorsFormatException.class, () -> SafetensorsModel.open(shards.get(0)));

        Tasks tasks = new Tasks();
        ModelIntegrityException e =
                assertThrows(
                        ModelIntegrityException.class, () -> openIndexVerified(expected, tasks));
        // The format's exception is the general one: GGUF's alone has a subclass.
        assertEquals(ModelIntegrityException.class, e.getClass());
        FileDigests.assertMismatch(e, second, expected);
        // Every shard verified, none opened, none left mapped.
        assertEquals(3, tasks.seen.size(), tasks.seen.toString());
        assertFalse(tasks.any("open "), tasks.seen.toString());
        for (Path shard : shards) {
            assertFalse(mapped(shard), shard + " is still mapped");
        }

        // Two damaged shards: the first is thrown, the other suppressed in it.
        Path third = shards.get(2);
        FileDigests.corrupt(third, Files.size(third) - 1);
        ModelIntegrityException both =
                assertThrows(
                        ModelIntegrityException.class,
                        () ->
                                SafetensorsModel.builder(third, second, shards.get(0))
                                        .withExpectedSha256(expected)
                                        .open());
        assertEquals(third, both.path());
        assertEquals(1, both.getSuppressed().length);
        assertEquals(second, ((ModelIntegrityException) both.getSuppressed()[0]).path());
    }

    @Test
    void requiresADigestForEveryShardNamingTheOneWithoutBeforeReadingIt() throws Exception {
        List<Path> shards = shards();
        Map<String, String> expected = FileDigests.of(shards);
        expected.remove("model-00002-of-00003.safetensors");
        Tasks tasks = new Tasks();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> openIndexVerified(expected, tasks));
        assertEquals(
                "open: no expected SHA-256 for part 2 of 3, "
                        + shards.get(1)
                        + "; digests are given for 2 file(s): [model-00001-of-00003.safetensors,"
                        + " model-00003-of-00003.safetensors]",
                e.getMessage());
        assertTrue(tasks.seen.isEmpty(), "nothing read before the check: " + tasks.seen);
    }

    @Test
    void refusesDigestsThatNameNoFileOrAreNotHexNamingTheKeyAndLeavesTheBuilderAsItWas()
            throws Exception {
        Path file = Checkpoints.single(dir, tensors);
        String good = FileDigests.sha256(file);
        SafetensorsModel.Builder builder =
                SafetensorsModel.builder(file)
                        .withExpectedSha256(Map.of("model.safetensors", good));
        IllegalArgumentException noFile =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.withExpectedSha256(Map.of("bf16/", good)));
        assertEquals(
                "withExpectedSha256: expected SHA-256 key \"bf16/\" names no file",
                noFile.getMessage());
        IllegalArgumentException notHex =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.withExpectedSha256(Map.of("model.safetensors", "sha256:00")));
        assertEquals(
                "withExpectedSha256: expected SHA-256 of \"model.safetensors\" is \"sha256:00\","
                        + " not 64 hex digits",
                notHex.getMessage());
        Map<String, String> conflicting = new LinkedHashMap<>();
        conflicting.put("a/model.safetensors", good);
        conflicting.put("b/model.safetensors", "ab".repeat(32));
        assertThrows(IllegalArgumentException.class, () -> builder.withExpectedSha256(conflicting));
        // The failed calls left the good digest: it opens, verified first.
        Tasks tasks = new Tasks();
        try (SafetensorsModel model = builder.withProgressListener(tasks).open()) {
            assertEquals(List.of(file), model.paths());
        }
        assertEquals(List.of("sha256 model.safetensors", "open model.safetensors"), tasks.seen);
    }

    @Test
    void refusesDigestsForACheckpointOpenedFromUrisBeforeFetchingAnything() {
        // Nothing listens on the discard port: a fetch would fail otherwise than this refusal.
        URI uri = URI.create("http://127.0.0.1:9/model.safetensors.index.json");
        URI gguf = URI.create("http://127.0.0.1:9/m-00001-of-00002.gguf");
        Map<String, String> digests = Map.of("model-00001-of-00002.safetensors", "ab".repeat(32));
        Map<URI, Executable> opens =
                Map.of(
                        uri, () -> SafetensorsModel.builder(uri).withExpectedSha256(digests).open(),
                        gguf, () -> GgufModel.builder(gguf).withExpectedSha256(digests).open());
        opens.forEach(
                (given, open) ->
                        assertEquals(
                                "open " + given + ": SHA-256 digests are checked for files only",
                                assertThrows(IllegalArgumentException.class, open).getMessage()));
    }
}
