package dev.memory64.bench.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The runnable demo, {@code scripts/demo.sh}: streams every layer of a GGUF model larger than 4 GiB
 * through a 32-bit WebAssembly guest under Chicory and checks what the guest saw against the host.
 * {@code --help} explains the options.
 */
public final class Demo {

    /** Exit status: every checksum matched. */
    static final int OK = 0;

    /** Exit status: the run failed (a mismatch, an invalid model, too little disk space). */
    static final int FAILED = 1;

    /** Exit status: bad usage. */
    static final int USAGE = 2;

    private static final int MAX_PROBLEMS_SHOWN = 20;

    private Demo() {}

    /**
     * Runs the demo and exits with its status: 0 when every checksum matched, 1 when the run
     * failed, 2 on bad usage.
     *
     * @param args the command line; {@code --help} lists the options
     */
    public static void main(String[] args) {
        // The library logs each store it opens at INFO; the demo's own output says what matters.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args, DemoSample.Spec.DEFAULT, System.out, System.err));
    }

    /**
     * Runs the demo with a given sample shape, printing to the given streams.
     *
     * @return the exit status
     */
    static int run(String[] args, DemoSample.Spec spec, PrintStream out, PrintStream err) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (DemoOptions.UsageException e) {
            err.println("demo: " + e.getMessage() + "; try --help");
            return USAGE;
        }
        if (options.help()) {
            out.print(DemoOptions.usage());
            return OK;
        }
        try (DemoProgress progress = new DemoProgress(options.progress(), err)) {
            Path model = options.model();
            boolean written = false;
            if (model == null && options.url() == null) {
                DemoSample.Prepared sample = DemoSample.ensure(options.dir(), spec, progress);
                if (sample.reused()) {
                    progress.note("reusing the sample model " + sample.path());
                }
                model = sample.path();
                written = !sample.reused();
            }
            DemoRun.Result result =
                    options.url() != null
                            ? DemoRun.run(
                                    options.url(), options.layers(), options.residency(), progress)
                            : DemoRun.run(model, options.layers(), options.residency(), progress);
            out.print(DemoTable.of(result));
            out.flush();
            if (written) {
                progress.note(
                        "note: the sample model was written by this run; run the demo again for"
                                + " steadier numbers (reads of freshly written page cache can be"
                                + " slower for a while on some machines)");
            }
            List<String> problems = result.problems();
            if (!problems.isEmpty()) {
                for (String problem :
                        problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS_SHOWN))) {
                    err.println("demo: " + problem);
                }
                if (problems.size() > MAX_PROBLEMS_SHOWN) {
                    err.println(
                            "demo: ... and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more");
                }
                return FAILED;
            }
            return OK;
        } catch (DemoException e) {
            err.println("demo: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println(
                    "demo: "
                            + (e.getMessage() != null ? e.getMessage() : "I/O error")
                            + " ("
                            + e.getClass().getSimpleName()
                            + ")");
            return FAILED;
        }
    }
}
