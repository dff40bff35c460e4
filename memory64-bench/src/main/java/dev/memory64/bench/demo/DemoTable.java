package dev.memory64.bench.demo;

import com.dylibso.chicory.wasm.Version;
import dev.memory64.Memory64Stats;
import dev.memory64.internal.Bytes;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The table the demo prints: what was streamed, the seconds and GB/s of the guest run, its loads,
 * the host loop and the plain copy, their ratio, the store's counters and the process's memory.
 */
final class DemoTable {
    private DemoTable() {}

    /**
     * The result as the demo prints it on stdout.
     *
     * @param r what the run measured
     * @return the table, one line per row
     */
    static String of(DemoRun.Result r) {
        StringBuilder sb = new StringBuilder();
        if (r.url() != null) {
            sb.append(
                    fmt(
                            "memory64 demo: %s, %s, fetched by range requests into a sparse cache%n",
                            r.url(), Bytes.decimal(r.disk().size())));
        } else {
            Path name = r.model().getFileName();
            Path dir = r.model().toAbsolutePath().getParent();
            sb.append(
                    fmt(
                            "memory64 demo: %s, %s, mapped read-only (%s)%n",
                            name, r.disk().describe(), dir));
        }
        sb.append(
                fmt(
                        "guest: layer_checksum.wasm, Chicory %s compiler, WASI, %s%n%n",
                        Version.version(), r.guestMemory()));
        int bad = r.problems().size();
        sb.append(
                fmt(
                        "  layers         %d streamed by id; %s%n",
                        r.layers(),
                        bad == 0
                                ? "every checksum matches the host's"
                                : bad + " problem(s), see stderr: FAILED"));
        sb.append(
                fmt(
                        "  bytes          %s (%s)%n%n",
                        Bytes.decimal(r.bytes()), Bytes.binary(r.bytes())));
        sb.append("                 seconds    GB/s\n");
        double checksumSeconds = Math.max(0, r.guestSeconds() - r.loadSeconds());
        row(
                sb,
                "guest run",
                r.guestSeconds(),
                r.bytes(),
                "end to end: layer loads + the checksum loop in Wasm");
        row(
                sb,
                "  loads",
                r.loadSeconds(),
                r.loadBytes(),
                "inside memory64_load_layer_range (" + r.loadCalls() + " calls)");
        row(sb, "  checksum", checksumSeconds, r.bytes(), "the rest: the guest's checksum loop");
        row(
                sb,
                "host loop",
                r.hostLoopSeconds(),
                r.bytes(),
                "the same load calls from a host loop, back to back");
        row(
                sb,
                "plain copy",
                r.plainCopySeconds(),
                r.bytes(),
                "MemorySegment.copy of the same bytes into the same guest memory");
        row(
                sb,
                "host checksum",
                r.hostChecksumSeconds(),
                r.bytes(),
                "the same checksum in Java, to verify");
        double copyRate = rate(r.bytes(), r.plainCopySeconds());
        double hostLoopRatio = copyRate > 0 ? rate(r.bytes(), r.hostLoopSeconds()) / copyRate : 0;
        double guestRatio = copyRate > 0 ? rate(r.loadBytes(), r.loadSeconds()) / copyRate : 0;
        sb.append(
                fmt(
                        "%n  loads / copy   %.2f from the host loop, %.2f inside the guest run"
                                + " (load rate over plain-copy%n"
                                + "                 rate; 1.00 = as fast as a plain copy)%n",
                        hostLoopRatio, guestRatio));
        DemoRun.Why why = r.why();
        double gb = r.bytes() / 1e9;
        sb.append(
                fmt(
                        "  page faults    per GB: %.0f inside the guest's loads, %.0f in the host"
                                + " loop, %.0f in the plain copy;%n"
                                + "                 the first load: %.1f ms, %d faults (its"
                                + " destination untouched)%n"
                                + "  JIT          %d ms compiling during the guest run, %d ms during"
                                + " the host loop and copy%n",
                        why.loadFaults() / gb,
                        why.hostLoopFaults() / gb,
                        why.plainCopyFaults() / gb,
                        why.firstLoadMillis(),
                        why.firstLoadFaults(),
                        why.guestJitMillis(),
                        why.compareJitMillis()));
        Memory64Stats s = r.stats();
        sb.append(
                fmt(
                        "  store stats    reads %d, bytes read %s, errors %d (during the guest run)%n",
                        s.reads(), Bytes.decimal(s.bytesRead()), s.errors()));
        sb.append(
                fmt(
                        "  residency      %s: released %s, prefetched %s, window %s at the end%n",
                        r.residency(),
                        Bytes.decimal(s.bytesReleased()),
                        Bytes.decimal(s.bytesPrefetched()),
                        Bytes.decimal(s.windowBytes())));
        if (r.peakResident() >= 0) {
            sb.append(fmt("  peak resident  %s (VmHWM)", Bytes.decimal(r.peakResident())));
            if (r.resident() >= 0 && r.residentFile() >= 0) {
                sb.append(
                        fmt(
                                "; at the end %s, %s of it the mapped model's pages%n"
                                        + "                 (page cache: shared and reclaimable,"
                                        + " not heap)",
                                Bytes.decimal(r.resident()), Bytes.decimal(r.residentFile())));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static void row(
            StringBuilder sb, String what, double seconds, long bytes, String note) {
        sb.append(fmt("  %-13s %8.2f %7.2f   %s%n", what, seconds, rate(bytes, seconds), note));
    }

    private static double rate(long bytes, double seconds) {
        return seconds > 0 ? bytes / seconds / 1e9 : 0.0;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
