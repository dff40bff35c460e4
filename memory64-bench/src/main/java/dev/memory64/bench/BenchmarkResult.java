package dev.memory64.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's result as JMH writes it to its JSON file: the benchmark, its parameters, the
 * score with the half-width of its 99.9% confidence interval, and the settings it ran with.
 *
 * @param benchmark the class's simple name and the method, {@code BenchmarkLayerLoad.load}
 * @param mode JMH's mode: {@code thrpt}, {@code avgt} or {@code ss}
 * @param threads threads running the benchmark at once
 * @param forks forked JVMs
 * @param params the parameters, by name
 * @param score the score, in {@code unit}
 * @param error the half-width of the score's 99.9% confidence interval, NaN if JMH had too few
 *     samples to give one
 * @param unit the score's unit, {@code ops/s}, {@code ns/op} or {@code ms/op}
 * @param samples measured iterations over all forks
 * @param forkMeans each fork's mean score, in fork order
 * @param warmup warm-up iterations and their time, {@code 3 x 500 ms}
 * @param measurement measured iterations and their time
 * @param jdk the JDK version, VM name and VM version of the forks
 * @param jvmArgs the forks' JVM arguments
 * @param secondary the profilers' metrics by name, such as {@link #ALLOCATED}
 */
record BenchmarkResult(
        String benchmark,
        String mode,
        int threads,
        int forks,
        Map<String, String> params,
        double score,
        double error,
        String unit,
        int samples,
        List<Double> forkMeans,
        String warmup,
        String measurement,
        String jdk,
        List<String> jvmArgs,
        Map<String, Measure> secondary) {

    /** JMH's {@code -prof gc} metric: bytes allocated per operation. */
    static final String ALLOCATED = "gc.alloc.rate.norm";

    BenchmarkResult {
        params = Map.copyOf(params);
        secondary = Map.copyOf(secondary);
        forkMeans = List.copyOf(forkMeans);
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** The parameter's value, or null. */
    String param(String name) {
        return params.get(name);
    }

    /** The score and its error. */
    Measure measure() {
        return new Measure(score, error);
    }

    /** A secondary metric (a profiler's), or null if the run has none of that name. */
    Measure secondary(String name) {
        return secondary.get(name);
    }

    /**
     * Reads every result of a JMH JSON result file.
     *
     * @throws IllegalArgumentException if the text is not JMH's JSON
     */
    static List<BenchmarkResult> readAll(String json) {
        if (!(BenchmarkJson.parse(json) instanceof List<?> list)) {
            throw new IllegalArgumentException("a JMH result file is a JSON array");
        }
        List<BenchmarkResult> results = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("a JMH result is a JSON object: " + item);
            }
            results.add(of(map));
        }
        return results;
    }

    private static BenchmarkResult of(Map<?, ?> map) {
        String benchmark = string(map, "benchmark");
        int method = benchmark.lastIndexOf('.');
        int type = benchmark.lastIndexOf('.', method - 1);
        Map<String, String> params = new LinkedHashMap<>();
        if (map.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<?, ?> primary = (Map<?, ?>) required(map, "primaryMetric");
        int samples = 0;
        List<Double> forkMeans = new ArrayList<>();
        if (primary.get("rawData") instanceof List<?> forks) {
            for (Object fork : forks) {
                List<?> values = (List<?>) fork;
                samples += values.size();
                double sum = 0;
                for (Object v : values) {
                    sum += BenchmarkJson.number(v);
                }
                if (!values.isEmpty()) {
                    forkMeans.add(sum / values.size());
                }
            }
        }
        List<String> jvmArgs = new ArrayList<>();
        if (map.get("jvmArgs") instanceof List<?> args) {
            args.forEach(a -> jvmArgs.add(String.valueOf(a)));
        }
        Map<String, Measure> secondary = new LinkedHashMap<>();
        if (map.get("secondaryMetrics") instanceof Map<?, ?> metrics) {
            metrics.forEach(
                    (k, v) -> {
                        if (v instanceof Map<?, ?> metric
                                && metric.get("score") != null
                                && metric.get("scoreError") != null) {
                            secondary.put(
                                    String.valueOf(k),
                                    new Measure(
                                            BenchmarkJson.number(metric.get("score")),
                                            BenchmarkJson.number(metric.get("scoreError"))));
                        }
                    });
        }
        return new BenchmarkResult(
                benchmark.substring(type + 1),
                string(map, "mode"),
                (int) BenchmarkJson.number(required(map, "threads")),
                (int) BenchmarkJson.number(required(map, "forks")),
                params,
                BenchmarkJson.number(required(primary, "score")),
                BenchmarkJson.number(required(primary, "scoreError")),
                string(primary, "scoreUnit"),
                samples,
                forkMeans,
                iterations(map, "warmup"),
                iterations(map, "measurement"),
                map.get("jdkVersion") + " (" + map.get("vmName") + " " + map.get("vmVersion") + ")",
                jvmArgs,
                secondary);
    }

    /** {@code 5 x 500 ms}, or {@code 8 shots} in single-shot mode, whose time JMH ignores. */
    private static String iterations(Map<?, ?> map, String phase) {
        Object count = map.get(phase + "Iterations");
        Object time = map.get(phase + "Time");
        String n = count == null ? "?" : String.valueOf((int) BenchmarkJson.number(count));
        return time == null || "ss".equals(map.get("mode")) ? n + " shots" : n + " x " + time;
    }

    private static Object required(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("a JMH result has no \"" + key + "\": " + map);
        }
        return value;
    }

    private static String string(Map<?, ?> map, String key) {
        return String.valueOf(required(map, key));
    }
}
