package dev.memory64.bench.support;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.List;
import java.util.function.Function;

/** The Chicory plumbing that the bench's programs share around a guest. */
public final class ChicoryHost {
    private ChicoryHost() {}

    /**
     * A host function with the module, name and type of {@code function} that runs {@code handle}
     * instead (which may call the original's handle).
     *
     * @param function the host function replaced
     * @param handle what the replacement runs
     * @return the replacement
     */
    public static HostFunction replace(HostFunction function, WasmFunctionHandle handle) {
        return new HostFunction(
                function.module(), function.name(), function.functionType(), handle);
    }

    /**
     * A memory factory that keeps each memory {@code factory} makes in {@code memories}: Chicory
     * never closes an instance's memory, whoever builds the instance does.
     *
     * @param <M> the memories' type
     * @param factory makes the memories
     * @param memories where they are kept, for the caller to close
     * @return the factory for the instance
     */
    public static <M extends Memory> Function<MemoryLimits, Memory> keeping(
            Function<MemoryLimits, M> factory, List<? super M> memories) {
        return limits -> {
            M memory = factory.apply(limits);
            memories.add(memory);
            return memory;
        };
    }
}
