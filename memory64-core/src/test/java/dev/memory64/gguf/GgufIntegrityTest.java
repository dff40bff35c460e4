package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.ProgressListener;
import dev.memory64.StoreClosedException;
import dev.memory64.model.Sha256;
import dev.memory64.testkit.FileDigests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** SHA-256 verification of model files, before and after opening. */
class GgufIntegrityTest {
    @TempDir Path dir;

    /** One progress call. */
    record Call(String task, long done, long total) {}

    /** Records every progress call. */
    static final class Recorder implements ProgressListener {
        final List<Call> calls = new ArrayList<>();

        @Override
        public void progress(String task, long done, long total) {
            calls.add(new Call(task, done, total));
        }

        List<Call> of(String task) {
            return calls.stream().filter(c -> c.task().equals(task)).toList();
        }

        boolean any(String taskPrefix) {
            return calls.stream().anyMatch(c -> c.task().startsWith(taskPrefix));
        }
    }

    /** Three parts of a small model, cut every three tensors. */
    private List<Path> splitModel() throws IOException {
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        metadata.put("general.architecture", GgufValue.string("llama"));
        List<GgufSplitter.Spec> specs = new ArrayList<>();
        String[] names = {
            "token_embd.weight",
            "blk.0.attn_q.weight",
            "blk.0.ffn_up.weight",
            "blk.1.attn_q.weight",
            "blk.1.ffn_up.weight",
            "output_norm.weight",
            "output.weight"
        };
        for (int i = 0; i < names.length; i++) {
            specs.add(
                    new GgufSplitter.Spec(
                            names[i],
                            GgmlType.F32,
                            new long[] {256},
                            TestModels.data(1024, i + 1)));
        }
        List<Path> parts = GgufSplitter.byTensors(dir, "m", metadata, specs, 3);
        assertEquals(3, parts.size());
        return parts;
    }

    @Test
    void digestsKnownVectors() throws Exception {
        Path abc = Files.writeString(dir.resolve("abc"), "abc", StandardCharsets.US_ASCII);
        assertEquals(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                GgufModel.sha256(abc, ProgressListener.NONE));
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertEquals(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                GgufModel.sha256(empty, ProgressListener.NONE));
    }

    @Test
    void digestsEqualTheJdksAcrossChunkBoundaries() throws Exception {
        Random random = new Random(14);
        int chunk = Sha256.CHUNK;
        for (int size : new int[] {1, 63, 64, 65, chunk - 1, chunk, chunk + 1, 2 * chunk + 17}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            Path file = Files.write(dir.resolve("f" + size), bytes);
            assertEquals(
                    FileDigests.sha256(bytes),
                    GgufModel.sha256(file, ProgressListener.NONE),
                    "size " + size);
        }
    }

    @Test
    void reportsProgressInBytesUpToTheTotal() throws Exception {
        int size = 2 * Sha256.CHUNK + 5;
        Path file = Files.write(dir.resolve("p.gguf"), new byte[size]);
        Recorder recorder = new Recorder();
        GgufModel.sha256(file, recorder);
        assertEquals(
                List.of(
                        new Call("sha256 p.gguf", 0, size),
                        new Call("sha256 p.gguf", Sha256.CHUNK, size),
                        new Call("sha256 p.gguf", 2L * Sha256.CHUNK, size),
                        new Call("sha256 p.gguf", size, size)),
                recorder.calls);

        Recorder empty = new Recorder();
        GgufModel.sha256(Files.write(dir.resolve("e.gguf"), new byte[0]), empty);
        assertEquals(List.of(new Call("sha256 e.gguf", 0, 0)), empty.calls);
    }

    @Test
    void verifiesEveryPartOfAnOpenSplitModel() throws Exception {
        List<Path> parts = splitModel();
        // As a hub lists them: repository paths, upper-case hex; other files are ignored.
        Map<String, String> expected = FileDigests.asAHubLists(parts, "Q8_0");
        try (GgufModel model = GgufModel.open(parts.get(0))) {
            Recorder recorder = new Recorder();
            model.verify(expected, recorder);
            for (Path part : parts) {
                List<Call> calls = recorder.of("sha256 " + part.getFileName());
                long size = Files.size(part);
                assertEquals(new Call("sha256 " + part.getFileName(), 0, size), calls.get(0));
                assertEquals(
                        new Call("sha256 " + part.getFileName(), size, size),
                        calls.get(calls.size() - 1));
            }
            assertEquals(3 * 2, recorder.calls.size());
        }
    }

