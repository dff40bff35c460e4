package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.gguf.GgufModel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inference guest ({@code guests/c/llama.c}) on a real model, stories260K as llama.cpp's
 * converter writes it, read from {@code <projectRoot>/../shared/models} (or the directory the
 * system property {@code memory64.models} names): its text equals what llama2.c's {@code run.c}
 * prints for the same prompt and steps, byte for byte, greedy and with a seed; each block's weights
 * are loaded once per token; its memory stays within the bound it states. Compiled, every run is
 * whole; interpreted, a run stops after {@value #INTERPRETER_STEPS} steps and its text must be the
 * start of the expected one (a whole run takes minutes there). Skipped, with one line, where the
 * models are absent.
 */
class LlamaGuestTest {
    static final Path MODELS =
            Path.of(System.getProperty("memory64.models", "../../shared/models"));
    static final Path GGUF = MODELS.resolve("stories260K.llama-cpp.gguf");

    /** Parsed once: the compiled machine factory is kept per module (Guests.Mode). */
    private static WasmModule module;

    record Run(int exitCode, byte[] stdout, String stderr) {}

    static synchronized WasmModule llama() {
        if (module == null) {
            module = Guests.c("llama");
        }
        return module;
    }

    static void assumeModels() {
        Assumptions.assumeTrue(
                Files.isRegularFile(GGUF), "no " + GGUF + " (../shared/models): skipped");
    }

    /**
     * Steps of a run under the interpreter, which is too slow for the expected files' 200 and 256:
     * its text must then be the start of the expected text.
     */
    static final int INTERPRETER_STEPS = 20;

    /** The expected files of the models' README, with their prompts and steps, under each mode. */
    static Stream<Arguments> expected() {
        return Guests.modes().stream()
                .flatMap(
                        mode ->
                                Stream.of(
                                        Arguments.of(mode, "greedy-200-empty-prompt.txt", "", 200),
                                        Arguments.of(
                                                mode,
                                                "greedy-256-once-upon-a-time-a-dog.txt",
                                                "Once upon a time, a dog",
                                                256),
                                        Arguments.of(
                                                mode,
                                                "greedy-256-the-little-bird.txt",
                                                "The little bird could not fly",
                                                256)));
    }

    /**
     * The steps to run under mode: all of them compiled, {@link #INTERPRETER_STEPS} interpreted.
     */
    static int steps(Guests.Mode mode, int steps) {
        return mode == Guests.Mode.COMPILER ? steps : Math.min(steps, INTERPRETER_STEPS);
    }

    /**
     * Asserts that out is what run.c printed (expected) for the same steps, or, for a run of fewer
     * steps, its start: a prefix of expected's text, longer than the prompt, and one newline.
     */
    static void assertPrints(byte[] expected, byte[] out, boolean whole, String prompt) {
        if (whole) {
            assertEquals(
                    new String(expected, StandardCharsets.UTF_8),
                    new String(out, StandardCharsets.UTF_8));
            assertArrayEquals(expected, out);
            return;
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), text);
        String start = text.substring(0, text.length() - 1);
        assertTrue(start.length() > prompt.length(), text);
        assertTrue(new String(expected, StandardCharsets.UTF_8).startsWith(start), text);
    }

    static ImportValues imports(Memory64Store store, WasiPreview1 wasi) throws Exception {
        return ImportValues.builder()
                .addFunction(wasi.toHostFunctions())
                .addFunction(Memory64HostFunctions.builder(store).build().toHostFunctions())
                .build();
    }

    /** Runs the guest as a command: {@code llama ARGS...}. */
    static Run runCommand(Memory64Store store, Guests.Mode mode, String... args) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<SegmentMemory> made = new ArrayList<>();
        try (WasiPreview1 wasi = Guests.wasi(stdout, stderr, "llama", args)) {
            int exit;
            try {
                exit =
                        Guests.runToExit(
                                llama(), imports(store, wasi), mode, Guests.segmentMemories(made));
            } finally {
                made.forEach(SegmentMemory::close);
            }
            return new Run(exit, stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs the guest on the model for a prompt: {@code --prompt PROMPT --steps STEPS OPTIONS...},
     * and asserts that it exits with 0.
     */
    static Run generate(Guests.Mode mode, String prompt, int steps, String... options)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--prompt", prompt, "--steps"));
        args.add(Integer.toString(steps));
        args.addAll(List.of(options));
        try (GgufModel model = GgufModel.open(GGUF)) {
            Run run = runCommand(model.store(), mode, args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.stderr());
            return run;
        }
    }

    static byte[] expectedBytes(String name) throws Exception {
        return Files.readAllBytes(MODELS.resolve("expected").resolve(name));
    }

    @ParameterizedTest
    @MethodSource("expected")
    void shouldPrintWhatRunCPrintsGreedily(
            Guests.Mode mode, String expected, String prompt, int steps) throws Exception {
        assumeModels();
        int run = steps(mode, steps);
        Run result = generate(mode, prompt, run, "--temperature", "0");
        assertPrints(expectedBytes(expected), result.stdout(), run == steps, prompt);
        assertTrue(result.stderr().contains("generated "), result.stderr());
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldPrintTheSameTextWhenEveryMatrixStreamsByRows(Guests.Mode mode) throws Exception {
        // A weight buffer of 4 KiB, smaller than every matrix of the model (the 16 KiB of attn_q
        // and the 128 KiB output head stream by rows).
        assumeModels();
        String prompt = "Once upon a time, a dog";
        Run run =
                generate(mode, prompt, steps(mode, 64), "--temperature", "0", "--buffer-kib", "4");
        assertPrints(
                expectedBytes("greedy-256-once-upon-a-time-a-dog.txt"),
                run.stdout(),
                false,
                prompt);
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldSampleAsRunCDoesForASeed(Guests.Mode mode) throws Exception {
        // The fixture is run.c's output (llama2.c 350e04f) on stories260K.bin with tok512.bin:
        // run stories260K.bin -z tok512.bin -n 100 -t 0.8 -p 0.9 -s 42 -i "Once upon a time"
        assumeModels();
        byte[] expected;
        try (InputStream in =
                LlamaGuestTest.class.getResourceAsStream(
                        "/llama/run-c-n100-t0.8-p0.9-s42-once-upon-a-time.txt")) {
            expected = in.readAllBytes();
        }
        String prompt = "Once upon a time";
        int steps = steps(mode, 100);
        Run run =
                generate(
                        mode,
                        prompt,
                        steps,
                        "--temperature",
                        "0.8",
                        "--top-p",
                        "0.9",
                        "--seed",
                        "42");
        assertPrints(expected, run.stdout(), steps == 100, prompt);
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldGenerateTokenByTokenThroughItsExportsLoadingEachBlockOncePerToken(Guests.Mode mode)
            throws Exception {
        assumeModels();
        List<SegmentMemory> made = new ArrayList<>();
        try (GgufModel model = GgufModel.open(GGUF);
                WasiPreview1 wasi =
                        Guests.wasi(
                                new ByteArrayOutputStream(),
                                new ByteArrayOutputStream(),
                                "llama")) {
            Memory64Store store = model.store();
            Instance instance =
                    mode.apply(
                                    Instance.builder(llama())
                                            .withImportValues(imports(store, wasi))
                                            .withMemoryFactory(Guests.segmentMemories(made))
                                            .withStart(false),
                                    llama())
                            .build();
            try {
                int bufferKib = 1024;
                int steps = steps(mode, 200);
                assertEquals(0, (int) Guests.call(instance, "m64_init", bufferKib, steps, 0));
                int vocab = (int) Guests.call(instance, "m64_vocab_size");
                assertEquals(512, vocab);
                int bos = (int) Guests.call(instance, "m64_bos");
                int tokens = (int) Guests.call(instance, "m64_alloc", 4 * 3);
                assertEquals(1, (int) Guests.call(instance, "m64_encode", 0, 0, 1, tokens));
                assertEquals(bos, instance.memory().readInt(tokens));
                int piece = (int) Guests.call(instance, "m64_alloc", 64);

                // Each token loads every block's layer whole, the final norm's and the output
                // head's layers whole, and one row of the embedding: nothing else.
                long perToken = 64 * 4; // one F32 embedding row of width 64
                for (Layer layer : store.layers()) {
                    if (layer.id() != 0) {
                        perToken += layer.size();
                    }
                }
                long before = store.stats().bytesRead();
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                int token = bos;
                int pos = 0;
                while (pos < steps) {
                    int next = (int) Guests.call(instance, "m64_step", token, pos);
                    assertTrue(next >= 0 && next < vocab, "token " + next);
                    pos++;
                    if (next == bos) {
                        break;
                    }
                    int n = (int) Guests.call(instance, "m64_decode_piece", token, next, piece, 64);
                    text.writeBytes(instance.memory().readBytes(piece, n));
                    token = next;
                }
                text.write('\n');
                assertPrints(
                        expectedBytes("greedy-200-empty-prompt.txt"),
                        text.toByteArray(),
                        steps == 200,
                        "");
                assertEquals(perToken * pos, store.stats().bytesRead() - before);
                assertEquals(perToken * pos, Guests.call(instance, "m64_bytes_loaded"));

                // The guest's memory: its stated bound (buffer + KV cache + activations +
                // vocabulary), here under the 1 MiB buffer plus 2 MiB.
                long memoryBytes = (long) instance.memory().pages() * 65536;
                assertTrue(
                        memoryBytes <= (bufferKib << 10) + (2L << 20),
                        "guest memory " + memoryBytes);
            } finally {
                made.forEach(SegmentMemory::close);
            }
        }
    }
}
