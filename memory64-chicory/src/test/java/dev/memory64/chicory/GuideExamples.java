package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Memory64Store;
import dev.memory64.abi.AccessPolicy;
import dev.memory64.gguf.GgufModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The Java blocks of docs/GUIDE.md that need a runtime, one method per block. The lines between
 * each method's two marker comments are, byte for byte after removing their indentation, one block
 * of the guide: {@code GuideBlocksTest} checks that, and {@link GuideExamplesTest} runs each method
 * on small fixtures. The parameters are the variables the guide's text around the block names. As
 * the README's example, these run in both adapter modules: memory64-endive's copy is their rename.
 */
final class GuideExamples {

    private GuideExamples() {}

    /** A shared memory and the imports that carry it, as the shared-memory block makes them. */
    record Shared(SegmentMemory memory, ImportValues imports) {}

    /**
     * the section on adding memory64 to a host with WASI: WASI's functions and memory64's in one
     * {@code ImportValues}.
     *
     * @param store the store the guest reads
     * @param module the guest
     * @return the instance, its WASI closed
     */
    // Endive 1.2.0 deprecates inheritSystem() for inheritSystemStreams(), which older releases
    // lack: the guide says so next to the block, whose Endive rename runs here too.
    @SuppressWarnings("deprecation")
    static Instance addingToAWasiHost(Memory64Store store, WasmModule module) {
        // guide-example:begin
        WasiOptions options = WasiOptions.builder().inheritSystem().build();
        // close wasi when done
        WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build();
        Memory64HostFunctions memory64 = Memory64HostFunctions.builder(store).build();
        ImportValues imports =
                ImportValues.builder()
                        .addFunction(wasi.toHostFunctions())
                        .addFunction(memory64.toHostFunctions())
                        .build();
        Instance instance = Instance.builder(module).withImportValues(imports).build();
        // guide-example:end
        wasi.close();
        return instance;
    }

    /**
     * "Opening a GGUF model": prints the model's architecture and layer count.
     *
     * @param models the directory holding {@code llama-7b-q4_0.gguf}
     */
    static void openingAGgufModel(Path models) throws IOException {
        // guide-example:begin
        try (GgufModel model = GgufModel.open(models.resolve("llama-7b-q4_0.gguf"))) {
            Memory64Store store = model.store();
            String architecture = model.file().architecture().orElse("unknown");
            System.out.println(architecture + ": " + store.layers().size() + " layers");
            Memory64HostFunctions memory64 = Memory64HostFunctions.builder(store).build();
            // ... run guests
        }
        // guide-example:end
    }

    /**
     * "SegmentMemory": builds an instance whose memories are closed whatever happens.
     *
     * @param module the guest
     * @param imports its imports
     * @return the memories the factory made, closed
     */
    static List<SegmentMemory> segmentMemory(WasmModule module, ImportValues imports) {
        // guide-example:begin
        List<SegmentMemory> memories = new ArrayList<>();
        Function<MemoryLimits, Memory> factory =
                limits -> {
                    SegmentMemory memory = SegmentMemory.of(limits);
                    memories.add(memory);
                    return memory;
                };
        try {
            Instance instance =
                    Instance.builder(module)
                            .withImportValues(imports)
                            .withMemoryFactory(factory)
                            .build();
            // ... call the guest's exports
        } finally {
            memories.forEach(SegmentMemory::close);
        }
        // guide-example:end
        return memories;
    }

    /**
     * "Shared memories": a shared memory that {@code guests/wat/threads.wasm} imports.
     *
     * @param memory64 the host functions
     * @return the memory and the imports
     */
    static Shared sharedMemory(Memory64HostFunctions memory64) {
        // guide-example:begin
        // threads.wasm's import: (memory 1 4 shared)
        SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 4, true));
        ImportValues imports =
                ImportValues.builder()
                        .addMemory(new ImportMemory("env", "memory", memory))
                        .addFunction(memory64.toHostFunctions())
                        .build();
        // one Instance per guest thread, each built with these imports; close the memory after all
        // guide-example:end
        return new Shared(memory, imports);
    }

    /**
     * "Access policies": host functions that grant layers 0, 1 and 2 only.
     *
     * @param store the store
     * @return the host functions
     */
    static Memory64HostFunctions accessPolicy(Memory64Store store) {
        // guide-example:begin
        AccessPolicy policy = AccessPolicy.onlyLayers(new int[] {0, 1, 2}, store::layer);
        Memory64HostFunctions memory64 =
                Memory64HostFunctions.builder(store).withAccessPolicy(policy).build();
        // guide-example:end
        return memory64;
    }
}
