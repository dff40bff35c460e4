package dev.memory64.llama;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real model the tests may use, stories260K, in {@code ../shared/models/} beside the project
 * (never committed into it): tests that need it skip with one line where it is absent.
 */
public final class SharedModels {

    /** The folder, from the module's directory (the tests' working directory). */
    public static final Path DIR =
            Path.of("..", "..", "shared", "models").toAbsolutePath().normalize();

    private SharedModels() {}

    /**
     * Returns a file of the folder, or skips the test when the folder is absent.
     *
     * @param name the file's name in the folder
     * @return its path
     */
    public static Path require(String name) {
        Path file = DIR.resolve(name);
        assumeTrue(Files.isRegularFile(file), "skipped: " + file + " is absent (stories260K)");
        return file;
    }
}
