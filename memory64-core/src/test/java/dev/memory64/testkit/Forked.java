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
 * A process a test forks (a JVM of its own, a peer tool), run to its end and checked to end well.
 */
public final class Forked {

    /**
     * What a process printed.
     *
     * @param out its standard output
     * @param err its standard error
     */
    public record Output(String out, String err) {}

    private Forked() {}

    /**
     * The command that runs {@code main} in a JVM of this JDK, SLF4J's simple logger at WARN.
     *
     * @param options JVM options, before the class path
     * @param main the main class
     * @param classpath classes whose code sources make the class path
     * @param args the main class's arguments
     * @return the command
     * @throws Exception if a class's location is not a path
     */
    public static List<String> java(
            List<String> options, Class<?> main, List<Class<?>> classpath, List<String> args)
            throws Exception {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : classpath) {
            entries.add(
                    Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                            .toString());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, entries));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /**
     * Runs a command with no input and asserts that it ends within the time with exit status 0.
     *
     * @param command the command
     * @param seconds how long it may take
     * @param what what it is, for the failure's message
     * @return what it printed
     * @throws Exception if it cannot be started or read
     */
    public static Output run(List<String> command, long seconds, String what) throws Exception {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), what + " did not end");
        assertEquals(0, process.exitValue(), out + err);
        return new Output(out, err);
    }
}
