package dev.memory64.endive;

import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import run.endive.compiler.MachineFactoryCompiler;
import run.endive.runtime.ImportValues;
import run.endive.runtime.Instance;
import run.endive.runtime.Machine;
import run.endive.runtime.Memory;
import run.endive.wasm.Parser;
import run.endive.wasm.WasmModule;
import run.endive.wasm.types.MemoryLimits;

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

    /**
     * The system property that turns on {@link Mode#COMPILER}: Endive's compiler is served only at
     * 1.0.0 and does not compile every module parsed by the 1.2.0 runtime, so the tests of this
     * module run the interpreter, and module {@code memory64-compiler-tests} runs the same tests
     * again under runtime and compiler 1.0.0 with this property set.
     */
    static final String COMPILER_PROPERTY = "memory64.endive.compiler";

    /**
     * Returns the execution modes to test: the interpreter, and the compiler where it is on.
     *
     * @return the modes
     */
    static List<Mode> modes() {
        return compilerEnabled()
                ? List.of(Mode.INTERPRETER, Mode.COMPILER)
                : List.of(Mode.INTERPRETER);
    }

    /** Returns whether the compiler is tested here. */
    static boolean compilerEnabled() {
        return Boolean.getBoolean(COMPILER_PROPERTY);
    }

    /** Returns the fastest mode tested here, for long runs. */
    static Mode fastest() {
        return modes().getLast();
    }

    /** Returns {@link #fastest()} alone, for a parameterized test. */
    static List<Mode> fastestOnly() {
        return List.of(fastest());
    }

    /** Endive's two execution modes. */
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
