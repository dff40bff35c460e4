package dev.memory64.bench.large;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.bench.support.ChecksumGuest;
import dev.memory64.bench.support.ChicoryHost;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One run of the C guest {@code layer_checksum.wasm} under Chicory's compiler over a store: the
 * checksums it printed, the time inside its layer loads, and a plain copy of the same bytes timed
 * next to each load.
 */
final class LargeGuest {
    private static final String LOAD_RANGE = "memory64_load_layer_range";

    final Map<Integer, String> checksums = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    SegmentMemory memory;
    double seconds;
    double loadSeconds;
    double copySeconds;
    long copyNanos;
    long loadCalls;
    final SplittableRandom order = new SplittableRandom(11);

    /**
     * Copies what a {@code memory64_load_layer_range(layer_id, layer_offset, dst_ptr, len)} call
     * loads, with {@link Memory64Store#copyTo(long, MemorySegment, long)} (a range check, then
     * {@code MemorySegment.copy}) into the same guest memory, timed.
     */
    void plainCopy(Memory64Store store, Instance instance, long[] args) {
        Layer layer = store.layer((int) args[0]);
        long len = args[3] & 0xFFFF_FFFFL;
        long dst = args[2] & 0xFFFF_FFFFL;
        MemorySegment memory = ((SegmentMemory) instance.memory()).segment();
        if (layer == null
                || args[1] < 0
                || len > layer.size() - args[1]
                || len > memory.byteSize() - dst) {
            return; // the load itself fails and says why
        }
        long start = System.nanoTime();
        try {
            store.readLayer(layer.id(), args[1], memory.asSlice(dst, len));
        } catch (Memory64Exception e) {
            throw new IllegalStateException("plain copy: " + e.getMessage(), e);
        }
        copyNanos += System.nanoTime() - start;
    }

    static LargeGuest run(Memory64Store store, long count) throws IOException {
        LargeGuest g = new LargeGuest();
        WasmModule module = ChecksumGuest.module();
        long[] nanos = {0};
        List<HostFunction> functions = new ArrayList<>();
        for (HostFunction f : Memory64HostFunctions.builder(store).build().toHostFunctions()) {
            if (f.name().equals(LOAD_RANGE)) {
                functions.add(
                        ChicoryHost.replace(
                                f,
                                (instance, args) -> {
                                    // The plain copy of the same bytes into the same guest
                                    // memory, next to each load, first on a random half of
                                    // the calls: so that neither always finds the pages
                                    // warm, nor always pays the residency's periodic work
                                    // (a sweep every 32 MiB is every other 16 MiB call).
                                    boolean copyFirst = g.order.nextBoolean();
                                    if (copyFirst) {
                                        g.plainCopy(store, instance, args);
                                    }
                                    long start = System.nanoTime();
                                    long[] result = f.handle().apply(instance, args);
                                    nanos[0] += System.nanoTime() - start;
                                    if (!copyFirst) {
                                        g.plainCopy(store, instance, args);
                                    }
                                    g.loadCalls++;
                                    return result;
                                }));
            } else {
                functions.add(f);
            }
        }
        Function<MemoryLimits, Memory> factory =
                limits -> {
                    g.memory = SegmentMemory.of(limits);
                    return g.memory;
                };
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = 0;
        try (WasiPreview1 wasi = ChecksumGuest.wasi(stdout, stderr, count)) {
            Instance instance = ChecksumGuest.instantiate(module, wasi, functions, factory);
            long start = System.nanoTime();
            try {
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                exit = e.exitCode();
            }
            g.seconds = (System.nanoTime() - start) / 1e9;
        }
        g.loadSeconds = nanos[0] / 1e9;
        g.copySeconds = g.copyNanos / 1e9;
        if (exit != 0) {
            g.problems.add(
                    "the guest exited with "
                            + exit
                            + ": "
                            + stderr.toString(StandardCharsets.UTF_8).strip());
        }
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            String[] w = line.split(" ");
            if (w.length == 6 && w[0].equals("layer")) {
                g.checksums.put(Integer.parseInt(w[1]), w[5]);
            }
        }
        return g;
    }
}
