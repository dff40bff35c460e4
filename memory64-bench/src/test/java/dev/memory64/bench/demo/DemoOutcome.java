package dev.memory64.bench.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What one run of the demo's command line returned and printed, for the demo's tests.
 *
 * @param exit the exit status
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
record DemoOutcome(int exit, String out, String err) {

    /** Runs the demo with these arguments and this sample model, capturing what it prints. */
    static DemoOutcome run(DemoSample.Spec sample, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                Demo.run(
                        args,
                        sample,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new DemoOutcome(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
