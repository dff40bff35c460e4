package dev.memory64.llama;

import dev.memory64.Memory64Store;
import dev.memory64.endive.Memory64HostFunctions;
import dev.memory64.endive.SegmentMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import run.endive.runtime.ImportValues;
import run.endive.runtime.Instance;
import run.endive.runtime.Memory;
import run.endive.wasi.WasiOptions;
import run.endive.wasi.WasiPreview1;
import run.endive.wasm.Parser;
import run.endive.wasm.WasmModule;

/**
 * The guest under Endive's interpreter (its compiler is served only at an older version than its
 * runtime), in a {@link SegmentMemory}.
 */
final class EndiveGuest implements Guest {
    /** Parsed and compiled once per JVM, on first use: every instance shares them. */
    private static final class Module {
        static final WasmModule MODULE = Parser.parse(GuestModule.bytes());
    }

    private final WasiPreview1 wasi;
    private final ByteArrayOutputStream stderr;
    private final List<Memory> memories;
    private final Instance instance;

    private EndiveGuest(
            WasiPreview1 wasi,
            ByteArrayOutputStream stderr,
            List<Memory> memories,
            Instance instance) {
        this.wasi = wasi;
        this.stderr = stderr;
        this.memories = memories;
        this.instance = instance;
    }

    static EndiveGuest start(Memory64Store store) {
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
            Function<run.endive.wasm.types.MemoryLimits, Memory> segments = SegmentMemory.factory();
            Instance.Builder builder =
                    Instance.builder(Module.MODULE)
                            .withImportValues(imports)
                            .withMemoryFactory(
                                    limits -> {
                                        Memory memory = segments.apply(limits);
                                        memories.add(memory);
                                        return memory;
                                    })
                            .withStart(false);
            EndiveGuest guest = new EndiveGuest(wasi, stderr, memories, builder.build());
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
