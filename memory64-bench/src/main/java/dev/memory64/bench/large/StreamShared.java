package dev.memory64.bench.large;

import dev.memory64.RemoteOptions;
import dev.memory64.ResidencyPolicy;
import dev.memory64.bench.support.ResidencySpec;
import dev.memory64.gguf.GgufModel;
import dev.memory64.internal.Bytes;
import dev.memory64.s3.LoopbackS3;
import dev.memory64.s3.S3Options;
import dev.memory64.testkit.Nginx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@code scripts/stream-remote.sh --s3} and {@code --processes N}: many hosts, one model. Writes
 * (once) the model {@link StreamRemote} streams, serves it from S3Proxy on the loopback (uploaded
 * with the SDK, read by {@code s3://}, V4 signatures) or from nginx, and starts N JVMs that open it
 * at once, each with a cold cache of its own, and stream every layer once as {@link StreamRemote}
 * does. Each checks every layer's checksum against the local file's; the parent prints each
 * process's rate and the aggregate over the span from the first start to the last end (all start
 * together, after every one has opened the model).
 */
public final class StreamShared {

    private StreamShared() {}

    static final String USAGE =
            """
            usage: scripts/stream-remote.sh --s3 [--processes N] [options]
                   scripts/stream-remote.sh --processes N [options]

            Many hosts, one model: starts S3Proxy (--s3) or nginx on 127.0.0.1 over DIR, and N
            JVMs (default 1) that each open the model (s3://models/NAME or http://.../NAME) with
            a cold cache of their own in DIR/cache-K, wait until all have opened it, stream every
            layer once in 16 MiB range reads and check every layer's checksum against the local
            file's. Prints each process's rate and the aggregate.

            options: [--dir DIR] [--gb GB] [--chunk-mib N] [--parallel N]
                     [--residency off|layers:B:A|bytes:B_MIB:A_MIB]   (as without --processes)
            """;

    /** The bucket the model is uploaded to. */
    private static final String BUCKET = "models";

    /**
     * Runs the parent, or with {@code --child} one streaming process.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "memory64-remote");
        long gb = 2;
        int processes = 1;
        boolean s3 = false;
        List<String> forwarded = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--s3" -> {
                        s3 = true;
                        continue;
                    }
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        System.exit(0);
                    }
                    case "--dir" -> dir = Path.of(StreamRemote.need(v, a));
                    case "--gb" -> gb = Long.parseLong(StreamRemote.need(v, a));
                    case "--processes" -> processes = Integer.parseInt(StreamRemote.need(v, a));
                    case "--chunk-mib", "--parallel", "--residency" ->
                            forwarded.addAll(List.of(a, StreamRemote.need(v, a)));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (gb < 1 || processes < 1) {
                throw new IllegalArgumentException("--gb and --processes: at least 1");
            }
            options(forwarded.toArray(String[]::new), 0); // refuse bad values here, not N times
        } catch (IllegalArgumentException e) {
            System.err.println("stream-remote: " + e.getMessage() + "; try --help");
            System.exit(2);
            return;
        }
        LargeModel.Written written = LargeModel.realData(gb).ensure(dir, new AtomicLong());
        Path file = written.path();
        String name = file.getFileName().toString();
        List<Long> expected;
        StreamRemote.Pass local;
        try (Arena arena = Arena.ofConfined();
                GgufModel model = GgufModel.open(file)) {
            local = StreamRemote.stream(model.store(), arena.allocate(StreamRemote.PIECE, 4096));
            expected = local.checksums();
        }
        Path checksums = dir.resolve("checksums-" + name + ".txt");
        Files.writeString(
                checksums,
                expected.stream().map(String::valueOf).collect(Collectors.joining("\n")));
        Path work = Files.createTempDirectory("memory64-shared");
        boolean ok;
        if (s3) {
            Path buckets = Files.createDirectories(dir.resolve("s3"));
            try (LoopbackS3 server = LoopbackS3.start(buckets)) {
                // S3Proxy keeps an object as a file under its bucket's directory: upload once.
                Path stored = buckets.resolve(BUCKET).resolve(name);
                URI uri = URI.create("s3://" + BUCKET + "/" + name);
                if (!Files.isRegularFile(stored) || Files.size(stored) != Files.size(file)) {
                    long start = System.nanoTime();
                    uri = server.put(BUCKET, name, file);
                    System.err.printf(
                            Locale.ROOT,
                            "stream-remote: uploaded %s to %s in %.1f s%n",
                            name,
                            uri,
                            (System.nanoTime() - start) / 1e9);
                }
                List<String> child = new ArrayList<>(forwarded);
                child.addAll(List.of("--endpoint", server.endpoint().toString()));
                ok = run(uri, processes, dir, child, checksums, local);
            }
        } else {
            try (Nginx nginx = StreamRemote.nginx(dir, work)) {
                ok = run(nginx.uri(name), processes, dir, forwarded, checksums, local);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** Starts the children, lets them stream together, prints their rates; true if all matched. */
    private static boolean run(
            URI uri,
            int processes,
            Path dir,
            List<String> forwarded,
            Path checksums,
            StreamRemote.Pass local)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        for (int k = 0; k < processes; k++) {
            Path cache = Files.createDirectories(dir.resolve("cache-" + k));
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    java,
                                    "-Xmx512m",
                                    "--enable-native-access=ALL-UNNAMED",
                                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    StreamShared.class.getName(),
                                    "--child",
                                    uri.toString(),
                                    cache.toString(),
                                    checksums.toString()));
            command.addAll(forwarded);
            Process p =
                    new ProcessBuilder(command)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            children.add(p);
            outputs.add(
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }
        for (BufferedReader out : outputs) {
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IOException("a streaming process did not open the model: " + line);
            }
        }
        for (Process p : children) {
            OutputStream in = p.getOutputStream();
            in.write('\n');
            in.flush();
        }
        List<Result> results = new ArrayList<>();
        for (int k = 0; k < processes; k++) {
            String line = outputs.get(k).readLine();
            children.get(k).waitFor();
            results.add(Result.parse(line));
        }
        long bytes = results.stream().mapToLong(Result::bytes).sum();
        long first = results.stream().mapToLong(Result::startMillis).min().orElseThrow();
        long last = results.stream().mapToLong(Result::endMillis).max().orElseThrow();
        boolean ok = results.stream().allMatch(Result::matched);
        System.out.printf(
                Locale.ROOT, "model                  %s, %s%n", uri, Bytes.decimal(local.bytes()));
        System.out.printf(
                Locale.ROOT, "local mapped           %.2f GB/s (this process)%n", local.rate());
        for (int k = 0; k < processes; k++) {
            Result r = results.get(k);
            System.out.printf(
                    Locale.ROOT,
                    "process %-2d             %.2f s, %.2f GB/s, cold cache, %s%n",
                    k + 1,
                    r.nanos() / 1e9,
                    r.bytes() / (double) r.nanos(),
                    r.matched() ? "checksums match" : "CHECKSUMS DIFFER");
        }
        System.out.printf(
                Locale.ROOT,
                "aggregate              %d processes, %s in %.2f s, %.2f GB/s%n",
                processes,
                Bytes.decimal(bytes),
                (last - first) / 1e3,
                bytes / ((last - first) * 1e6));
        System.out.printf(
                Locale.ROOT,
                "checksums              %s%n",
                ok ? "every layer of every process matches the local file" : "some differ");
        return ok;
    }

    /** What one child printed: its bytes, its stream time, when it ran, whether it matched. */
    record Result(long bytes, long nanos, long startMillis, long endMillis, boolean matched) {
        static Result parse(String line) throws IOException {
            String[] f = line == null ? new String[0] : line.split(" ");
            if (f.length != 6 || !f[0].equals("done")) {
                throw new IOException("a streaming process failed: " + line);
            }
            return new Result(
                    Long.parseLong(f[1]),
                    Long.parseLong(f[2]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[4]),
                    Boolean.parseBoolean(f[5]));
        }
    }

    /** One process: open, say "ready", wait for a line, stream once, print the result. */
    private static void child(String[] args) throws Exception {
        URI uri = URI.create(args[1]);
        Path cache = Path.of(args[2]);
        List<Long> expected =
                Files.readAllLines(Path.of(args[3])).stream().map(Long::valueOf).toList();
        ChildOptions options = options(args, 4);
        RemoteOptions remote = options.remote;
        if (options.endpoint != null) {
            remote =
                    remote.withTransport(
                            S3Options.defaults()
                                    .withEndpoint(options.endpoint)
                                    .withPathStyle(true)
                                    .withRegion("us-east-1")
                                    .withCredentials(LoopbackS3.ACCESS_KEY, LoopbackS3.SECRET_KEY)
                                    .transport());
        }
        try (Arena arena = Arena.ofConfined();
                GgufModel model =
                        GgufModel.builder(uri)
                                .withCacheDirectory(cache)
                                .withRemoteOptions(remote)
                                .open()) {
            model.store().useResidency(options.residency);
            MemorySegment buffer = arena.allocate(StreamRemote.PIECE, 4096);
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            long start = System.currentTimeMillis();
            StreamRemote.Pass pass = StreamRemote.stream(model.store(), buffer);
            long end = System.currentTimeMillis();
            System.out.printf(
                    Locale.ROOT,
                    "done %d %d %d %d %b%n",
                    pass.bytes(),
                    pass.nanos(),
                    start,
                    end,
                    pass.checksums().equals(expected));
        }
    }

    /** A child's fetch options. */
    record ChildOptions(RemoteOptions remote, ResidencyPolicy residency, URI endpoint) {}

    /** Parses the options a child is given, from {@code from}. */
    private static ChildOptions options(String[] args, int from) {
        RemoteOptions remote = RemoteOptions.defaults();
        ResidencyPolicy residency = ResidencyPolicy.bytes(256L << 20, 512L << 20);
        URI endpoint = null;
        for (int i = from; i < args.length; i += 2) {
            String v = StreamRemote.need(i + 1 < args.length ? args[i + 1] : null, args[i]);
            switch (args[i]) {
                case "--chunk-mib" -> remote = remote.withChunkSize(Long.parseLong(v) << 20);
                case "--parallel" -> remote = remote.withParallelFetches(Integer.parseInt(v));
                case "--residency" -> residency = ResidencySpec.parse(v);
                case "--endpoint" -> endpoint = URI.create(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new ChildOptions(remote, residency, endpoint);
    }
}
