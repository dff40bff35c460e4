package dev.memory64.chicory;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/** The committed guests of {@code guests/}, and the ways to run them. */
final class Guests {
    static final Path ROOT = Path.of("..", "guests");

    /** Each module compiled once: the compiled machine factory serves every instance of it. */
    private static final Map<WasmModule, Function<Instance, Machine>> COMPILED =
            Collections.synchronizedMap(new IdentityHashMap<>());

    private Guests() {}

    static WasmModule wat(String name) {
        return Parser.parse(ROOT.resolve("wat").resolve(name + ".wasm"));
    }

    static WasmModule c(String name) {
        return Parser.parse(ROOT.resolve("c").resolve(name + ".wasm"));
    }

    /** Chicory's two execution modes. */
    enum Mode {
        INTERPRETER,
        COMPILER;

        Instance.Builder apply(Instance.Builder builder, WasmModule module) {
            return this == COMPILER
                    ? builder.withMachineFactory(
                            COMPILED.computeIfAbsent(module, MachineFactoryCompiler::compile))
                    : builder;
        }
    }

    static Instance instantiate(
            WasmModule module,
            ImportValues imports,
            Mode mode,
            Function<MemoryLimits, Memory> memoryFactory) {
        Instance.Builder builder = Instance.builder(module).withImportValues(imports);
        if (memoryFactory != null) {
            builder.withMemoryFactory(memoryFactory);
        }
        return mode.apply(builder, module).build();
    }

    static long call(Instance instance, String export, long... args) {
        return instance.export(export).apply(args)[0];
    }
}
