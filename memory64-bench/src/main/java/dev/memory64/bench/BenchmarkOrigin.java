package dev.memory64.bench;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.chicory.Memory64HostFunctions;
import java.util.List;

/**
 * The origin design's way of loading a layer, rebuilt faithfully as a baseline: every call takes
 * one lock global to the process and holds it for the whole call, allocates a new {@code byte[]}
 * the size of the layer, copies the layer from the store into it, then copies it into the guest
 * with {@code Memory.write}: an allocation and two copies per load, and no two loads at once.
 * Registered under the same import names as ours, so that the same guest calls it. Not for use
 * outside the benchmarks.
 */
final class BenchmarkOrigin {

    /** The one lock every origin host function of the process holds for its whole call. */
    private static final Object GLOBAL_LOCK = new Object();

    private BenchmarkOrigin() {}

    /** {@code env.memory64_load_layer} and {@code env.memory64_read}, the origin design's way. */
    static HostFunction[] hostFunctions(Memory64Store store) {
        String module = Memory64HostFunctions.DEFAULT_MODULE;
        return new HostFunction[] {
            new HostFunction(
                    module,
                    "memory64_load_layer",
                    FunctionType.of(
                            List.of(ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32)),
                    (instance, args) ->
                            new long[] {
                                loadLayer(
                                        store,
                                        instance,
                                        (int) args[0],
                                        (int) args[1],
                                        (int) args[2])
                            }),
            new HostFunction(
                    module,
                    "memory64_read",
                    FunctionType.of(
                            List.of(ValType.I64, ValType.I32, ValType.I32), List.of(ValType.I32)),
                    (instance, args) ->
                            new long[] {
                                read(store, instance, args[0], (int) args[1], (int) args[2])
                            }),
        };
    }

    static int loadLayer(Memory64Store store, Instance instance, int layerId, int ptr, int max) {
        synchronized (GLOBAL_LOCK) {
            Layer layer = store.layer(layerId);
            if (layer == null) {
                return -2;
            }
            if (layer.size() > Integer.toUnsignedLong(max)) {
                return -3;
            }
            return read(store, instance, layer.offset(), ptr, (int) layer.size());
        }
    }

    static int read(Memory64Store store, Instance instance, long offset, int ptr, int len) {
        synchronized (GLOBAL_LOCK) {
            byte[] buffer;
            try {
                buffer = new byte[len];
                store.read(offset, buffer);
            } catch (Memory64Exception | RuntimeException e) {
                return -4;
            }
            try {
                instance.memory().write(ptr, buffer);
            } catch (RuntimeException e) {
                return -8;
            }
            return len;
        }
    }
}
