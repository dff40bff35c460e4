package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.llama.reference.ReferenceLlama;
import dev.memory64.llama.reference.SyntheticLlama;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 21, 7(b): on synthetic random-weight llama models of every weight type, with grouped-query
 * attention (8 heads over 2), a separate or a tied head, the NeoX RoPE layout, Q4_K_M's type mix
 * and a split set, the inference guest (Chicory's compiler) takes the same greedy tokens for 64
 * positions as the reference forward pass in doubles ({@link ReferenceLlama}).
 *
 * <p>The logits are compared too, position by position on the reference's greedy tokens, within
 * {@link #LOGIT_TOLERANCE} (which says why). Greedy tokens are compared over whole generations
 * through the entry point: the guest computes in float32 and dequantises inside its dot products,
 * so its logits differ from the doubles' by about 1e-5 on these shapes (a float32 copy of the
 * reference measured at most 1.3e-5), far below the smallest gap between the two best logits seen
 * on them (7.5e-4); a wrong RoPE pairing, head mapping or dequantisation changes the argmax within
 * a few positions.
 */
class GuestMatchesReferenceTest {

    static final int STEPS = 64;

    @TempDir static Path dir;

    static Stream<Arguments> models() {
        SyntheticLlama base = SyntheticLlama.of(256, 512, 2, 8, 2, 300).withSeed(7);
        List<Arguments> models = new ArrayList<>();
        // Every type the codecs support (GgmlCodecTest holds that set to the nine of issue 21).
        for (GgmlType type : GgmlCodec.supportedTypes()) {
            models.add(Arguments.of(type + ", GQA, separate head", base.withType(type), 1));
        }
        models.add(
                Arguments.of(
                        "Q8_0, tied head",
                        base.withType(GgmlType.Q8_0).withTiedEmbeddings(true),
                        1));
        models.add(
                Arguments.of("F16, NeoX RoPE", base.withType(GgmlType.F16).withRopeNeox(true), 1));
        models.add(Arguments.of("Q4_K_M mix", base.withType(GgmlType.Q4_K).withKQuantMix(true), 1));
        models.add(Arguments.of("Q5_0, split set of 3", base.withType(GgmlType.Q5_0), 3));
        return models.stream();
    }

    /**
     * The largest difference allowed between a guest logit (float32) and the reference's (double),
     * relative to the largest logit's magnitude at that position (at least 1). The guest rounds
     * every product and partial sum to float32, in its own order (per block of a quantised row: the
     * sum of quantised integer times activation, then scaled), where the reference sums exact
     * products in doubles: over a dot product of n terms of size about 1 the rounding grows as
     * sqrt(n) x 2^-24 (about 1e-6 for the 512 terms of these shapes), and it compounds through the
     * blocks' residual stream and norms. Measured: at most 3.3e-6 of the largest logit on these
     * models. 2e-5 leaves room for that and is far below what a wrong RoPE pairing, head mapping or
     * dequantisation gives: forcing the guest into the other RoPE layout puts twelve of the
     * thirteen models (all but the NeoX one) off by 7e-3 to 0.15 at the second position.
     */
    static final double LOGIT_TOLERANCE = 2e-5;

    /** Writes the model in one file or a split set, in a directory of its own named after it. */
    private List<Path> write(SyntheticLlama model, int parts, String name) throws IOException {
        Path sub = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
        java.nio.file.Files.createDirectories(sub);
        return parts == 1
                ? List.of(model.write(sub.resolve("m.gguf")))
                : model.writeSplit(sub, "m", parts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theGuestsLogitsMatchTheReferenceForwardPass(String name, SyntheticLlama model, int parts)
            throws Exception {
        List<Path> files = write(model, parts, "logits-" + name);
        ReferenceLlama reference = ReferenceLlama.open(files);
        int[] prompt = reference.tokenizer().encode("", true, false);
        int[] tokens = reference.generate(prompt, STEPS);
        int vocab = model.vocabSize();
        double worst = 0;
        try (GgufModel opened = GgufModel.open(files.toArray(Path[]::new));
                Guest guest = GuestRuntime.CHICORY.start(opened.store())) {
            assertEquals(0, guest.call("m64_init", 0, tokens.length, 0), guest.stderr());
            for (int pos = 0; pos < tokens.length; pos++) {
                double[] expected = reference.forward(tokens[pos], pos);
                assertEquals(0, guest.call("m64_forward", tokens[pos], pos), guest.stderr());
                ByteBuffer bytes =
                        ByteBuffer.wrap(guest.read((int) guest.call("m64_logits"), 4 * vocab))
                                .order(ByteOrder.LITTLE_ENDIAN);
                double scale = 1;
                for (double v : expected) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < vocab; i++) {
                    double error = Math.abs(bytes.getFloat(4 * i) - expected[i]) / scale;
                    worst = Math.max(worst, error);
                    if (error > LOGIT_TOLERANCE) {
                        fail(
                                String.format(
                                        Locale.ROOT,
                                        "%s: position %d, logit %d: the guest's %.7g, the"
                                                + " reference's %.7g (%.2e of the largest, over"
                                                + " %.0e)",
                                        name,
                                        pos,
                                        i,
                                        bytes.getFloat(4 * i),
                                        expected[i],
                                        error,
                                        LOGIT_TOLERANCE));
                    }
                }
            }
        }
        assertTrue(worst > 0, name + ": float32 and doubles never differ: nothing was compared");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theGuestTakesTheReferencesGreedyTokens(String name, SyntheticLlama model, int parts)
            throws Exception {
        List<Path> files = write(model, parts, name);
        ReferenceLlama reference = ReferenceLlama.open(files);
        int[] prompt = reference.tokenizer().encode("", true, false);
        int[] expected = reference.generate(prompt, STEPS);
        int[] wanted = Arrays.copyOfRange(expected, 1, expected.length);

        List<Integer> taken = new ArrayList<>();
        try (Llama llama = Llama.builder(files.toArray(Path[]::new)).open()) {
            llama.generate("", GenerationOptions.greedy(STEPS), (token, piece) -> taken.add(token));
            // The entry point also ends at the end-of-sequence token, which run.c (and so the
            // reference) takes like any other: the reference's tokens count up to it.
            for (int i = 0; i < wanted.length; i++) {
                if (wanted[i] == llama.eos()) {
                    wanted = Arrays.copyOf(wanted, i);
                    break;
                }
            }
        }
        assertTrue(wanted.length >= 8, name + ": the reference stopped after " + wanted.length);
        assertEquals(
                Arrays.stream(wanted).boxed().toList(),
                taken,
                name + ": the guest's greedy tokens differ from the reference's");
    }
}
