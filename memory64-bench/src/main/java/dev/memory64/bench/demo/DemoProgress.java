package dev.memory64.bench.demo;

import dev.memory64.internal.Bytes;
import java.io.Console;
import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress of the demo's long phases on stderr: a bar redrawn in place on a terminal, a line per
 * 10% elsewhere (a CI log), or nothing. The work only advances a counter; a daemon thread reads it
 * and draws, so the timed loops never pay for drawing.
 */
final class DemoProgress implements AutoCloseable {

    /** How progress is shown. */
    enum Mode {
        /** {@link #BAR} when stderr is a terminal, else {@link #LINES}. */
        AUTO,
        /** A bar redrawn in place, then a summary line per phase. */
        BAR,
        /** A line at every 10%, then a summary line per phase. */
        LINES,
        /** Nothing at all. */
        NONE
    }

    private static final int BAR_WIDTH = 24;
    private static final long BAR_PERIOD_MS = 100;
    private static final long LINES_PERIOD_MS = 250;

    private final Mode mode;
    private final PrintStream err;
    private ScheduledExecutorService ticker;

    DemoProgress(Mode mode, PrintStream err) {
        this.mode = mode == Mode.AUTO ? (stderrIsTerminal() ? Mode.BAR : Mode.LINES) : mode;
        this.err = err;
    }

    Mode mode() {
        return mode;
    }

    /**
     * Starts a phase.
     *
     * @param label what is being done, e.g. "guest run"
     * @param total how many bytes in all
     * @param done how many are done so far; read from another thread, so it must be thread-safe
     */
    Phase start(String label, long total, LongSupplier done) {
        return new Phase(label, total, done);
    }

    /** One phase: drawn until {@link #finish()}. */
    final class Phase {
        private final String label;
        private final long total;
        private final LongSupplier done;
        private final long startNanos = System.nanoTime();
        private final ScheduledFuture<?> task;
        private int lastDecile;
        private int barLength;
        private boolean finished;

        private Phase(String label, long total, LongSupplier done) {
            this.label = label;
            this.total = total;
            this.done = done;
            this.task =
                    switch (mode) {
                        case BAR ->
                                ticker().scheduleAtFixedRate(
                                                this::drawBar,
                                                0,
                                                BAR_PERIOD_MS,
                                                TimeUnit.MILLISECONDS);
                        case LINES ->
                                ticker().scheduleAtFixedRate(
                                                this::drawLine,
                                                LINES_PERIOD_MS,
                                                LINES_PERIOD_MS,
                                                TimeUnit.MILLISECONDS);
                        default -> null;
                    };
        }

        private synchronized void drawBar() {
            if (finished) {
                return;
            }
            long now = Math.min(done.getAsLong(), total);
            int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * (double) now / total);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            String bar =
                    String.format(
                            Locale.ROOT,
                            "[%s%s] %3d%% %s %s/%s%s",
                            "#".repeat(filled),
                            ".".repeat(BAR_WIDTH - filled),
                            percent(now),
                            label,
                            Bytes.decimal(now),
                            Bytes.decimal(total),
                            seconds > 0.2 ? " " + gbPerSecond(now, seconds) : "");
            err.print("\r" + bar + " ".repeat(Math.max(0, barLength - bar.length())));
            err.flush();
            barLength = bar.length();
        }

        private synchronized void drawLine() {
            if (finished) {
                return;
            }
            int decile = percent(Math.min(done.getAsLong(), total)) / 10;
            if (decile > lastDecile && decile < 10) {
                lastDecile = decile;
                err.println(label + ": " + decile * 10 + "%");
                err.flush();
            }
        }

        private int percent(long now) {
            return total == 0 ? 100 : (int) (100.0 * now / total);
        }

        /**
         * Stops drawing and writes the phase's summary line (unless the mode is NONE); a second
         * call does nothing.
         */
        void finish() {
            if (task != null) {
                task.cancel(false);
            }
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                if (mode == Mode.NONE) {
                    return;
                }
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                long now = done.getAsLong();
                String summary =
                        String.format(
                                Locale.ROOT,
                                "%s: %s in %.1f s (%s)",
                                label,
                                Bytes.decimal(now),
                                seconds,
                                gbPerSecond(now, seconds));
                if (barLength > 0) {
                    err.print("\r" + " ".repeat(barLength) + "\r");
                }
                err.println(summary);
                err.flush();
            }
        }
    }

    /** Writes a line of its own between phases (a bar in progress is not interrupted). */
    void note(String line) {
        if (mode != Mode.NONE) {
            err.println(line);
            err.flush();
        }
    }

    private synchronized ScheduledExecutorService ticker() {
        if (ticker == null) {
            ticker =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "memory64-demo-progress");
                                t.setDaemon(true);
                                return t;
                            });
        }
        return ticker;
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    static String gbPerSecond(long bytes, double seconds) {
        return String.format(Locale.ROOT, "%.2f GB/s", seconds > 0 ? bytes / seconds / 1e9 : 0.0);
    }

    /**
     * Whether stderr is a terminal: {@code isatty(2)} through the FFM API when this code may call
     * native functions (the bench jar's manifest allows it), else the JDK's console check (which
     * looks at stdin and stdout instead).
     */
    static boolean stderrIsTerminal() {
        try {
            Optional<MethodHandle> isatty =
                    LibC.function(
                            "isatty",
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            if (isatty.isPresent()) {
                return (int) isatty.get().invokeExact(2) == 1;
            }
        } catch (Throwable e) {
            // fall back to the console check
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
