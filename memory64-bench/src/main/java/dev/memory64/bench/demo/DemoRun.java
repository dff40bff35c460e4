package dev.memory64.bench.demo;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.ResidencyPolicy;
import dev.memory64.bench.support.ChecksumGuest;
import dev.memory64.bench.support.ChicoryHost;
import dev.memory64.bench.support.HostChecksum;
import dev.memory64.bench.support.ResidencySpec;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import dev.memory64.gguf.GgufFormatException;
import dev.memory64.internal.Bytes;
import dev.memory64.safetensors.SafetensorsFormatException;
import dev.memory64.testkit.ProcStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The demo's core: opens a GGUF model or safetensors checkpoint as a mapped store and computes
 * every layer's checksum on the host; runs the C guest under Chicory's compiler with WASI and the
 * memory64 host functions, timing its layer loads apart from the rest and checking each checksum it
 * prints against the host's; then times a plain copy of the same bytes into the same guest memory.
 */
final class DemoRun {

    /** The guest's buffer and so the size of its loads; the plain copy uses the same chunks. */
    static final long CHUNK = 16L << 20;

    private static final String LOAD_LAYER = "memory64_load_layer";
    private static final String LOAD_LAYER_RANGE = "memory64_load_layer_range";

    private DemoRun() {}

    /**
     * What a run measured.
     *
     * @param model the model file (the first part of a split model)
     * @param disk the model's size and its allocated size on disk, every part
     * @param layers the layers streamed
     * @param bytes their bytes in all
     * @param hostChecksumSeconds the host computing every checksum in Java
     * @param plainCopySeconds the host copying the same bytes, chunk by chunk, into the guest's
     *     memory after the guest finished
     * @param hostLoopSeconds the same layer-load calls the guest made, made by a host loop back to
     *     back into the guest's memory after the guest finished
     * @param guestSeconds the guest's {@code _start}, from call to exit
     * @param loadSeconds the part of {@code guestSeconds} spent inside the layer-load functions
     * @param loadCalls how many layer-load calls the guest made
     * @param loadBytes how many bytes those calls copied into the guest
     * @param guestMemory the guest memory's class and size
     * @param residency the store's residency policy, as the demo's option spells it
     * @param stats the store's counters over the guest run alone (the window: at its end)
     * @param peakResident this process's peak resident memory (VmHWM), or -1 if unknown
     * @param resident its resident memory at the end, the model still mapped (VmRSS), or -1
     * @param residentFile the file-backed part of that (RssFile), or -1
     * @param why what may make loads inside the guest slower than from the host loop
     * @param problems every disagreement between guest and host; empty on success
     */
    record Result(
            Path model,
            DiskUsage disk,
            int layers,
            long bytes,
            double hostChecksumSeconds,
            double plainCopySeconds,
            double hostLoopSeconds,
            double guestSeconds,
            double loadSeconds,
            long loadCalls,
            long loadBytes,
            String guestMemory,
            String residency,
            Memory64Stats stats,
            long peakResident,
            long resident,
            long residentFile,
            Why why,
            List<String> problems,
            URI url) {}

    /**
     * Measurements that tell apart the causes of a gap between loads inside the guest run and the
     * same loads from a host loop: page faults taken inside the copies (destination or source pages
     * mapped for the first time), and the JIT compiling while each ran.
     *
     * @param loadFaults minor page faults of the guest's thread inside its load calls
     * @param firstLoadMillis the first of those calls, whose destination is still untouched
     * @param firstLoadFaults the page faults inside that first call
     * @param hostLoopFaults the same inside the host loop's load calls
     * @param plainCopyFaults the same inside the plain copies
     * @param guestJitMillis milliseconds the JIT spent compiling during the guest run (all threads)
     * @param compareJitMillis the same during the host loop and plain copy
     */
    record Why(
            long loadFaults,
            double firstLoadMillis,
            long firstLoadFaults,
            long hostLoopFaults,
            long plainCopyFaults,
            long guestJitMillis,
            long compareJitMillis) {}

    /**
     * Runs the demo on a model.
     *
     * @param path the GGUF file or safetensors file, shard or index
     * @param layerLimit streams only layers with an id below it
     * @throws DemoException if the model is not valid GGUF or safetensors, has no layers, or the
     *     guest fails
     * @throws IOException if the model cannot be read
     */
    static Result run(Path path, int layerLimit, DemoProgress progress)
            throws DemoException, IOException {
        return run(path, layerLimit, ResidencyPolicy.off(), progress, () -> {});
    }

