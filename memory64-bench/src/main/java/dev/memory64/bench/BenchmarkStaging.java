package dev.memory64.bench;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.bench.BenchmarkGuests.MemoryKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How the staging buffer's size decides a load into Chicory's own memories, host side: {@link
 * #staged} copies an off-heap segment into the memory through a staging array of {@code staging}
 * bytes, as {@code StagedGuestMemory} does; {@link #write} is Chicory's own {@code Memory.write} of
 * a ready array of the same bytes, the ceiling. Not part of {@code scripts/bench.sh}; run it by
 * hand: {@code java -cp memory64-bench/target/memory64-bench.jar org.openjdk.jmh.Main
 * BenchmarkStaging}. It chose {@code StagedGuestMemory.STAGING_SIZE}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class BenchmarkStaging {

    /** The bytes loaded. */
    @Param({"1MiB", "64MiB"})
    public String size;

    /** The memory written: Chicory's own. */
    @Param({"BYTE_ARRAY", "BYTE_BUFFER"})
    public MemoryKind memory;

    /** The staging array's size in bytes. */
    @Param({"4096", "8192", "16384", "65536"})
    public int staging;

    private Arena arena;
    private MemorySegment source;
    private byte[] ready;
    private byte[] buffer;
    private Memory target;
    private int bytes;

    /** Creates the benchmark; JMH does. */
    public BenchmarkStaging() {}

    /** Creates the source, the ready array, the staging array and the memory. */
    @Setup(Level.Trial)
    public void setUp() {
        bytes = Math.toIntExact(BenchmarkGuests.bytes(size));
        arena = Arena.ofShared();
        source = BenchmarkGuests.randomSegment(arena, bytes, 0);
        ready = new byte[bytes];
        MemorySegment.copy(source, ValueLayout.JAVA_BYTE, 0, ready, 0, bytes);
        buffer = new byte[staging];
        target = memory.factory().apply(new MemoryLimits(BenchmarkGuests.GUEST_PAGES));
    }

    /** Frees the source and the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        BenchmarkGuests.close(target);
        arena.close();
    }

    /**
     * The load's way: segment to staging array to memory, {@code staging} bytes at a time.
     *
     * @return the bytes written
     */
    @Benchmark
    public int staged() {
        for (int done = 0; done < bytes; ) {
            int n = Math.min(staging, bytes - done);
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, done, buffer, 0, n);
            target.write(BenchmarkGuests.DST_PTR + done, buffer, 0, n);
            done += n;
        }
        return bytes;
    }

    /**
     * Chicory's own write of the ready array in pieces of {@code staging} bytes: one copy, as in
     * {@link #write}, cut as {@link #staged} cuts it; tells what the cutting costs apart from the
     * second copy.
     *
     * @return the bytes written
     */
    @Benchmark
    public int writeInPieces() {
        for (int done = 0; done < bytes; ) {
            int n = Math.min(staging, bytes - done);
            target.write(BenchmarkGuests.DST_PTR + done, ready, done, n);
            done += n;
        }
        return bytes;
    }

    /**
     * Chicory's own write of a ready array: the ceiling.
     *
     * @return the bytes written
     */
    @Benchmark
    public int write() {
        target.write(BenchmarkGuests.DST_PTR, ready, 0, bytes);
        return bytes;
    }
}
