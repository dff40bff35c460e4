package dev.memory64.llama;

/**
 * How {@link Llama#generate} generates: the steps and the sampler, as llama2.c's {@code run.c}
 * takes them.
 *
 * @param steps positions to run, the prompt's tokens included (run.c's {@code -n}); 0 for as many
 *     as the guest's KV cache holds ({@link Llama#maxPositions()}), and no more than that in any
 *     case
 * @param temperature 0 for greedy decoding (the most likely token each time), else the softmax's
 *     temperature
 * @param topP nucleus sampling's cumulative probability, in (0, 1); outside it, sampling draws from
 *     the whole distribution
 * @param seed the sampler's seed (run.c's xorshift generator), not 0: the same seed gives the same
 *     text
 */
public record GenerationOptions(int steps, float temperature, float topP, long seed) {

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if steps is negative, temperature negative or not a number,
     *     topP not a number, or seed 0
     */
    public GenerationOptions {
        if (steps < 0) {
            throw new IllegalArgumentException("steps=" + steps + " is negative");
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException(
                    "temperature=" + temperature + " is negative or not a number");
        }
        if (Float.isNaN(topP)) {
            throw new IllegalArgumentException("topP is not a number");
        }
        if (seed == 0) {
            throw new IllegalArgumentException("seed=0: the generator needs a nonzero seed");
        }
    }

    /**
     * Returns greedy decoding for a number of steps (top-p 0.9 and seed 1, which greedy ignores).
     *
     * @param steps positions to run, the prompt's included; 0 for as many as the KV cache holds
     * @return the options
     */
    public static GenerationOptions greedy(int steps) {
        return new GenerationOptions(steps, 0f, 0.9f, 1);
    }

    /**
     * Returns these options with another temperature.
     *
     * @param temperature 0 for greedy, else the softmax's temperature
     * @return the options
     */
    public GenerationOptions withTemperature(float temperature) {
        return new GenerationOptions(steps, temperature, topP, seed);
    }

    /**
     * Returns these options with another top-p.
     *
     * @param topP nucleus sampling's cumulative probability
     * @return the options
     */
    public GenerationOptions withTopP(float topP) {
        return new GenerationOptions(steps, temperature, topP, seed);
    }

    /**
     * Returns these options with another seed.
     *
     * @param seed the sampler's seed, not 0
     * @return the options
     */
    public GenerationOptions withSeed(long seed) {
        return new GenerationOptions(steps, temperature, topP, seed);
    }
}
