package dev.memory64.chicory;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The committed guests of {@code guests/}, and the ways to run them.
 *
 * <p>This test tree is the one source of the adapter tests of both runtimes: module {@code
 * memory64-endive} generates its tests from these files by renaming the packages and the runtime's
 * name (see "Testing both runtimes" in {@code docs/ARCHITECTURE.md}). Write what differs between
 * the runtimes here, not in a test; every "Chicory" becomes "Endive" in the copies, so write
 * "Chicory" only where Endive's copy should say "Endive".
 */
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
     * The system property that turns {@link Mode#COMPILER} off or on; on unless it says {@code
     * false}. Endive's compiler is served only at 1.0.0 and does not compile every module that
     * Endive's 1.2.0 runtime parses, so module {@code memory64-endive} sets it to {@code false} and
     * runs the interpreter, and module {@code memory64-compiler-tests} runs the guest tests again
     * under Endive's runtime and compiler 1.0.0 with it on.
     */
    static final String COMPILER_PROPERTY = "memory64.chicory.compiler";

    /** Returns whether the compiler is tested here. */
    static boolean compilerEnabled() {
        return Boolean.parseBoolean(System.getProperty(COMPILER_PROPERTY, "true"));
    }

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

    /** Returns the fastest mode tested here, for long runs. */
    static Mode fastest() {
        return modes().getLast();
    }

    /** Returns {@link #fastest()} alone, for a parameterized test. */
    static List<Mode> fastestOnly() {
        return List.of(fastest());
    }

    /** Returns the compiler alone where it is on, else nothing: for runs too long to interpret. */
    static List<Mode> compilerOnly() {
        return compilerEnabled() ? List.of(Mode.COMPILER) : List.of();
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

    /**
     * A factory of {@link SegmentMemory}s, as DESIGN.md advises, that adds each one it makes to
     * {@code made}: closing them is the caller's.
     */
    static Function<MemoryLimits, Memory> segmentMemories(List<SegmentMemory> made) {
        return limits -> {
            SegmentMemory memory = SegmentMemory.of(limits);
            made.add(memory);
            return memory;
        };
    }

    /**
     * WASI for a guest run as a command: its output streams, and its arguments (the program's name
     * first, as a shell passes them).
     */
    static WasiPreview1 wasi(
            OutputStream stdout, OutputStream stderr, String program, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(List.of(args));
        return WasiPreview1.builder()
                .withOptions(
                        WasiOptions.builder()
                                .withStdout(stdout)
                                .withStderr(stderr)
                                .withArguments(argv)
                                .build())
                .build();
    }

    /** Runs a command guest to its end, as {@link #instantiate}: its exit code, 0 if it returns. */
    static int runToExit(
            WasmModule module,
            ImportValues imports,
            Mode mode,
            Function<MemoryLimits, Memory> memoryFactory) {
        try {
            instantiate(module, imports, mode, memoryFactory);
            return 0;
        } catch (WasiExitException e) {
            return e.exitCode();
        }
    }

    static long call(Instance instance, String export, long... args) {
        return instance.export(export).apply(args)[0];
    }
}
