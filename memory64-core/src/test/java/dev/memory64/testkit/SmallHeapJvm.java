package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        List<String> entries = new ArrayList<>();
        for (Class<?> type : classpath) {
            entries.add(
                    Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                            .toString());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heapMiB + "m");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, entries));
        command.add(main.getName());
        for (Path file : files) {
            command.add(file.toString());
        }
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the forked JVM did not end");
        assertEquals(0, process.exitValue(), out + err);
        List<String> lines = out.lines().toList();
        assertEquals(files.size(), lines.size(), out + err);
        return lines;
    }
}
