package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Llama} on stories260K (its llama2.c checkpoint converted by {@link Llama2cConverter}, and
 * llama.cpp's GGUF of it, in {@code <projectRoot>/../shared/models} or the directory the system
 * property {@code memory64.models} names; skipped with one line where it is absent): each expected
 * text of llama2.c's {@code run.c} under each runtime (the interpreters run the first {@value
 * #INTERPRETER_STEPS} steps and must print the start of it), the step limit, the end of the
 * sequence, cancelling and closing from another thread and from the listener; and models it cannot
 * run, with their errors.
 */
class LlamaTest {
    static final Path MODELS =
            Path.of(System.getProperty("memory64.models", "../../shared/models"));
    static final Path GGUF = MODELS.resolve("stories260K.llama-cpp.gguf");
    static final String PROMPT = "Once upon a time, a dog";

    /** Steps of a run under an interpreter: a whole run of 256 takes minutes there. */
    static final int INTERPRETER_STEPS = 16;

    static Path model() {
        Assumptions.assumeTrue(
                Files.isRegularFile(GGUF), "no " + GGUF + " (../shared/models): skipped");
        return GGUF;
    }

    static byte[] expected(String name) throws IOException {
        return Files.readAllBytes(MODELS.resolve("expected").resolve(name));
    }

    /** stories260K converted by the project's converter, once for the class. */
    @TempDir static Path converted;

    static Path convertedModel() throws IOException {
        Path checkpoint = MODELS.resolve("stories260K.bin");
        Assumptions.assumeTrue(
                Files.isRegularFile(checkpoint),
                "no " + checkpoint + " (../shared/models): skipped");
        Path gguf = converted.resolve("stories260K.gguf");
        synchronized (LlamaTest.class) {
            if (!Files.isRegularFile(gguf)) {
                Llama2cConverter.convert(
                        checkpoint, MODELS.resolve("tok512.bin"), gguf, GgmlType.F32);
            }
        }
        return gguf;
    }

    /** Each expected file of the models' README, with its prompt and steps, under each runtime. */
    static Stream<Arguments> expectedTexts() {
        return Stream.of(GuestRuntime.values())
                .flatMap(
                        runtime ->
                                Stream.of(
                                        Arguments.of(
                                                runtime, "greedy-200-empty-prompt.txt", "", 200),
                                        Arguments.of(
                                                runtime,
                                                "greedy-256-once-upon-a-time-a-dog.txt",
                                                PROMPT,
                                                256),
                                        Arguments.of(
                                                runtime,
                                                "greedy-256-the-little-bird.txt",
                                                "The little bird could not fly",
                                                256)));
    }

    @ParameterizedTest
    @MethodSource("expectedTexts")
    void shouldWriteWhatRunCPrintsFromTheConvertedModel(
            GuestRuntime runtime, String file, String prompt, int steps) throws IOException {
        byte[] expected = expected(file);
        int run = runtime == GuestRuntime.CHICORY ? steps : INTERPRETER_STEPS;
        try (Llama llama = Llama.builder(convertedModel()).withRuntime(runtime).open()) {
            assertEquals(512, llama.maxPositions()); // the checkpoint's seq_len
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            GenerationResult result =
                    llama.generate(
                            prompt,
                            GenerationOptions.greedy(run),
                            (token, piece) -> out.writeBytes(piece));
            out.write('\n');
            if (run == steps) {
                assertArrayEquals(
                        expected, out.toByteArray(), out.toString(StandardCharsets.UTF_8));
            } else {
                String text = result.text();
                assertTrue(text.length() > prompt.length(), text);
                assertTrue(new String(expected, StandardCharsets.UTF_8).startsWith(text), text);
                assertEquals(StopReason.STEPS, result.stopReason());
                assertEquals(run, result.positions());
            }
            assertEquals(out.toString(StandardCharsets.UTF_8), result.text() + "\n");
            assertEquals(runtime, llama.runtime());
        }
    }

