package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The tests' child processes: a forked JVM on chosen classes, or another program. */
public final class Processes {

    /**
     * What a process printed.
     *
     * @param out its standard output
     * @param err its standard error
     */
    public record Output(String out, String err) {}

    private Processes() {}

    /**
     * The command that runs {@code main} in a new JVM of this JVM's {@code java}: the options, a
     * class path made of the code sources (jars or class directories) of the classes given, the
     * main class and its arguments. Logging is at WARN unless an option says otherwise.
     *
     * @param options the JVM's options
     * @param classpath classes whose code sources make the class path
     * @param main the main class
     * @param args its arguments
     * @return the command
     * @throws Exception if a code source is not a path
     */
    public static List<String> java(
            List<String> options, List<Class<?>> classpath, Class<?> main, List<String> args)
            throws Exception {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : classpath) {
            entries.add(
                    Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                            .toString());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(options);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, entries));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /**
     * Runs a command with its input closed, and checks that it ends within the time with status 0.
     *
     * @param what the process, for a failure's message ("the forked JVM")
     * @param command the command
     * @param seconds how long it may take
     * @return what it printed
     * @throws Exception if it cannot be started or read
     */
    public static Output run(String what, List<String> command, int seconds) throws Exception {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), what + " did not end");
        assertEquals(0, process.exitValue(), out + err);
        return new Output(out, err);
    }
}
