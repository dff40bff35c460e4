package dev.memory64.llama;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The README's generation example. The lines between the two marker comments are, byte for byte
 * after removing their indentation, the README's Java block in "Generating text": {@code
 * GuideBlocksTest} (memory64-chicory) checks that, and {@link ReadmeLlamaExampleTest} runs this
 * method.
 */
final class ReadmeLlamaExample {

    private ReadmeLlamaExample() {}

    /**
     * Writes what llama2.c's run.c prints for a model, a prompt and 256 steps, greedily.
     *
     * @param modelFile the model (stories260K)
     * @param out where the text goes
     * @return the generation's result
     */
    static GenerationResult run(Path modelFile, PrintStream out) throws IOException {
        // readme-llama:begin
        try (Llama llama =
                Llama.builder(modelFile)
                        .withRuntime(GuestRuntime.CHICORY) // or CHICORY_INTERPRETER, ENDIVE
                        .withMaxPositions(512) // KV cache; default: the model's context length
                        .open()) {
            // 256 positions, the prompt's included; llama.cancel() from any thread stops it.
            GenerationResult result =
                    llama.generate(
                            "Once upon a time, a dog",
                            GenerationOptions.greedy(256),
                            (token, piece) -> out.writeBytes(piece));
            out.println();
            return result;
        }
        // readme-llama:end
    }
}
