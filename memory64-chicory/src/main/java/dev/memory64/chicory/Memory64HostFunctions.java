package dev.memory64.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.memory64.Memory64Store;
import dev.memory64.abi.AccessPolicy;
import dev.memory64.abi.GuestMemory;
import dev.memory64.abi.Memory64Abi;
import java.util.List;
import java.util.Objects;

/**
 * The memory64 guest ABI as Chicory host functions, to add to an {@code ImportValues} or {@code
 * Store} next to anything else the host registers (WASI included).
 *
 * <pre>{@code
 * Memory64HostFunctions memory64 = Memory64HostFunctions.builder(store).build();
 * ImportValues imports = ImportValues.builder()
 *         .addFunction(wasi.toHostFunctions())
 *         .addFunction(memory64.toHostFunctions())
 *         .build();
 * Instance instance = Instance.builder(module).withImportValues(imports).build();
 * }</pre>
 *
 * <p>Every function is the runtime-neutral {@link Memory64Abi} behind a thin handle: arguments are
 * passed through as the guest gave them, and results (values or error codes) returned as they are;
 * no exception escapes into the guest for any argument values. Works under Chicory's interpreter
 * and its compiler alike. Guests whose memory is a {@link SegmentMemory} get each layer with a
 * single copy; other Chicory memories through a small reused per-thread buffer.
 */
public final class Memory64HostFunctions {

    /** The import module name used unless another is set: {@code "env"}. */
    public static final String DEFAULT_MODULE = "env";

    /** The ten ABI import names, in the order {@link #toHostFunctions()} returns them. */
    public static final List<String> NAMES =
            List.of(
                    "memory64_load_layer",
                    "memory64_read",
                    "memory64_is_enabled",
                    "memory64_stats",
                    "memory64_layer_size",
                    "memory64_stats_into",
                    "memory64_load_layer_range",
                    "memory64_layer_find",
                    "memory64_tensor_info",
                    "memory64_prefetch");

    private static final ValType I32 = ValType.I32;
    private static final ValType I64 = ValType.I64;

    private final Memory64Abi abi;
    private final String module;

    private Memory64HostFunctions(Memory64Abi abi, String module) {
        this.abi = abi;
        this.module = module;
    }

    /**
     * Starts host functions over a store: module {@code "env"}, enabled, granting everything.
     *
     * @param store the store guests read
     * @return a new builder
     */
    public static Builder builder(Memory64Store store) {
        return new Builder(store);
    }

    /**
     * Returns the ABI logic behind the functions.
     *
     * @return the ABI
     */
    public Memory64Abi abi() {
        return abi;
    }

    /**
     * Returns the import module name.
     *
     * @return the name, {@code "env"} by default
     */
    public String moduleName() {
        return module;
    }

    /**
     * Returns the ten host functions, a new array each call, in the order of {@link #NAMES}.
     *
     * @return the functions
     */
    public HostFunction[] toHostFunctions() {
        return new HostFunction[] {
            fn(
                    "memory64_load_layer",
                    List.of(I32, I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(
                                    abi.loadLayer(
                                            guest(instance),
                                            (int) args[0],
                                            (int) args[1],
                                            (int) args[2]))),
            fn(
                    "memory64_read",
                    List.of(I64, I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(abi.read(guest(instance), args[0], (int) args[1], (int) args[2]))),
            fn(
                    "memory64_is_enabled",
                    List.of(),
                    List.of(I32),
                    (instance, args) -> i32(abi.isEnabled())),
            fn(
                    "memory64_stats",
                    List.of(),
                    List.of(I64),
                    (instance, args) -> new long[] {abi.stats()}),
            fn(
                    "memory64_layer_size",
                    List.of(I32),
                    List.of(I64),
                    (instance, args) -> new long[] {abi.layerSize((int) args[0])}),
            fn(
                    "memory64_stats_into",
                    List.of(I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(abi.statsInto(guest(instance), (int) args[0], (int) args[1]))),
            fn(
                    "memory64_load_layer_range",
                    List.of(I32, I64, I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(
                                    abi.loadLayerRange(
                                            guest(instance),
                                            (int) args[0],
                                            args[1],
                                            (int) args[2],
                                            (int) args[3]))),
            fn(
                    "memory64_layer_find",
                    List.of(I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(abi.layerFind(guest(instance), (int) args[0], (int) args[1]))),
            fn(
                    "memory64_tensor_info",
                    List.of(I32, I32, I32, I32),
                    List.of(I32),
                    (instance, args) ->
                            i32(
                                    abi.tensorInfo(
                                            guest(instance),
                                            (int) args[0],
                                            (int) args[1],
                                            (int) args[2],
                                            (int) args[3]))),
            fn(
                    "memory64_prefetch",
                    List.of(I32),
                    List.of(I32),
                    (instance, args) -> i32(abi.prefetch((int) args[0]))),
        };
    }

    /**
     * Returns import values holding just the ten functions; to combine them with others, use {@link
     * #toHostFunctions()} with {@code ImportValues.builder().addFunction(...)}.
     *
     * @return the import values
     */
    public ImportValues toImportValues() {
        return ImportValues.builder().addFunction(toHostFunctions()).build();
    }

    private HostFunction fn(
            String name,
            List<ValType> params,
            List<ValType> results,
            com.dylibso.chicory.runtime.WasmFunctionHandle handle) {
        return new HostFunction(module, name, FunctionType.of(params, results), handle);
    }

    private static long[] i32(int value) {
        return new long[] {value};
    }

    private static GuestMemory guest(Instance instance) {
        Memory memory;
        try {
            memory = instance.memory();
        } catch (RuntimeException e) {
            memory = null; // a module without a memory
        }
        return ChicoryGuestMemory.of(memory);
    }

    @Override
    public String toString() {
        return "Memory64HostFunctions[module=\"" + module + "\", " + abi + "]";
    }

    /** Builds {@link Memory64HostFunctions}. */
    public static final class Builder {
        private final Memory64Abi.Builder abi;
        private String module = DEFAULT_MODULE;

        private Builder(Memory64Store store) {
            this.abi = Memory64Abi.builder(store);
        }

        /**
         * Sets the import module name.
         *
         * @param name the module name; {@code "env"} by default
         * @return this builder
         */
        public Builder withModuleName(String name) {
            this.module = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Enables or disables memory64: a disabled host answers {@code memory64_is_enabled() = 0}
         * and {@code DISABLED} (-1) everywhere else.
         *
         * @param enabled whether enabled; true by default
         * @return this builder
         */
        public Builder withEnabled(boolean enabled) {
            abi.withEnabled(enabled);
            return this;
        }

        /**
         * Sets what the guest may read.
         *
         * @param policy the policy; everything by default
         * @return this builder
         */
        public Builder withAccessPolicy(AccessPolicy policy) {
            abi.withAccessPolicy(policy);
            return this;
        }

        /**
         * Turns on sequential read-ahead: loading layer N starts prefetching layer N+1.
         *
         * @param readAhead whether to read ahead; false by default
         * @return this builder
         */
        public Builder withReadAhead(boolean readAhead) {
            abi.withReadAhead(readAhead);
            return this;
        }

        /**
         * Builds the host functions.
         *
         * @return the host functions
         */
        public Memory64HostFunctions build() {
            return new Memory64HostFunctions(abi.build(), module);
        }
    }
}
