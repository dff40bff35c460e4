package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.testkit.Processes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failing call logs, at DEBUG, the call as the guest made it (every operand by its ABI name, a
 * layer id signed and the rest unsigned), the code and why: read from a forked JVM whose ABI logger
 * is at DEBUG, the one place that logger is on.
 */
class AbiDebugLogTest {

    private static final String PREFIX = "DEBUG " + Memory64Abi.class.getName() + " - ";

    @Test
    void eachFailureLogsTheCallsOperandsCodeAndReason() throws Exception {
        Processes.Output output =
                Processes.run(
                        "the forked JVM",
                        Processes.java(
                                List.of(
                                        "-Dorg.slf4j.simpleLogger.log."
                                                + Memory64Abi.class.getName()
                                                + "=debug",
                                        "-Dorg.slf4j.simpleLogger.logFile=System.out",
                                        "-Dorg.slf4j.simpleLogger.showThreadName=false"),
                                List.of(
                                        AbiDebugLogMain.class,
                                        Memory64Abi.class,
                                        org.slf4j.LoggerFactory.class,
                                        // The binding these tests run with: slf4j-simple.
                                        org.slf4j.LoggerFactory.getILoggerFactory().getClass()),
                                AbiDebugLogMain.class,
                                List.of()),
                        60);
        String out = output.out() + output.err();
        List<List<String>> logged = new ArrayList<>();
        List<Integer> results = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("CALL ")) {
                logged.add(new ArrayList<>());
            } else if (line.startsWith("RESULT ")) {
                results.add(Integer.parseInt(line.substring("RESULT ".length())));
            } else if (line.startsWith(PREFIX) && !logged.isEmpty()) {
                logged.getLast().add(line.substring(PREFIX.length()));
            }
        }
        assertEquals(AbiDebugLogMain.CASES.size(), logged.size(), out);
        for (int i = 0; i < logged.size(); i++) {
            String expected = AbiDebugLogMain.CASES.get(i).expected();
            assertEquals(List.of(expected), logged.get(i), out);
            String code = expected.substring(expected.indexOf(" (") + 2, expected.indexOf("):"));
            assertEquals(Integer.parseInt(code), results.get(i), expected);
        }
    }

    /** The guide's example DEBUG line is one the library logs: the first case's. */
    @Test
    void theGuidesExampleLineIsTheLineLogged() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!java.nio.file.Files.isRegularFile(root.resolve("docs/GUIDE.md"))) {
            root = root.getParent();
        }
        String guide = java.nio.file.Files.readString(root.resolve("docs/GUIDE.md"));
        String row =
                guide.lines()
                        .filter(
                                l ->
                                        l.startsWith(
                                                "| `" + Memory64Abi.class.getName() + "` | DEBUG"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(row.contains("(`" + AbiDebugLogMain.CASES.get(0).expected() + "`"), row);
    }
}