    /** As {@link #run(Path, int, DemoProgress)}, with a residency policy on the store. */
    static Result run(Path path, int layerLimit, ResidencyPolicy residency, DemoProgress progress)
            throws DemoException, IOException {
        return run(path, layerLimit, residency, progress, () -> {});
    }

    /** A step between the host's checksums and the guest's run; the seam for tests. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    /**
     * As {@link #run(Path, int, DemoProgress)}, doing {@code beforeGuest} before the guest runs.
     */
    static Result run(Path path, int layerLimit, DemoProgress progress, Step beforeGuest)
            throws DemoException, IOException {
        return run(path, layerLimit, ResidencyPolicy.off(), progress, beforeGuest);
    }

    /**
     * As {@link #run(Path, int, ResidencyPolicy, DemoProgress)} for a model served over HTTP(S):
     * opened by range requests, its bytes fetched into a sparse cache in {@code java.io.tmpdir}.
     */
    static Result run(URI url, int layerLimit, ResidencyPolicy residency, DemoProgress progress)
            throws DemoException, IOException {
        return run(
                url.toString(),
                () -> DemoModel.open(url),
                layerLimit,
                residency,
                progress,
                () -> {});
    }

    /** Opens the model a run streams. */
    private interface Opener {
        DemoModel open() throws IOException;
    }

    private static Result run(
            Path path,
            int layerLimit,
            ResidencyPolicy residency,
            DemoProgress progress,
            Step beforeGuest)
            throws DemoException, IOException {
        return run(
                path.toString(),
                () -> DemoModel.open(path),
                layerLimit,
                residency,
                progress,
                beforeGuest);
    }

    private static Result run(
            String path,
            Opener opener,
            int layerLimit,
            ResidencyPolicy residency,
            DemoProgress progress,
            Step beforeGuest)
            throws DemoException, IOException {
        DemoModel model;
        try {
            model = opener.open();
        } catch (GgufFormatException e) {
            throw new DemoException(
                    path + " is not a GGUF model this demo can use: " + e.getMessage(), e);
        } catch (SafetensorsFormatException e) {
            throw new DemoException(
                    path + " is not a safetensors checkpoint this demo can use: " + e.getMessage(),
                    e);
        }
        try (model) {
            Memory64Store store = model.store();
            store.useResidency(residency);
            List<Layer> layers = new ArrayList<>();
            for (Layer layer : store.layers()) {
                if (layer.id() < layerLimit) {
                    layers.add(layer);
                }
            }
            if (layers.isEmpty()) {
                throw new DemoException(
                        path
                                + " has no layer"
                                + (layerLimit == Integer.MAX_VALUE
                                        ? ""
                                        : " with an id below " + layerLimit)
                                + " (its tensors: "
                                + model.tensors()
                                + ")");
            }
            long bytes = 0;
            for (Layer layer : layers) {
                bytes += layer.size();
            }
            DiskUsage disk =
                    model.paths().isEmpty()
                            ? new DiskUsage(model.size(), -1)
                            : DiskUsage.of(model.paths());

            AtomicLong done = new AtomicLong();
            Map<Integer, DemoVerifier.Expected> expected = new LinkedHashMap<>();
            DemoProgress.Phase phase = progress.start("host checksums", bytes, done::get);
            long start = System.nanoTime();
            try {
                for (Layer layer : layers) {
                    expected.put(
                            layer.id(),
                            new DemoVerifier.Expected(layer, HostChecksum.of(store, layer)));
                    done.addAndGet(layer.size());
                }
            } finally {
                phase.finish();
            }
            double hostChecksumSeconds = (System.nanoTime() - start) / 1e9;

            beforeGuest.run();
            return guest(model, layers, bytes, disk, hostChecksumSeconds, expected, progress);
        }
    }

    /** Seconds of the two comparisons, each over every layer once. */
    private record Comparison(
            double hostLoopSeconds,
            double plainCopySeconds,
            long hostLoopFaults,
            long copyFaults) {}

