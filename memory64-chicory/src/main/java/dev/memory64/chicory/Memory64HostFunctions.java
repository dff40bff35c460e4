package dev.memory64.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.memory64.Memory64Store;
import dev.memory64.abi.AbiFunction;
import dev.memory64.abi.AbiOptions;
import dev.memory64.abi.Memory64Abi;
import java.util.Arrays;
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

    /** The twelve ABI import names, in the order {@link #toHostFunctions()} returns them. */
    public static final List<String> NAMES =
            Arrays.stream(AbiFunction.values()).map(AbiFunction::importName).toList();

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
     * Returns the twelve host functions, a new array each call, in the order of {@link #NAMES}.
     *
     * @return the functions
     */
    public HostFunction[] toHostFunctions() {
        AbiFunction[] functions = AbiFunction.values();
        HostFunction[] result = new HostFunction[functions.length];
        for (int i = 0; i < functions.length; i++) {
            AbiFunction function = functions[i];
            FunctionType type =
                    FunctionType.of(
                            function.params().stream().map(Memory64HostFunctions::valType).toList(),
                            List.of(valType(function.result())));
            // Chicory's handle type returns the result in a new array: the one allocation of a
            // call, and Chicory's, not ours (call allocates nothing).
            WasmFunctionHandle handle =
                    (instance, args) -> new long[] {call(function, instance, args)};
            result[i] = new HostFunction(module, function.importName(), type, handle);
        }
        return result;
    }

    /**
     * Returns import values holding just the twelve functions; to combine them with others, use
     * {@link #toHostFunctions()} with {@code ImportValues.builder().addFunction(...)}.
     *
     * @return the import values
     */
    public ImportValues toImportValues() {
        return ImportValues.builder().addFunction(toHostFunctions()).build();
    }

    private static ValType valType(AbiFunction.Type type) {
        return switch (type) {
            case I32 -> ValType.I32;
            case I64 -> ValType.I64;
        };
    }

    /**
     * One call of an ABI function by a guest: finds the guest's memory (a {@link SegmentMemory}'s
     * own view, or this thread's view bound to any other memory) and calls the ABI. Allocates
     * nothing.
     */
    long call(AbiFunction function, Instance instance, long[] args) {
        if (!function.usesMemory()) {
            return function.invoke(abi, null, args);
        }
        Memory memory = memory(instance);
        if (memory instanceof SegmentMemory segmentMemory) {
            return function.invoke(abi, segmentMemory.guestMemory(), args);
        }
        if (memory == null) {
            return function.invoke(abi, null, args);
        }
        ChicoryGuestMemory view = ChicoryGuestMemory.bind(memory);
        try {
            return function.invoke(abi, view, args);
        } finally {
            view.unbind();
        }
    }

    private static Memory memory(Instance instance) {
        try {
            return instance.memory();
        } catch (RuntimeException e) {
            return null; // a module without a memory
        }
    }

    @Override
    public String toString() {
        return "Memory64HostFunctions[module=\"" + module + "\", " + abi + "]";
    }

    /**
     * Builds {@link Memory64HostFunctions}: the import module name here, the ABI's options ({@code
     * withEnabled}, {@code withAccessPolicy}, {@code withReadAhead}) from {@link AbiOptions}.
     */
    public static final class Builder extends AbiOptions<Builder> {
        private final Memory64Store store;
        private String module = DEFAULT_MODULE;

        private Builder(Memory64Store store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets the import module name.
         *
         * @param name the module name; {@code "env"} by default
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder withModuleName(String name) {
            this.module = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the host functions.
         *
         * @return the host functions
         */
        public Memory64HostFunctions build() {
            return new Memory64HostFunctions(abi(store), module);
        }
    }
}
