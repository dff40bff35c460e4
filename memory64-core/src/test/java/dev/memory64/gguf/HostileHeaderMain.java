package dev.memory64.gguf;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens each file given and prints one line per file: {@code refused NAME MS FIELD} when the open
 * ends in a {@link GgufFormatException}, else {@code FAILED NAME what happened}. Run in a JVM of a
 * small heap by {@link GgufHostileHeaderTest}, so that an open whose heap grows with what the
 * header holds ends in {@link OutOfMemoryError} there.
 */
public final class HostileHeaderMain {
    private HostileHeaderMain() {}

    /**
     * Opens the files.
     *
     * @param args the files
     */
    public static void main(String[] args) {
        for (String arg : args) {
            Path file = Path.of(arg);
            long start = System.nanoTime();
            String outcome;
            try (GgufModel model = GgufModel.open(file)) {
                outcome = "FAILED " + file.getFileName() + " opened: " + model;
            } catch (GgufFormatException e) {
                outcome =
                        String.format(
                                Locale.ROOT,
                                "refused %s %d %s",
                                file.getFileName(),
                                (System.nanoTime() - start) / 1_000_000,
                                e.field());
            } catch (Throwable e) {
                outcome = "FAILED " + file.getFileName() + " " + e;
            }
            System.out.println(outcome);
        }
    }
}
