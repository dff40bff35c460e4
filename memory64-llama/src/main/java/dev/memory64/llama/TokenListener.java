package dev.memory64.llama;

/**
 * Receives each token of a generation as it is produced, on the generating thread.
 *
 * <p>The prompt's tokens after the first come first, as llama2.c's {@code run.c} prints them, then
 * the sampled ones. Writing every piece to a stream gives exactly what {@code run.c} prints, less
 * its final newline.
 */
@FunctionalInterface
public interface TokenListener {

    /**
     * Called once per token.
     *
     * @param token the token's id in the model's vocabulary
     * @param piece the bytes the token adds to the text: UTF-8, but a character may be split over
     *     several tokens' pieces (byte tokens); empty for a token that prints nothing
     */
    void onToken(int token, byte[] piece);
}
