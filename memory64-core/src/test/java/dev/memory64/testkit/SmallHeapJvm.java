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

    /**
     * Asserts that each file was refused: its line reads {@code refused NAME ...} with {@code
     * expected.get(i)} as its word {@code at} (the field or the rule at fault); prints each line.
     *
     * @param files the files given to {@link #run}
     * @param lines the lines it returned
     * @param at the index of the word that names the fault
     * @param expected that word for each file
     * @param unit what the line's figures are, for the printed line
     */
    public static void assertRefusedEach(
            List<Path> files, List<String> lines, int at, List<String> expected, String unit) {
        for (int i = 0; i < files.size(); i++) {
            String[] words = lines.get(i).split(" ");
            assertEquals("refused", words[0], lines.get(i));
            assertEquals(files.get(i).getFileName().toString(), words[1]);
            assertEquals(expected.get(i), words[at], lines.get(i));
            System.out.println("hostile header " + lines.get(i) + " " + unit);
        }
    }
}
