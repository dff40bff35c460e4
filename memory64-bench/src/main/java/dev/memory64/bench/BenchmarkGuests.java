package dev.memory64.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MemoryRegion;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * What the benchmarks share: the benchmark guest ({@code guests/wat/bench.wat}), the guest memories
 * and execution modes they are measured over, and stores holding layers of random bytes.
 */
public final class BenchmarkGuests {

    /** System property naming the benchmark guest's {@code .wasm}, when not found from the cwd. */
    public static final String GUEST_PROPERTY = "memory64.bench.guest";

    /** Where the first byte of a layer goes in the guest: after one page left to the guest. */
    static final int DST_PTR = 64 * 1024;

    /** The period of {@link #randomSegment}'s bytes. */
    static final long RANDOM_PERIOD = 256 * 1024;

    /** The benchmark guest's memory, in 64 KiB pages: one page and then 64 MiB. */
    static final int GUEST_PAGES = 1025;

    private BenchmarkGuests() {}

    /** A Chicory guest memory implementation. */
    public enum MemoryKind {
        /**
         * memory64's {@code SegmentMemory} with its default backing: one off-heap segment, one copy
         * per layer load.
         */
        SEGMENT,
        /** Chicory's {@code ByteBufferMemory}, its default. */
        BYTE_BUFFER,
        /** Chicory's {@code ByteArrayMemory}. */
        BYTE_ARRAY;

        Function<MemoryLimits, Memory> factory() {
            return switch (this) {
                case SEGMENT -> SegmentMemory.factory();
                case BYTE_BUFFER -> ByteBufferMemory::new;
                case BYTE_ARRAY -> ByteArrayMemory::new;
            };
        }
    }

    /** Chicory's two execution modes. */
    public enum ExecutionMode {
        /** Chicory's interpreter. */
        INTERPRETER,
        /** Chicory's compiler to JVM bytecode, at run time. */
        COMPILER
    }

    /** Parses the benchmark guest. */
    static WasmModule module() {
        return Parser.parse(guestPath());
    }

