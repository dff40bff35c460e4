package dev.memory64.bench.support;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Function;

/**
 * The C guest {@code guests/c/layer_checksum.wasm} as the demo and the large-model runs use it: its
 * module from the bench jar, its WASI (arguments {@code layer_checksum COUNT}), and an instance
 * under Chicory's compiler with the host functions and memory given, not yet started.
 */
public final class ChecksumGuest {

    /** Where the guest lies on the classpath. */
    public static final String RESOURCE = "/guests/c/layer_checksum.wasm";

    private ChecksumGuest() {}

    /**
     * Parses the guest's module.
     *
     * @return the module
     * @throws IOException if it is missing from the classpath (a bench jar built without it)
     */
    public static WasmModule module() throws IOException {
        InputStream in = ChecksumGuest.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException(
                    "the guest "
                            + RESOURCE
                            + " is missing from the classpath; rebuild the bench jar");
        }
        try (in) {
            return Parser.parse(in);
        } catch (IOException e) {
            throw new IOException("cannot read the guest " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The guest's WASI: its output to the streams given, its arguments asking for the checksums of
     * layers {@code 0 .. count - 1}.
     *
     * @param stdout the guest's standard output
     * @param stderr the guest's standard error
     * @param count how many layers
     * @return the WASI, for the caller to close
     */
    public static WasiPreview1 wasi(OutputStream stdout, OutputStream stderr, long count) {
        return WasiPreview1.builder()
                .withOptions(
                        WasiOptions.builder()
                                .withStdout(stdout)
                                .withStderr(stderr)
                                .withArguments(List.of("layer_checksum", Long.toString(count)))
                                .build())
                .build();
    }

    /**
     * An instance of the guest under Chicory's compiler, not started (call its {@code _start}).
     *
     * @param module the module
     * @param wasi its WASI
     * @param functions the memory64 host functions, as the caller wraps them
     * @param memories makes the instance's memory
     * @return the instance
     */
    public static Instance instantiate(
            WasmModule module,
            WasiPreview1 wasi,
            List<HostFunction> functions,
            Function<MemoryLimits, Memory> memories) {
        return Instance.builder(module)
                .withImportValues(
                        ImportValues.builder()
                                .addFunction(wasi.toHostFunctions())
                                .addFunction(functions.toArray(HostFunction[]::new))
                                .build())
                .withMachineFactory(MachineFactoryCompiler.compile(module))
                .withMemoryFactory(memories)
                .withStart(false)
                .build();
    }
}
