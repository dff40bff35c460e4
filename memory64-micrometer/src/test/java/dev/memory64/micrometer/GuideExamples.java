package dev.memory64.micrometer;

import dev.memory64.gguf.GgufModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The Micrometer block of docs/GUIDE.md. The lines between the two marker comments are, byte for
 * byte after removing their indentation, the guide's block: {@code GuideBlocksTest}
 * (memory64-chicory) checks that, and {@link GuideExamplesTest} runs it.
 */
final class GuideExamples {

    private GuideExamples() {}

    /**
     * "Micrometer metrics": binds a model's store's meters, tagged with the model's name.
     *
     * @param model the open model
     * @param registry the application's registry
     */
    static void micrometer(GgufModel model, MeterRegistry registry) {
        // guide-example:begin
        Memory64Metrics.of(model.store(), Tags.of("model", "llama-7b")).bindTo(registry);
        // guide-example:end
    }
}