    @Test
    void shouldWriteWhatRunCPrintsFromLlamaCppsGguf() throws IOException {
        // llama.cpp's converter writes a context length of 128; run.c's checkpoint says 512.
        try (Llama llama = Llama.builder(model()).withMaxPositions(512).open()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            llama.generate(
                    PROMPT, GenerationOptions.greedy(256), (token, piece) -> out.writeBytes(piece));
            out.write('\n');
            assertArrayEquals(
                    expected("greedy-256-once-upon-a-time-a-dog.txt"),
                    out.toByteArray(),
                    out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldUseTheModelsContextLengthByDefault() throws IOException {
        try (Llama llama = Llama.open(model())) {
            assertEquals(128, llama.maxPositions()); // what llama.cpp's converter wrote
            GenerationResult result =
                    llama.generate(PROMPT, GenerationOptions.greedy(0), (t, p) -> {});
            assertEquals(128, result.positions());
            assertEquals(StopReason.STEPS, result.stopReason());
        }
    }

    @Test
    void shouldStopAtTheStepLimitCountingThePrompt() throws IOException {
        try (Llama llama = Llama.open(model())) {
            List<Integer> tokens = new ArrayList<>();
            GenerationResult result =
                    llama.generate(
                            PROMPT,
                            GenerationOptions.greedy(12),
                            (token, piece) -> tokens.add(token));
            assertEquals(StopReason.STEPS, result.stopReason());
            assertEquals(12, result.positions());
            assertEquals(12, tokens.size());
            assertEquals(12 - (result.promptTokens() - 1), result.generatedTokens());
            assertTrue(result.weightBytes() > 0, result.toString());
        }
    }

    @Test
    void shouldStopWhereTheModelEndsTheSequence() throws IOException {
        // run.c's greedy text for this prompt ends before its 256 steps, at a BOS token: the
        // model's end of a story.
        try (Llama llama = Llama.builder(model()).withMaxPositions(512).open()) {
            AtomicInteger tokens = new AtomicInteger();
            GenerationResult result =
                    llama.generate(
                            PROMPT,
                            GenerationOptions.greedy(256),
                            (token, piece) -> {
                                assertTrue(token != llama.bos() && token != llama.eos());
                                tokens.incrementAndGet();
                            });
            assertEquals(StopReason.END_OF_SEQUENCE, result.stopReason());
            assertTrue(result.positions() < 256, result.toString());
            assertEquals(result.positions() - 1, tokens.get());
        }
    }

    @Test
    void shouldSampleTheSameTextForTheSameSeed() throws IOException {
        try (Llama llama = Llama.open(model())) {
            GenerationOptions options =
                    GenerationOptions.greedy(60).withTemperature(0.8f).withTopP(0.9f).withSeed(42);
            String first = llama.generate("Once upon a time", options, (t, p) -> {}).text();
            String again = llama.generate("Once upon a time", options, (t, p) -> {}).text();
            String other =
                    llama.generate("Once upon a time", options.withSeed(43), (t, p) -> {}).text();
            assertEquals(first, again);
            assertTrue(!first.equals(other), first);
        }
    }

    @Test
    void shouldStopWhenCancelledFromAnotherThread() throws Exception {
        try (Llama llama = Llama.open(model())) {
            AtomicInteger tokens = new AtomicInteger();
            GenerationResult result =
                    generate(
                            llama,
                            200,
                            tokens,
                            15,
                            () -> {
                                Thread canceller = new Thread(llama::cancel);
                                canceller.start();
                                try {
                                    canceller.join();
                                } catch (InterruptedException e) {
                                    throw new AssertionError(e);
                                }
                            });
            assertEquals(StopReason.CANCELLED, result.stopReason());
            assertEquals(15, tokens.get());
            assertEquals(15, result.positions());

            // The next generation is not cancelled.
            assertEquals(
                    StopReason.STEPS,
                    llama.generate(PROMPT, GenerationOptions.greedy(20), (t, p) -> {})
                            .stopReason());
        }
    }

    @Test
    void shouldStopAndFreeTheGuestWhenClosedDuringAGeneration() throws IOException {
        Llama llama = Llama.open(model());
        AtomicInteger tokens = new AtomicInteger();
        GenerationResult result = generate(llama, 200, tokens, 5, llama::close);
        assertEquals(StopReason.CANCELLED, result.stopReason());
        assertEquals(5, tokens.get());
        IllegalStateException e = assertRefusesToGenerate(llama);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, llama::guestMemoryBytes);
        llama.close(); // idempotent
    }

    @Test
    void shouldStopWhenClosedFromAnotherThreadDuringAGeneration() throws Exception {
        Llama llama = Llama.open(model());
        AtomicInteger tokens = new AtomicInteger();
        Thread closer = new Thread(llama::close);
        GenerationResult result =
                generate(
                        llama,
                        100,
                        tokens,
                        10,
                        () -> {
                            closer.start();
                            // close() has asked the generation to stop once it waits for it.
                            while (closer.getState() != Thread.State.WAITING) {
                                Thread.onSpinWait();
                            }
                        });
        closer.join();
        assertEquals(StopReason.CANCELLED, result.stopReason());
        assertEquals(10, tokens.get());
        assertTrue(result.weightBytes() > 0, result.toString());
        assertRefusesToGenerate(llama);
    }

    @Test
    void shouldCloseFromAnotherThread() throws Exception {
        Llama llama = Llama.open(model());
        llama.generate(PROMPT, GenerationOptions.greedy(5), (t, p) -> {});
        Thread closer = new Thread(llama::close);
        closer.start();
        closer.join();
        assertRefusesToGenerate(llama);
    }

    /**
     * Generates greedily from {@link #PROMPT} for {@code steps} positions, counting the tokens into
     * {@code tokens} and running {@code action} from the listener at the {@code at}th.
     */
    private static GenerationResult generate(
            Llama llama, int steps, AtomicInteger tokens, int at, Runnable action)
            throws LlamaModelException {
        return llama.generate(
                PROMPT,
                GenerationOptions.greedy(steps),
                (token, piece) -> {
                    if (tokens.incrementAndGet() == at) {
                        action.run();
                    }
                });
    }

    /** Checks that a closed llama refuses to generate, and returns the refusal. */
    private static IllegalStateException assertRefusesToGenerate(Llama llama) {
        return assertThrows(
                IllegalStateException.class,
                () -> llama.generate(PROMPT, GenerationOptions.greedy(5), (t, p) -> {}));
    }

    @Test
    void shouldKeepTheGuestsMemoryUnderItsBound() throws IOException {
        // The bound: the weight buffer, plus the KV cache, activations and vocabulary, which for
        // this model at 512 positions take well under 1 MiB more.
        try (Llama llama =
                Llama.builder(model()).withWeightBufferKib(256).withMaxPositions(512).open()) {
            llama.generate(PROMPT, GenerationOptions.greedy(40), (t, p) -> {});
            long bytes = llama.guestMemoryBytes();
            assertTrue(bytes <= (256 << 10) + (2 << 20), "guest memory " + bytes);
            assertEquals(512, llama.maxPositions());
            assertEquals(512, llama.vocabularySize());
        }
    }

    @Test
    void shouldRejectAFileThatIsNotGguf(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not.gguf");
        Files.writeString(file, "not a GGUF file at all, only text");
        IOException e = assertThrows(IOException.class, () -> Llama.open(file));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    }

    @Test
    void shouldRejectAMissingFile(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> Llama.open(dir.resolve("absent.gguf")));
    }

    @Test
    void shouldSayWhichKeyAModelLacks(@TempDir Path dir) throws IOException {
        // A valid GGUF that says it is a llama model but has none of its hyperparameters.
        Path file = dir.resolve("empty-llama.gguf");
        GgufWriter.builder()
                .addMetadata("general.architecture", GgufValue.string("llama"))
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {4, 2}, new byte[32])
                .build()
                .write(file);
        LlamaModelException e = assertThrows(LlamaModelException.class, () -> Llama.open(file));
        assertEquals(-100, e.code());
        assertTrue(e.getMessage().contains("llama.block_count"), e.getMessage());
    }

    @Test
    void shouldRejectOptionsRunCWouldNotTake() {
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> GenerationOptions.greedy(1).withTemperature(-0.5f));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy(1).withSeed(0));
    }

    @Test
    void shouldNameEachRuntimeAsTheScriptDoes() {
        for (GuestRuntime runtime : GuestRuntime.values()) {
            assertEquals(runtime, GuestRuntime.ofCliName(runtime.cliName()));
        }
        assertEquals(
                GuestRuntime.CHICORY_INTERPRETER, GuestRuntime.ofCliName("Chicory-Interpreter"));
        assertThrows(IllegalArgumentException.class, () -> GuestRuntime.ofCliName("wasmtime"));
    }
}
