package dev.memory64.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH suite of this module, writes JMH's JSON to {@code bench-results/}, and regenerates
 * {@code docs/PERFORMANCE.md} from it. Run by {@code scripts/bench.sh}; {@code --help} lists the
 * options.
 */
public final class BenchmarkSuite {

    /**
     * The forks' JVM options: a fixed heap, large enough for the 64 MiB guest memories and the
     * origin design's buffers, small enough for its forks to touch it all at start-up ({@link
     * BenchmarkLayerLoad#ORIGIN_JVM_ARG}).
     */
    static final List<String> FORK_JVM_ARGS =
            List.of(
                    "-Xms1g",
                    "-Xmx1g",
                    "--enable-native-access=ALL-UNNAMED",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /** System property: the command as the user typed it, set by {@code scripts/bench.sh}. */
    static final String COMMAND_PROPERTY = "memory64.bench.command";

    private static final String PACKAGE = "dev\\.memory64\\.bench\\.";

    /** Groups of benchmarks, selectable with {@code --only}. */
    private static final Map<String, String> GROUPS =
            Map.of(
                    "load", "BenchmarkLayerLoad",
                    "call", "BenchmarkCall(Cost|Path)",
                    "concurrency", "BenchmarkConcurrency",
                    "model", "BenchmarkModelOpen");

    private BenchmarkSuite() {}

    /**
     * How long and how often: forks, warm-up and measured iterations (time-based benchmarks), and
     * forks and shots of the single-shot model-open benchmark.
     */
    enum Setting {
        /** The default: statistically honest, under 15 minutes on the project's 2-core machine. */
        QUICK(2, 3, 5, 400, 10, 500, 2, 2, 8),
        /**
         * For serious runs, about an hour: more forks rather than more iterations, because on a
         * virtual machine a fork's memory bandwidth can differ from the next fork's by a third.
         */
        FULL(5, 5, 5, 1000, 10, 1000, 5, 3, 10),
        /** Checks that everything runs; its numbers mean nothing. */
        SMOKE(1, 1, 1, 100, 1, 100, 1, 1, 1);

        final int forks;
        final int warmups;
        final int iterations;
        final int iterationMillis;
        final int slowWarmups;
        final int slowMillis;
        final int modelForks;
        final int modelWarmups;
        final int modelShots;

        /**
         * @param forks forks of every time-based benchmark
         * @param warmups warm-up iterations under Chicory's compiler
         * @param iterations measured iterations, everywhere
         * @param iterationMillis the length of an iteration under the compiler
         * @param slowWarmups warm-up iterations of what the JIT takes seconds to compile: Chicory's
         *     interpreter and the call-cost benchmarks
         * @param slowMillis the length of their iterations
         * @param modelForks forks of the model-open benchmark
         * @param modelWarmups its warm-up shots
         * @param modelShots its measured shots
         */
        Setting(
                int forks,
                int warmups,
                int iterations,
                int iterationMillis,
                int slowWarmups,
                int slowMillis,
                int modelForks,
                int modelWarmups,
                int modelShots) {
            this.forks = forks;
            this.warmups = warmups;
            this.iterations = iterations;
            this.iterationMillis = iterationMillis;
            this.slowWarmups = slowWarmups;
            this.slowMillis = slowMillis;
            this.modelForks = modelForks;
            this.modelWarmups = modelWarmups;
            this.modelShots = modelShots;
        }

        String describe() {
            String text =
                    String.format(
                            Locale.ROOT,
                            "%s: %d forks of %d warm-up and %d measured iterations of %d ms;"
                                    + " Chicory's interpreter and the call cost, which the JIT"
                                    + " takes seconds to compile, %d warm-up and %d measured of %d"
                                    + " ms; model open: %d forks of %d warm-up and %d measured"
                                    + " shots",
                            name().toLowerCase(Locale.ROOT),
                            forks,
                            warmups,
                            iterations,
                            iterationMillis,
                            slowWarmups,
                            iterations,
                            slowMillis,
                            modelForks,
                            modelWarmups,
                            modelShots);
            return this == SMOKE
                    ? text + " (a smoke test of the suite: its numbers mean nothing)"
                    : text;
        }
    }

    /**
     * Runs the suite, or regenerates the report.
     *
     * <pre>
     * [--quick | --full | --smoke]  the setting (quick by default)
     * [--only load,call,concurrency,model]  run only these groups
     * [-p name=value,value...]      JMH parameter override, repeatable
     * [--results DIR]               where the JSON goes (bench-results)
     * [--doc FILE]                  the report (docs/PERFORMANCE.md)
     * [--report JSON]               only regenerate the report from a results file
     * </pre>
     *
     * @param args the options above
     * @throws Exception if the suite cannot run or the files cannot be written
     */
    public static void main(String[] args) throws Exception {
        Setting setting = Setting.QUICK;
        Set<String> groups = new LinkedHashSet<>(List.of("load", "call", "concurrency", "model"));
        Map<String, String[]> params = new LinkedHashMap<>();
        Path results = Path.of("bench-results");
        Path doc = Path.of("docs", "PERFORMANCE.md");
        Path reportOnly = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> setting = Setting.QUICK;
                case "--full" -> setting = Setting.FULL;
                case "--smoke" -> setting = Setting.SMOKE;
                case "--only" -> {
                    groups.clear();
                    for (String g : value(args, ++i, arg).split(",")) {
                        if (!GROUPS.containsKey(g)) {
                            throw usage("unknown group \"" + g + "\" in --only");
                        }
                        groups.add(g);
                    }
                }
                case "-p" -> {
                    String p = value(args, ++i, arg);
                    int eq = p.indexOf('=');
                    if (eq <= 0) {
                        throw usage("-p takes name=value[,value...], not \"" + p + "\"");
                    }
                    params.put(p.substring(0, eq), p.substring(eq + 1).split(","));
                }
                case "--results" -> results = Path.of(value(args, ++i, arg));
                case "--doc" -> doc = Path.of(value(args, ++i, arg));
                case "--report" -> reportOnly = Path.of(value(args, ++i, arg));
                case "-h", "--help" -> {
                    System.out.println(HELP);
                    return;
                }
                default -> throw usage("unknown argument \"" + arg + "\"");
            }
        }
        if (reportOnly != null) {
            writeReport(reportOnly, readFacts(reportOnly), doc);
            return;
        }
        run(setting, groups, params, results, doc, args);
    }

    private static final String HELP =
            """
            usage: scripts/bench.sh [--quick | --full | --smoke] [--only GROUPS] [-p name=v1,v2]...
                                    [--results DIR] [--doc FILE]
                   scripts/bench.sh --report bench-results/jmh-DATE.json [--doc FILE]
              --quick    the default: 2 forks, 3 x 400 ms warm-up and 5 x 400 ms measured
                         (Chicory's interpreter and the call cost: 10 x 500 ms and 5 x 500 ms),
                         about 13 minutes on 2 cores
              --full     5 forks, 5 x 1 s warm-up (10 x 1 s), 5 x 1 s measured: about an hour
              --smoke    1 fork, 1 short iteration: checks that everything runs, proves nothing
              --only     comma-separated groups of: load, call, concurrency, model
              -p         override a JMH parameter, e.g. -p size=64MiB
              --results  where JMH's JSON goes (bench-results)
              --doc      the report to regenerate (docs/PERFORMANCE.md)
              --report   regenerate the report from a results file; runs nothing""";

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw usage(option + " needs a value");
        }
        return args[i];
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message + "\n" + HELP);
    }

    private static void run(
            Setting setting,
            Set<String> groups,
            Map<String, String[]> params,
            Path resultsDir,
            Path doc,
            String[] args)
            throws IOException, RunnerException {
        BenchmarkGuests.guestPath(); // fail now, not in every fork
        Instant start = Instant.now();
        Map<String, String> facts = new TreeMap<>(BenchmarkMachine.facts());
        facts.put(BenchmarkReport.DATE, formatDate(start));
        String command = System.getProperty(COMMAND_PROPERTY);
        facts.put(
                BenchmarkReport.COMMAND,
                command != null
                        ? command.strip()
                        : ("java -cp memory64-bench.jar "
                                        + BenchmarkSuite.class.getName()
                                        + " "
                                        + String.join(" ", args))
                                .strip());
        facts.put(BenchmarkReport.SETTING, setting.describe());

        String whyNoCold = groups.contains("model") ? BenchmarkModelOpen.whyNoColdCache() : null;
        facts.put(BenchmarkReport.COLD, whyNoCold == null ? "" : whyNoCold);

        List<Double> loads = new CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "load-sampler");
                            t.setDaemon(true);
                            return t;
                        });
        sampler.scheduleAtFixedRate(
                () -> {
                    double load = BenchmarkMachine.loadAverage();
                    if (!Double.isNaN(load)) {
                        loads.add(load);
                    }
                },
                0,
                5,
                TimeUnit.SECONDS);

        List<RunResult> all = new ArrayList<>();
        try {
            // Chicory's interpreter (one huge method) and the call-cost benchmarks' whole call
            // path take the JIT seconds to compile on 2 busy cores: they get a longer warm-up, in
            // passes of their own; everything under the compiler gets the short one.
            List<String> modes =
                    params.containsKey("mode")
                            ? List.of(params.get("mode"))
                            : List.of("COMPILER", "INTERPRETER");
            List<String> fast = new ArrayList<>();
            if (groups.contains("load")) {
                fast.add(
                        "BenchmarkLayerLoad\\.(plainCopy|chicoryWrite"
                                + (modes.contains("COMPILER") ? "|load|origin" : "")
                                + ")$");
            }
            if (groups.contains("concurrency")) {
                fast.add(GROUPS.get("concurrency") + "\\.");
            }
            if (groups.contains("call")) {
                fast.add("BenchmarkCallPath\\."); // host side only: no guest to compile
            }
            if (!fast.isEmpty()) {
                all.addAll(
                        run(
                                timed(
                                        setting,
                                        setting.warmups,
                                        setting.iterationMillis,
                                        params,
                                        "COMPILER"),
                                fast));
            }
            if (groups.contains("load") && modes.contains("INTERPRETER")) {
                all.addAll(slowPass(setting, params, "INTERPRETER", "BenchmarkLayerLoad\\.load$"));
            }
            if (groups.contains("call")) {
                all.addAll(
                        slowPass(
                                setting, params, null, "BenchmarkCallCost\\.(read|noop|rawCopy)$"));
                // The ten functions' table: a shorter warm-up than the read's, to keep the suite
                // under 15 minutes; each function's path is short and compiles quickly.
                all.addAll(
                        run(
                                timed(
                                        setting,
                                        Math.max(1, setting.slowWarmups * 3 / 5),
                                        setting.slowMillis,
                                        params,
                                        "COMPILER"),
                                List.of("BenchmarkCallCost\\.abi$")));
            }
            if (groups.contains("model")) {
                ChainedOptionsBuilder options =
                        base(params)
                                .include(PACKAGE + GROUPS.get("model") + "\\.")
                                .forks(setting.modelForks)
                                .warmupIterations(setting.modelWarmups)
                                .measurementIterations(setting.modelShots);
                if (whyNoCold != null && !params.containsKey("cache")) {
                    options.param("cache", BenchmarkModelOpen.Cache.WARM.name());
                }
                all.addAll(new Runner(options.build()).run());
            }
        } finally {
            sampler.shutdownNow();
        }

        Duration wall = Duration.between(start, Instant.now());
        facts.put(BenchmarkReport.WALL, formatDuration(wall));
        facts.put(BenchmarkReport.LOAD, describeLoad(loads));

        Files.createDirectories(resultsDir);
        String stamp =
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
                        .withZone(ZoneOffset.UTC)
                        .format(start);
        Path json = resultsDir.resolve("jmh-" + stamp + ".json");
        facts.put(BenchmarkReport.JSON, displayPath(json));
        try (PrintStream out = new PrintStream(json.toFile(), StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(all);
        }
        writeFacts(json, facts);
        System.out.println("memory64: JMH results in " + json);
        writeReport(json, facts, doc);
    }

    /** Runs the benchmarks {@code include} matches with the slow passes' longer warm-up. */
    private static Collection<RunResult> slowPass(
            Setting setting, Map<String, String[]> params, String mode, String include)
            throws RunnerException {
        return run(
                timed(setting, setting.slowWarmups, setting.slowMillis, params, mode),
                List.of(include));
    }

    /** Options of a time-based pass; {@code mode}, if not null, replaces the mode parameter. */
    private static ChainedOptionsBuilder timed(
            Setting setting, int warmups, int millis, Map<String, String[]> params, String mode) {
        Map<String, String[]> passParams = new LinkedHashMap<>(params);
        if (mode != null) {
            passParams.put("mode", new String[] {mode});
        }
        return base(passParams)
                .addProfiler(GCProfiler.class) // the B/op columns
                .forks(setting.forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(millis))
                .measurementIterations(setting.iterations)
                .measurementTime(TimeValue.milliseconds(millis));
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options, List<String> includes)
            throws RunnerException {
        for (String include : includes) {
            options.include(PACKAGE + include);
        }
        return new Runner(options.build()).run();
    }

    private static ChainedOptionsBuilder base(Map<String, String[]> params) {
        ChainedOptionsBuilder options =
                new OptionsBuilder()
                        .jvmArgs(FORK_JVM_ARGS.toArray(String[]::new))
                        .shouldFailOnError(false);
        params.forEach(options::param);
        return options;
    }

    /** Generates the report from a results file and the run's facts, and prints the targets. */
    static void writeReport(Path json, Map<String, String> facts, Path doc) throws IOException {
        List<BenchmarkResult> results =
                BenchmarkResult.readAll(Files.readString(json, StandardCharsets.UTF_8));
        BenchmarkResults run = new BenchmarkResults(results);
        BenchmarkReport report = BenchmarkReport.of(run, facts);
        if (doc.getParent() != null) {
            Files.createDirectories(doc.getParent());
        }
        String old = Files.isRegularFile(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "";
        Files.writeString(
                doc,
                BenchmarkReport.withHandWritten(report.markdown(), old),
                StandardCharsets.UTF_8);
        System.out.println("memory64: wrote " + doc + " from " + results.size() + " results");
        for (BenchmarkTargets.Target t : BenchmarkTargets.judge(run)) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-22s %-8s %-14s %s%n",
                    t.status().text,
                    t.bound(),
                    t.measured() == null ? "-" : t.measured().format("%.2f"),
                    t.target());
        }
    }

    private static Path factsFile(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".properties");
    }

    private static void writeFacts(Path json, Map<String, String> facts) throws IOException {
        Properties properties = new Properties();
        properties.putAll(facts);
        try (Writer out = Files.newBufferedWriter(factsFile(json), StandardCharsets.UTF_8)) {
            properties.store(out, "memory64 benchmark run: what JMH's JSON does not record");
        }
    }

    private static Map<String, String> readFacts(Path json) throws IOException {
        Map<String, String> facts = new TreeMap<>();
        Path file = factsFile(json);
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            properties.stringPropertyNames().forEach(k -> facts.put(k, properties.getProperty(k)));
        } else {
            facts.putAll(BenchmarkMachine.facts());
            facts.put(BenchmarkReport.DATE, "unknown (no " + file.getFileName() + ")");
        }
        facts.put(BenchmarkReport.JSON, displayPath(json));
        return facts;
    }

    private static String displayPath(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    static String formatDate(Instant instant) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                .withZone(ZoneOffset.UTC)
                .format(instant);
    }

    static String formatDuration(Duration d) {
        return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }

    static String describeLoad(Collection<Double> loads) {
        if (loads.isEmpty()) {
            return "";
        }
        double max = 0;
        double sum = 0;
        for (double l : loads) {
            max = Math.max(max, l);
            sum += l;
        }
        return String.format(
                Locale.ROOT,
                "1-minute load average %.1f on average, %.1f at most, sampled every 5 s (on %d"
                        + " cores; the benchmark itself accounts for about 1, or 2 with two"
                        + " threads)",
                sum / loads.size(),
                max,
                Runtime.getRuntime().availableProcessors());
    }
}