    /**
     * Finds {@code guests/wat/bench.wasm}: the system property {@value #GUEST_PROPERTY} if set,
     * else the first directory from the current one upwards that holds it.
     */
    static Path guestPath() {
        String property = System.getProperty(GUEST_PROPERTY);
        if (property != null) {
            return Path.of(property);
        }
        Path relative = Path.of("guests", "wat", "bench.wasm");
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "benchmark guest "
                        + relative
                        + " not found from "
                        + Path.of("").toAbsolutePath()
                        + " upwards; run from the repository or set -D"
                        + GUEST_PROPERTY);
    }

    /** Instantiates the benchmark guest with the given imports, mode and memory. */
    static Instance instantiate(
            WasmModule module, ImportValues imports, ExecutionMode mode, MemoryKind memory) {
        Instance.Builder builder =
                Instance.builder(module)
                        .withImportValues(imports)
                        .withMemoryFactory(memory.factory());
        if (mode == ExecutionMode.COMPILER) {
            builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        return builder.build();
    }

    /**
     * Instantiates the benchmark guest over {@link #ours our host functions} on a store, in a
     * {@code SegmentMemory}.
     */
    static Instance instantiate(Memory64Store store, ExecutionMode mode) {
        return instantiate(module(), ours(store), mode, MemoryKind.SEGMENT);
    }

    /** Releases a guest's memory, then the store it reads, even if the first fails. */
    static void close(Instance instance, Memory64Store store) {
        try {
            close(instance);
        } finally {
            store.close();
        }
    }

    /** Releases a guest's memory if it holds off-heap memory. */
    static void close(Instance instance) {
        if (instance != null) {
            close(instance.memory());
        }
    }

    /** Releases a memory if it holds off-heap memory. */
    static void close(Memory memory) {
        if (memory instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing guest memory " + memory, e);
            }
        }
    }

    /** The no-op host function {@code env.noop}, with {@code memory64_read}'s signature. */
    static HostFunction noop() {
        return new HostFunction(
                Memory64HostFunctions.DEFAULT_MODULE,
                "noop",
                FunctionType.of(
                        List.of(ValType.I64, ValType.I32, ValType.I32), List.of(ValType.I32)),
                (instance, args) -> new long[] {0});
    }

    /** Our host functions over a store, with the no-op beside them. */
    static ImportValues ours(Memory64Store store) {
        return ImportValues.builder()
                .addFunction(Memory64HostFunctions.builder(store).build().toHostFunctions())
                .addFunction(noop())
                .build();
    }

    /**
     * The origin design's host functions over a store, with the no-op beside them, and ours for the
     * imports the origin design does not have (the benchmark guest imports every function).
     */
    static ImportValues origin(Memory64Store store) {
        HostFunction[] origin = BenchmarkOrigin.hostFunctions(store);
        List<String> names = Arrays.stream(origin).map(HostFunction::name).toList();
        return ImportValues.builder()
                .addFunction(origin)
                .addFunction(
                        Arrays.stream(
                                        Memory64HostFunctions.builder(store)
                                                .build()
                                                .toHostFunctions())
                                .filter(f -> !names.contains(f.name()))
                                .toArray(HostFunction[]::new))
                .addFunction(noop())
                .build();
    }

    /**
     * Parses a size such as {@code 4KiB}, {@code 1MiB} or {@code 4096}.
     *
     * @throws IllegalArgumentException if it is none of these
     */
    static long bytes(String size) {
        String s = size.trim();
        long unit = 1;
        if (s.endsWith("KiB")) {
            unit = 1L << 10;
        } else if (s.endsWith("MiB")) {
            unit = 1L << 20;
        } else if (s.endsWith("GiB")) {
            unit = 1L << 30;
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 3);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "size \"" + size + "\" is not a number of bytes, KiB, MiB or GiB", e);
        }
    }

    /**
     * An allocated store holding {@code count} layers of {@code layerSize} bytes, those of {@link
     * #randomSegment} with seed {@code id}, with ids {@code 0 … count-1}, laid end to end at 64 KiB
     * boundaries.
     */
    static Memory64Store store(long layerSize, int count) throws Memory64Exception {
        long stride = roundUpToPage(layerSize);
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("layers", Math.multiplyExact(stride, count), "bench")
                        .build();
        Memory64Store store = Memory64Store.allocate(layout);
        boolean success = false;
        try {
            for (int id = 0; id < count; id++) {
                long offset = id * stride;
                try (Arena arena = Arena.ofConfined()) {
                    // Tile by tile: no second buffer the size of the layer to fault in.
                    MemorySegment tile =
                            randomSegment(arena, Math.min(layerSize, RANDOM_PERIOD), id);
                    for (long done = 0; done < layerSize; done += tile.byteSize()) {
                        long n = Math.min(tile.byteSize(), layerSize - done);
                        store.write(offset + done, tile.asSlice(0, n));
                    }
                }
                store.registerLayer(id, "bench", offset, layerSize);
            }
            success = true;
            return store;
        } finally {
            if (!success) {
                store.close();
            }
        }
    }

    /**
     * An off-heap segment, 64-byte aligned like the store's, of pseudo-random bytes that repeat
     * every {@value #RANDOM_PERIOD} bytes (cheap to create at fork start-up, and no copy can tell);
     * the same bytes as layer {@code seed} of {@link #store}.
     */
    static MemorySegment randomSegment(Arena arena, long size, int seed) {
        MemorySegment segment = arena.allocate(size, 64);
        SplittableRandom random = new SplittableRandom(0x6d656d36_34L + seed);
        long head = Math.min(size, RANDOM_PERIOD);
        long i = 0;
        for (; i + Long.BYTES <= head; i += Long.BYTES) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (; i < head; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        for (long done = head; done < size; ) {
            long n = Math.min(done, size - done);
            MemorySegment.copy(segment, 0, segment, done, n);
            done += n;
        }
        return segment;
    }

    private static long roundUpToPage(long size) {
        long page = MemoryRegion.PAGE_SIZE;
        return Math.max(page, Math.addExact(size, page - 1) / page * page);
    }

    /**
     * Checks, cheaply, that a guest holds a layer at {@link #DST_PTR}: 16 windows of 4 KiB spread
     * over the layer, and its last bytes. Reading it all back would fault in two more buffers the
     * size of the layer at every fork's start, which costs seconds on a virtual machine.
     *
     * @throws IllegalStateException if a window differs
     */
    static void checkLoaded(Memory64Store store, long offset, long size, Memory guest)
            throws Memory64Exception {
        int window = (int) Math.min(4096, size);
        for (int i = 0; i <= 16; i++) {
            long at = i == 16 ? size - window : (size - window) / 16 * i;
            byte[] expected = new byte[window];
            store.read(offset + at, expected);
            byte[] actual = guest.readBytes(Math.toIntExact(DST_PTR + at), window);
            if (!Arrays.equals(expected, actual)) {
                throw new IllegalStateException(
                        "the guest's bytes at layer offset "
                                + at
                                + " differ from the store's after a load of "
                                + size
                                + " bytes");
            }
        }
    }
}