    @Test
    void namesTheCorruptedPartAndBothDigests() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        try (GgufModel model = GgufModel.open(parts.get(0))) {
            Path second = parts.get(1);
            FileDigests.corrupt(second, Files.size(second) - 100);
            Executable verify = () -> model.verify(expected, ProgressListener.NONE);
            FileDigests.assertMismatch(
                    assertThrows(GgufIntegrityException.class, verify), second, expected);

            // Two damaged parts: the first is thrown, the other suppressed in it.
            Path third = parts.get(2);
            FileDigests.corrupt(third, Files.size(third) - 1);
            GgufIntegrityException both = assertThrows(GgufIntegrityException.class, verify);
            assertEquals(second, both.path());
            assertEquals(1, both.getSuppressed().length);
            GgufIntegrityException later = (GgufIntegrityException) both.getSuppressed()[0];
            assertEquals(third, later.path());
            assertEquals(FileDigests.sha256(third), later.actual());
        }
    }

    @Test
    void refusesACorruptedDownloadBeforeReadingOrMappingIt() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        // Damage part 2's magic: parsed, it would be a GgufFormatException.
        FileDigests.corrupt(parts.get(1), 0);
        assertThrows(GgufFormatException.class, () -> GgufModel.open(parts.get(0)));

        Recorder recorder = new Recorder();
        GgufIntegrityException e =
                assertThrows(
                        GgufIntegrityException.class,
                        () ->
                                GgufModel.builder(parts.get(0))
                                        .withExpectedSha256(expected)
                                        .withProgressListener(recorder)
                                        .open());
        assertEquals(parts.get(1), e.path());
        assertEquals(FileDigests.sha256(parts.get(1)), e.actual());
        // Every part verified (the named one first), no part opened.
        assertEquals(Files.size(parts.get(0)), last(recorder, parts.get(0)).done());
        assertEquals(Files.size(parts.get(2)), last(recorder, parts.get(2)).done());
        assertFalse(recorder.any("open "), recorder.calls.toString());

        // Every part given: all are verified before any is read.
        Recorder all = new Recorder();
        assertThrows(
                GgufIntegrityException.class,
                () ->
                        GgufModel.builder(parts.get(2), parts.get(1), parts.get(0))
                                .withExpectedSha256(expected)
                                .withProgressListener(all)
                                .open());
        assertFalse(all.any("open "), all.calls.toString());
        assertEquals(3 * 2, all.calls.size());
    }

    private static Call last(Recorder recorder, Path part) {
        List<Call> calls = recorder.of("sha256 " + part.getFileName());
        return calls.get(calls.size() - 1);
    }

    @Test
    void opensAVerifiedModelAfterVerifyingIt() throws Exception {
        List<Path> parts = splitModel();
        byte[] tensor = new byte[1024];
        Recorder recorder = new Recorder();
        try (GgufModel model =
                GgufModel.builder(parts.get(1))
                        .withExpectedSha256(FileDigests.of(parts))
                        .withProgressListener(recorder)
                        .open()) {
            assertEquals(parts, model.paths());
            model.store().readLayer(0, 0, java.lang.foreign.MemorySegment.ofArray(tensor));
        }
        assertArrayEquals(TestModels.data(1024, 1), tensor);
        // The named part, then the others, then the headers.
        List<String> tasks = recorder.calls.stream().map(Call::task).distinct().toList();
        assertEquals(
                List.of(
                        "sha256 m-00002-of-00003.gguf",
                        "sha256 m-00001-of-00003.gguf",
                        "sha256 m-00003-of-00003.gguf",
                        "open m-00001-of-00003.gguf",
                        "open m-00002-of-00003.gguf",
                        "open m-00003-of-00003.gguf"),
                tasks);
    }

    @Test
    void requiresADigestForEveryPart() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        expected.remove("m-00003-of-00003.gguf");
        try (GgufModel model = GgufModel.open(parts.get(0))) {
            Recorder recorder = new Recorder();
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> model.verify(expected, recorder));
            assertEquals(
                    "verify: no expected SHA-256 for part 3 of 3, "
                            + parts.get(2)
                            + "; digests are given for 2 file(s): [m-00001-of-00003.gguf,"
                            + " m-00002-of-00003.gguf]",
                    e.getMessage());
            assertTrue(recorder.calls.isEmpty(), "nothing read before the check");
        }
        Recorder before = new Recorder();
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        GgufModel.builder(parts.toArray(Path[]::new))
                                .withExpectedSha256(expected)
                                .withProgressListener(before)
                                .open());
        assertTrue(before.calls.isEmpty(), before.calls.toString());
    }

    @Test
    void numbersAPartWithoutDigestInItsWholeSetWhenOpeningByOnePart() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        expected.remove("m-00002-of-00003.gguf");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GgufModel.builder(parts.get(0)).withExpectedSha256(expected).open());
        assertEquals(
                "open: no expected SHA-256 for part 2 of 3, "
                        + parts.get(1)
                        + "; digests are given for 2 file(s): [m-00001-of-00003.gguf,"
                        + " m-00003-of-00003.gguf]",
                e.getMessage());
    }

    @Test
    void rejectsMalformedDigestsNamingKeyAndValue() throws Exception {
        Path file = dir.resolve("x.gguf");
        GgufWriter.builder()
                .addTensor("blk.0.w", GgmlType.F32, new long[] {16}, new byte[64])
                .build()
                .write(file);
        String good = FileDigests.sha256(file);
        String[] bad = {
            "",
            good.substring(1),
            good + "0",
            "g" + good.substring(1),
            "sha256:" + good.substring(7),
            "\u0663" + good.substring(1), // ARABIC-INDIC DIGIT THREE, a digit but not hex
            " " + good.substring(1)
        };
        GgufModel.Builder builder =
                GgufModel.builder(file).withExpectedSha256(Map.of("x.gguf", good));
        try (GgufModel model = GgufModel.open(file)) {
            for (String value : bad) {
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> builder.withExpectedSha256(Map.of("x.gguf", value)));
                assertEquals(
                        "withExpectedSha256: expected SHA-256 of \"x.gguf\" is \""
                                + value
                                + "\", not 64 hex digits",
                        e.getMessage());
                IllegalArgumentException v =
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> model.verify(Map.of("x.gguf", value), ProgressListener.NONE));
                assertTrue(v.getMessage().startsWith("verify: expected SHA-256 of"));
            }
        }
        // The failed calls left the builder as it was: it verifies with the good digest.
        Recorder recorder = new Recorder();
        try (GgufModel model = builder.withProgressListener(recorder).open()) {
            assertEquals(List.of(file), model.paths());
            assertTrue(recorder.any("sha256 x.gguf"));
        }
    }

    @Test
    void rejectsTwoKeysNamingOneFileWithDifferentDigests() {
        Map<String, String> conflicting = new LinkedHashMap<>();
        conflicting.put("a/x.gguf", "ab".repeat(32));
        conflicting.put("b/x.gguf", "cd".repeat(32));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GgufModel.builder(dir).withExpectedSha256(conflicting));
        assertEquals(
                "withExpectedSha256: keys \"a/x.gguf\" and \"b/x.gguf\" both name the file x.gguf"
                        + " with different SHA-256 digests "
                        + "ab".repeat(32)
                        + " and "
                        + "cd".repeat(32),
                e.getMessage());
        // The same digest twice (in either case) is no conflict; a key must name a file.
        Map<String, String> same = new LinkedHashMap<>();
        same.put("a/x.gguf", "ab".repeat(32));
        same.put("x.gguf", "AB".repeat(32));
        GgufModel.builder(dir).withExpectedSha256(same);
        IllegalArgumentException noFile =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                GgufModel.builder(dir)
                                        .withExpectedSha256(Map.of("q8/", "ab".repeat(32))));
        assertEquals(
                "withExpectedSha256: expected SHA-256 key \"q8/\" names no file",
                noFile.getMessage());
    }

    @Test
    void refusesToVerifyAPartReplacedSinceOpening() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.readAttributes(parts.get(0), BasicFileAttributes.class).fileKey() != null,
                "this file system has no file keys");
        try (GgufModel model = GgufModel.open(parts.get(0))) {
            // A good copy renamed over a part: the store still maps the old file.
            Path copy = Files.copy(parts.get(1), dir.resolve("copy.tmp"));
            Files.move(
                    copy,
                    parts.get(1),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            FileSystemException e =
                    assertThrows(
                            FileSystemException.class,
                            () -> model.verify(expected, ProgressListener.NONE));
            assertEquals(parts.get(1).toString(), e.getFile());
            assertTrue(
                    e.getMessage().contains("replaced after the model opened it"), e.getMessage());
        }
    }

    @Test
    void failsClearlyOnAClosedModelOrADirectory() throws Exception {
        List<Path> parts = splitModel();
        Map<String, String> expected = FileDigests.of(parts);
        GgufModel model = GgufModel.open(parts.get(0));
        model.close();
        StoreClosedException e =
                assertThrows(
                        StoreClosedException.class,
                        () -> model.verify(expected, ProgressListener.NONE));
        assertEquals("verify: the model " + parts.get(0) + " is closed", e.getMessage());
        FileSystemException d =
                assertThrows(
                        FileSystemException.class,
                        () -> GgufModel.sha256(dir, ProgressListener.NONE));
        assertEquals(dir + ": sha256: is a directory, not a model file", d.getMessage());
        assertThrows(NullPointerException.class, () -> GgufModel.sha256(dir, null));
    }
}
