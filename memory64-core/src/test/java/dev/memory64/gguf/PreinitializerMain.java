package dev.memory64.gguf;

import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Run in a fresh JVM by {@link PreinitializerTest}: opens a file that is no model, then a model,
 * and after each prints whether memory64's background start is still running and which logger the
 * host gets from SLF4J (a substitute would mean SLF4J was started on two threads at once).
 */
public final class PreinitializerMain {
    private PreinitializerMain() {}

    /**
     * Opens {@code args[1]} (not a model), then {@code args[0]} (a model).
     *
     * @param args the two files
     * @throws Exception if the model does not open
     */
    public static void main(String[] args) throws Exception {
        // The failing open first: it is the one that starts the background work.
        try (GgufModel model = GgufModel.open(Path.of(args[1]))) {
            report("FAILED: opened " + model);
        } catch (GgufFormatException e) {
            report("refused");
        }
        try (GgufModel model = GgufModel.open(Path.of(args[0]))) {
            report("opened " + model.store().layers().size() + " layers");
        }
    }

    private static void report(String outcome) {
        boolean running = false;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            running |= thread.getName().equals("memory64-preinit") && thread.isAlive();
        }
        System.out.println(
                outcome
                        + " running="
                        + running
                        + " logger="
                        + LoggerFactory.getLogger("host").getClass().getName());
    }
}
