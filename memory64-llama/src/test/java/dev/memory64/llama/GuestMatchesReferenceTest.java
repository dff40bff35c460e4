package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.llama.reference.ReferenceLlama;
import dev.memory64.llama.reference.SyntheticLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * <p>Greedy tokens, not logits, are compared: the guest computes in float32 and dequantises inside
 * its dot products, so its logits differ from the doubles' by about 1e-5 on these shapes (a float32
 * copy of the reference measured at most 1.3e-5), far below the smallest gap between the two best
 * logits seen on them (7.5e-4); a wrong RoPE pairing, head mapping or dequantisation changes the
 * argmax within a few positions.
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theGuestTakesTheReferencesGreedyTokens(String name, SyntheticLlama model, int parts)
            throws Exception {
        Path sub = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
        java.nio.file.Files.createDirectories(sub);
        List<Path> files =
                parts == 1
                        ? List.of(model.write(sub.resolve("m.gguf")))
                        : model.writeSplit(sub, "m", parts);
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
