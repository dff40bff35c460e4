package dev.memory64.bench;

import dev.memory64.MemoryLayout;
import java.util.Map;

/** The runnable demo. */
public final class Demo {
    private Demo() {}

    /**
     * Runs the demo.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        MemoryLayout layout =
                MemoryLayout.multi(
                        Map.entry("embeddings", 5L),
                        Map.entry("layers-0", 60L),
                        Map.entry("layers-1", 60L),
                        Map.entry("layers-2", 60L),
                        Map.entry("layers-3", 60L));
        System.out.print(layout.describe());
    }
}
