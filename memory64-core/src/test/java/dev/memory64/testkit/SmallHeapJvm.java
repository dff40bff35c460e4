package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs a main class in a JVM of a small heap, one line of output per file given: how the hostile
 * header tests show that an open's heap stays bounded (it would end in {@link OutOfMemoryError}
 * there otherwise).
 */
public final class SmallHeapJvm {

    private SmallHeapJvm() {}

    /**
     * Runs {@code main} with the files as arguments and checks it ends well with a line per file.
     *
     * @param heapMiB the JVM's heap
     * @param main the main class
     * @param classpath classes whose code sources make the class path
     * @param files the arguments
     * @return the output's lines, one per file
     * @throws Exception if the JVM cannot run
     */
    public static List<String> run(
            int heapMiB, Class<?> main, List<Class<?>> classpath, List<Path> files)
            throws Exception {
        List<String> args = files.stream().map(Path::toString).toList();
        Processes.Output output =
                Processes.run(
                        "the forked JVM",
                        Processes.java(List.of("-Xmx" + heapMiB + "m"), classpath, main, args),
                        60);
        String out = output.out();
        String err = output.err();
        List<String> lines = out.lines().toList();
        assertEquals(files.size(), lines.size(), out + err);
        return lines;
    }
}
