package dev.memory64.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What code prints on {@link System#out}: how the tests check the guide's printing examples. */
public final class Printed {

    /** Code that prints. */
    @FunctionalInterface
    public interface Printing {
        /**
         * Runs it.
         *
         * @throws Exception whatever it throws
         */
        void run() throws Exception;
    }

    private Printed() {}

    /**
     * Runs the code with {@link System#out} captured, and puts it back after.
     *
     * @param printing the code
     * @return what it printed, as UTF-8
     * @throws Exception whatever the code throws
     */
    public static String by(Printing printing) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            printing.run();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
