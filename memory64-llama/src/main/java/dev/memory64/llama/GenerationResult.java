package dev.memory64.llama;

/**
 * What a generation produced and what it cost.
 *
 * @param text the prompt as the model's tokens spell it back (without the space the tokenizer puts
 *     first), then the generated text: what run.c prints, less its final newline; a character split
 *     over tokens that the generation cut is replaced by U+FFFD
 * @param promptTokens the prompt's tokens, the beginning-of-sequence token included
 * @param positions the positions the guest ran (one forward pass each)
 * @param stopReason why it stopped
 * @param nanos the time the generation took, in nanoseconds
 * @param weightBytes bytes of weights the guest loaded from the store during it (0 when the
 *     listener closed the {@link Llama}, which frees the guest at once)
 * @param loadNanos nanoseconds the guest spent in those loads, by its clock (0 likewise)
 */
public record GenerationResult(
        String text,
        int promptTokens,
        int positions,
        StopReason stopReason,
        long nanos,
        long weightBytes,
        long loadNanos) {

    /**
     * Returns the tokens the model sampled: the positions past the prompt's.
     *
     * @return the sampled tokens' count
     */
    public int generatedTokens() {
        return Math.max(0, positions - (promptTokens - 1));
    }
}
