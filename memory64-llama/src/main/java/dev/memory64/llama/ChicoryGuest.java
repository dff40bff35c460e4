package dev.memory64.llama;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.memory64.Memory64Store;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The guest under Chicory in a {@link SegmentMemory}, interpreted or run by the machines a caller
 * gives. The build generates the Endive guest from this file through memory64-endive's rename
 * table: edit this one.
 */
final class ChicoryGuest implements Guest {
    /** Parsed once per JVM, on first use: every instance shares it. */
    static final class Module {
        static final WasmModule MODULE = Parser.parse(GuestModule.bytes());
    }

    private final WasiPreview1 wasi;
    private final ByteArrayOutputStream stderr;
    private final List<Memory> memories;
    private final Instance instance;

    private ChicoryGuest(
            WasiPreview1 wasi,
            ByteArrayOutputStream stderr,
            List<Memory> memories,
            Instance instance) {
        this.wasi = wasi;
        this.stderr = stderr;
        this.memories = memories;
        this.instance = instance;
    }

    /** Starts the guest under Chicory's interpreter. */
    static ChicoryGuest start(Memory64Store store) {
        return start(store, InterpreterMachine::new);
    }

    /** Starts the guest run by the machines {@code machines} makes for its instance. */
    static ChicoryGuest start(Memory64Store store, Function<Instance, Machine> machines) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        WasiPreview1 wasi =
                WasiPreview1.builder()
                        .withOptions(
                                WasiOptions.builder().withStdout(stderr).withStderr(stderr).build())
                        .build();
        List<Memory> memories = new ArrayList<>();
        boolean success = false;
        try {
            ImportValues imports =
                    ImportValues.builder()
                            .addFunction(wasi.toHostFunctions())
                            .addFunction(
                                    Memory64HostFunctions.builder(store).build().toHostFunctions())
                            .build();
            Function<com.dylibso.chicory.wasm.types.MemoryLimits, Memory> segments =
                    SegmentMemory.factory();
            Instance.Builder builder =
                    Instance.builder(Module.MODULE)
                            .withImportValues(imports)
                            .withMemoryFactory(
                                    limits -> {
                                        Memory memory = segments.apply(limits);
                                        memories.add(memory);
                                        return memory;
                                    })
                            .withMachineFactory(machines)
                            .withStart(false);
            ChicoryGuest guest = new ChicoryGuest(wasi, stderr, memories, builder.build());
            success = true;
            return guest;
        } finally {
            if (!success) {
                closeAll(wasi, memories);
            }
        }
    }

    @Override
    public long call(String export, long... args) {
        long[] results = instance.export(export).apply(args);
        return results == null || results.length == 0 ? 0 : results[0];
    }

    @Override
    public void write(int address, byte[] bytes) {
        instance.memory().write(address, bytes);
    }

    @Override
    public byte[] read(int address, int length) {
        return instance.memory().readBytes(address, length);
    }

    @Override
    public int readInt(int address) {
        return instance.memory().readInt(address);
    }

    @Override
    public long memoryBytes() {
        return (long) instance.memory().pages() * Memory.PAGE_SIZE;
    }

    @Override
    public String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closeAll(wasi, memories);
    }

    private static void closeAll(WasiPreview1 wasi, List<Memory> memories) {
        wasi.close();
        for (Memory memory : memories) {
            ((SegmentMemory) memory).close();
        }
    }
}