    /**
     * Times, into the guest's memory at address 0 and in the guest's chunk size, the layers loaded
     * by the same load function the guest called, from a host loop with no guest code between the
     * calls; and the same bytes copied with {@code MemorySegment.copy} (through {@link
     * Memory64Store#copyTo(long, MemorySegment, long)}, which checks the range once per call). The
     * two alternate layer by layer, each going first on every other layer, so that drift in the
     * machine's load and the order of the two weigh on both alike.
     */
    private static Comparison compare(
            HostFunction loadRange,
            Instance instance,
            Memory64Store store,
            List<Layer> layers,
            long bytes,
            SegmentMemory memory,
            DemoProgress progress)
            throws DemoException {
        MemorySegment destination = memory.segment();
        long chunk = Math.min(CHUNK, destination.byteSize());
        AtomicLong done = new AtomicLong();
        DemoProgress.Phase phase = progress.start("host loop and plain copy", 2 * bytes, done::get);
        long hostLoopNanos = 0;
        long plainCopyNanos = 0;
        long hostLoopFaults = 0;
        long copyFaults = 0;
        try {
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                for (int turn = 0; turn < 2; turn++) {
                    boolean hostLoop = (turn == 0) == (i % 2 == 0);
                    long faultsBefore = ProcStatus.threadMinorFaults();
                    long start = System.nanoTime();
                    for (long offset = 0; offset < layer.size(); offset += chunk) {
                        long n = Math.min(chunk, layer.size() - offset);
                        if (hostLoop) {
                            long result =
                                    loadRange.handle().apply(instance, layer.id(), offset, 0, n)[0];
                            if (result != n) {
                                throw new DemoException(
                                        LOAD_LAYER_RANGE
                                                + "(layer_id="
                                                + layer.id()
                                                + ", layer_offset="
                                                + offset
                                                + ", dst_ptr=0, len="
                                                + n
                                                + ") from the host loop returned "
                                                + result);
                            }
                        } else {
                            store.readLayer(layer.id(), offset, destination.asSlice(0, n));
                        }
                        done.addAndGet(n);
                    }
                    long nanos = System.nanoTime() - start;
                    long faults = ProcStatus.threadMinorFaults() - faultsBefore;
                    if (hostLoop) {
                        hostLoopNanos += nanos;
                        hostLoopFaults += faults;
                    } else {
                        plainCopyNanos += nanos;
                        copyFaults += faults;
                    }
                }
            }
        } catch (Memory64Exception e) {
            throw new DemoException("plain copy failed: " + e.getMessage(), e);
        } finally {
            phase.finish();
        }
        return new Comparison(
                hostLoopNanos / 1e9, plainCopyNanos / 1e9, hostLoopFaults, copyFaults);
    }

    /** Counts the calls, bytes and time of the guest's layer loads, which run on its thread. */
    private static final class LoadTimer {
        private final AtomicLong bytes = new AtomicLong();
        private long nanos;
        private long calls;
        private long faults;
        private long firstNanos;
        private long firstFaults;

        HostFunction wrap(HostFunction function) {
            return ChicoryHost.replace(
                    function,
                    (instance, args) -> {
                        long faultsBefore = ProcStatus.threadMinorFaults();
                        long start = System.nanoTime();
                        long[] result = function.handle().apply(instance, args);
                        long took = System.nanoTime() - start;
                        long faulted = ProcStatus.threadMinorFaults() - faultsBefore;
                        if (calls == 0) {
                            firstNanos = took;
                            firstFaults = faulted;
                        }
                        nanos += took;
                        faults += faulted;
                        calls++;
                        if (result[0] >= 0) {
                            bytes.addAndGet(result[0]);
                        }
                        return result;
                    });
        }
    }

    /**
     * Runs the guest over the layers, then times the plain copy into the guest's memory, and
     * gathers the result.
     */
    private static Result guest(
            DemoModel model,
            List<Layer> layers,
            long bytes,
            DiskUsage disk,
            double hostChecksumSeconds,
            Map<Integer, DemoVerifier.Expected> expected,
            DemoProgress progress)
            throws DemoException {
        Memory64Store store = model.store();
        long count = layers.get(layers.size() - 1).id() + 1L;
        WasmModule module = loadGuest();
        DemoVerifier verifier = new DemoVerifier(expected);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        LoadTimer timer = new LoadTimer();
        List<HostFunction> functions = new ArrayList<>();
        HostFunction loadRange = null;
        for (HostFunction f : Memory64HostFunctions.builder(store).build().toHostFunctions()) {
            boolean load = f.name().equals(LOAD_LAYER) || f.name().equals(LOAD_LAYER_RANGE);
            functions.add(load ? timer.wrap(f) : f);
            if (f.name().equals(LOAD_LAYER_RANGE)) {
                loadRange = f;
            }
        }
        List<SegmentMemory> memories = new ArrayList<>();
        Function<MemoryLimits, Memory> memoryFactory =
                ChicoryHost.keeping(SegmentMemory::of, memories);

        int exitCode = 0;
        double guestSeconds;
        double plainCopySeconds;
        double hostLoopSeconds;
        Memory64Stats before;
        Memory64Stats after;
        long jitBefore;
        long guestJit;
        long compareJit;
        Comparison comparison;
        String guestMemory;
        try (OutputStream stdout = DemoVerifier.lines(verifier::accept);
                WasiPreview1 wasi = ChecksumGuest.wasi(stdout, stderr, count)) {
            Instance instance = ChecksumGuest.instantiate(module, wasi, functions, memoryFactory);
            SegmentMemory memory = (SegmentMemory) instance.memory();
            guestMemory =
                    "SegmentMemory ("
                            + memory.backing().name().toLowerCase(Locale.ROOT)
                            + ") "
                            + Bytes.binary((long) memory.pages() * Memory.PAGE_SIZE);

            DemoProgress.Phase phase = progress.start("guest run", bytes, timer.bytes::get);
            jitBefore = jitMillis();
            before = store.stats();
            long start = System.nanoTime();
            try {
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                exitCode = e.exitCode();
            } catch (ChicoryException e) {
                throw new DemoException("the guest failed: " + e, e);
            } finally {
                phase.finish();
            }
            guestSeconds = (System.nanoTime() - start) / 1e9;
            after = store.stats();
            guestJit = jitMillis() - jitBefore;

            // The guest is done with its memory: the comparisons reuse it as their destination.
            long compareJitBefore = jitMillis();
            comparison = compare(loadRange, instance, store, layers, bytes, memory, progress);
            compareJit = jitMillis() - compareJitBefore;
            hostLoopSeconds = comparison.hostLoopSeconds();
            plainCopySeconds = comparison.plainCopySeconds();
        } catch (IOException e) {
            throw new DemoException("closing the guest's stdout failed: " + e.getMessage(), e);
        } finally {
            memories.forEach(SegmentMemory::close);
        }

        List<String> problems = new ArrayList<>();
        String errors = stderr.toString(StandardCharsets.UTF_8).strip();
        if (exitCode != 0) {
            problems.add(
                    "the guest exited with status "
                            + exitCode
                            + (errors.isEmpty() ? "" : ": " + errors.replace('\n', ' ')));
        } else if (!errors.isEmpty()) {
            problems.add("the guest wrote to stderr: " + errors.replace('\n', ' '));
        }
        problems.addAll(verifier.finish());
        return new Result(
                model.paths().isEmpty() ? null : model.paths().get(0),
                disk,
                layers.size(),
                bytes,
                hostChecksumSeconds,
                plainCopySeconds,
                hostLoopSeconds,
                guestSeconds,
                timer.nanos / 1e9,
                timer.calls,
                timer.bytes.get(),
                guestMemory,
                ResidencySpec.format(store.residency()),
                new Memory64Stats(
                        after.reads() - before.reads(),
                        after.writes() - before.writes(),
                        after.bytesRead() - before.bytesRead(),
                        after.bytesWritten() - before.bytesWritten(),
                        after.errors() - before.errors(),
                        after.bytesReleased() - before.bytesReleased(),
                        after.bytesPrefetched() - before.bytesPrefetched(),
                        after.windowBytes()),
                ProcStatus.peakResidentBytes(),
                ProcStatus.residentBytes(),
                ProcStatus.fileResidentBytes(),
                new Why(
                        timer.faults,
                        timer.firstNanos / 1e6,
                        timer.firstFaults,
                        comparison.hostLoopFaults(),
                        comparison.copyFaults(),
                        guestJit,
                        compareJit),
                List.copyOf(problems),
                model.uris().isEmpty() ? null : model.uris().get(0));
    }

    /** Milliseconds the JIT has spent compiling so far, or 0 where the JVM does not tell. */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit.getTotalCompilationTime()
                : 0;
    }

    private static WasmModule loadGuest() throws DemoException {
        try {
            return ChecksumGuest.module();
        } catch (IOException e) {
            throw new DemoException(e.getMessage(), e);
        }
    }
}
