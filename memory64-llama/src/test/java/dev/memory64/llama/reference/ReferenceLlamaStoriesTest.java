package dev.memory64.llama.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.gguf.GgmlType;
import dev.memory64.llama.Llama2cConverter;
import dev.memory64.llama.SharedModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference forward pass and tokenizer on a real model: stories260K, converted by {@link
 * Llama2cConverter}, writes exactly what llama2.c's {@code run.c} wrote into {@code
 * ../shared/models/expected/} (skipped where that folder is absent).
 */
class ReferenceLlamaStoriesTest {

    @TempDir static Path dir;

    private static Path converted;

    @BeforeAll
    static void convert() throws IOException {
        converted = dir.resolve("stories260K.gguf");
        Llama2cConverter.convert(
                SharedModels.require("stories260K.bin"),
                SharedModels.require("tok512.bin"),
                converted,
                GgmlType.F32);
    }

    private static ReferenceLlama model() throws IOException {
        return ReferenceLlama.open(List.of(converted));
    }

    /**
     * Greedy generation in doubles gives run.c's float32 text token for token, over the whole run
     * of every expected file (up to 256 positions): its logits' top two are never close enough for
     * float32's rounding to swap them on this model.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "greedy-200-empty-prompt.txt | '' | 200",
                "greedy-256-once-upon-a-time-a-dog.txt | Once upon a time, a dog | 256",
                "greedy-256-the-little-bird.txt | The little bird could not fly | 256"
            })
    void generatesTheExpectedTextToken(String file, String prompt, int steps) throws IOException {
        ReferenceLlama model = model();
        LlamaTokenizer tokenizer = model.tokenizer();
        int[] tokens = model.generate(tokenizer.encode(prompt, true, false), steps);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tokenizer.decode(tokens));
        out.write('\n');
        byte[] expected = Files.readAllBytes(SharedModels.require("expected/" + file));
        assertEquals(
                new String(expected, StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void readsTheHyperparametersOfTheCheckpoint() throws IOException {
        ReferenceLlama model = model();
        LlamaHyperparameters h = model.hyperparameters();
        assertEquals(
                new LlamaHyperparameters(
                        "llama", 64, 172, 5, 8, 4, 512, 512, 8, 10000, false, 1e-5f),
                h);
        // The converter writes the shared classifier out as output.weight, as llama.cpp does.
        assertEquals(false, model.tiedEmbeddings());
    }

    /** Encoding then decoding gives ASCII text back; the merges leave few tokens. */
    @Test
    void tokenizerRoundTripsAsciiText() throws IOException {
        LlamaTokenizer tokenizer = model().tokenizer();
        for (String text :
                List.of(
                        "Once upon a time, a dog",
                        "Lily's mom said, \"Lily, let's go!\"\nThe end.",
                        "  two  spaces, a tab\tand digits 12345 {}[]~")) {
            int[] tokens = tokenizer.encode(text, true, false);
            assertEquals(tokenizer.bos(), tokens[0]);
            assertEquals(text, new String(tokenizer.decode(tokens), StandardCharsets.UTF_8));
        }
        int[] once = tokenizer.encode("Once upon a time", true, true);
        assertEquals(tokenizer.eos(), once[once.length - 1]);
        // A character outside the vocabulary falls back to its UTF-8 bytes' tokens (byte + 3),
        // which run.c does not print (single bytes that are not printable ASCII).
        int[] cat = tokenizer.encode("\u732b", false, false);
        assertEquals(
                List.of(0xE7 + 3, 0x8C + 3, 0xAB + 3),
                java.util.Arrays.stream(cat).skip(cat.length - 3).boxed().toList());
        assertEquals(0, tokenizer.decode(cat).length);
        // ... and one the vocabulary holds is its token, printed as its UTF-8.
        int[] e = tokenizer.encode("caf\u00e9", true, false);
        assertEquals("caf\u00e9", new String(tokenizer.decode(e), StandardCharsets.UTF_8));
    }
}
