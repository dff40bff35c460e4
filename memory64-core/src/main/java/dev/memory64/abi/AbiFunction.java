package dev.memory64.abi;

import java.util.List;

/**
 * The ten host functions of the guest ABI as a runtime adapter registers them: each one's import
 * name (spelled out, never derived), its Wasm parameter and result types, and the call into {@link
 * Memory64Abi}. An adapter turns each constant into its runtime's host function in one loop, so
 * that the names, the signatures and the dispatch exist once for every runtime.
 *
 * <p>The constants are in the order of the ABI's table; {@link #invoke} allocates nothing.
 */
public enum AbiFunction {
    /** {@code memory64_load_layer(layer_id: i32, dst_ptr: i32, max_size: i32) -> i32}. */
    LOAD_LAYER(
            "memory64_load_layer",
            List.of(Type.I32, Type.I32, Type.I32),
            Type.I32,
            true,
            "layer_id",
            "dst_ptr",
            "max_size"),
    /** {@code memory64_read(offset: i64, dst_ptr: i32, len: i32) -> i32}. */
    READ(
            "memory64_read",
            List.of(Type.I64, Type.I32, Type.I32),
            Type.I32,
            true,
            "offset",
            "dst_ptr",
            "len"),
    /** {@code memory64_is_enabled() -> i32}. */
    IS_ENABLED("memory64_is_enabled", List.of(), Type.I32, false),
    /** {@code memory64_stats() -> i64}. */
    STATS("memory64_stats", List.of(), Type.I64, false),
    /** {@code memory64_layer_size(layer_id: i32) -> i64}. */
    LAYER_SIZE("memory64_layer_size", List.of(Type.I32), Type.I64, false, "layer_id"),
    /** {@code memory64_stats_into(dst_ptr: i32, len: i32) -> i32}. */
    STATS_INTO(
            "memory64_stats_into", List.of(Type.I32, Type.I32), Type.I32, true, "dst_ptr", "len"),
    /**
     * {@code memory64_load_layer_range(layer_id: i32, layer_offset: i64, dst_ptr: i32, len: i32) ->
     * i32}.
     */
    LOAD_LAYER_RANGE(
            "memory64_load_layer_range",
            List.of(Type.I32, Type.I64, Type.I32, Type.I32),
            Type.I32,
            true,
            "layer_id",
            "layer_offset",
            "dst_ptr",
            "len"),
    /** {@code memory64_layer_find(name_ptr: i32, name_len: i32) -> i32}. */
    LAYER_FIND(
            "memory64_layer_find",
            List.of(Type.I32, Type.I32),
            Type.I32,
            true,
            "name_ptr",
            "name_len"),
    /**
     * {@code memory64_tensor_info(name_ptr: i32, name_len: i32, dst_ptr: i32, dst_len: i32) ->
     * i32}.
     */
    TENSOR_INFO(
            "memory64_tensor_info",
            List.of(Type.I32, Type.I32, Type.I32, Type.I32),
            Type.I32,
            true,
            "name_ptr",
            "name_len",
            "dst_ptr",
            "dst_len"),
    /** {@code memory64_prefetch(layer_id: i32) -> i32}. */
    PREFETCH("memory64_prefetch", List.of(Type.I32), Type.I32, false, "layer_id"),

    /**
     * {@code memory64_metadata_info(key_ptr: i32, key_len: i32, dst_ptr: i32, dst_len: i32) ->
     * i32}.
     */
    METADATA_INFO(
            "memory64_metadata_info",
            List.of(Type.I32, Type.I32, Type.I32, Type.I32),
            Type.I32,
            true,
            "key_ptr",
            "key_len",
            "dst_ptr",
            "dst_len"),

    /**
     * {@code memory64_metadata_read(key_ptr: i32, key_len: i32, value_offset: i64, dst_ptr: i32,
     * len: i32) -> i32}.
     */
    METADATA_READ(
            "memory64_metadata_read",
            List.of(Type.I32, Type.I32, Type.I64, Type.I32, Type.I32),
            Type.I32,
            true,
            "key_ptr",
            "key_len",
            "value_offset",
            "dst_ptr",
            "len");

    /** A Wasm value type of the ABI. */
    public enum Type {
        /** A 32-bit integer: pointers, lengths, ids and most results (read as unsigned). */
        I32,
        /** A 64-bit integer: offsets into the layout and 64-bit results. */
        I64
    }

    private final String importName;
    private final List<Type> params;
    private final Type result;
    private final boolean usesMemory;
    // The parameters' names, as ABI.md spells them: a failure is logged with them.
    final String[] operands;

    AbiFunction(
            String importName,
            List<Type> params,
            Type result,
            boolean usesMemory,
            String... operands) {
        this.importName = importName;
        this.params = params;
        this.result = result;
        this.usesMemory = usesMemory;
        this.operands = operands;
    }

    /**
     * Returns the import name, as guests declare it.
     *
     * @return the name, such as {@code "memory64_load_layer"}
     */
    public String importName() {
        return importName;
    }

    /**
     * Returns the parameter types, in order.
     *
     * @return the types, unmodifiable
     */
    public List<Type> params() {
        return params;
    }

    /**
     * Returns the single result type.
     *
     * @return the type
     */
    public Type result() {
        return result;
    }

    /**
     * Returns whether the function reads or writes the calling guest's memory, so that an adapter
     * looks the memory up only for the functions that need it.
     *
     * @return true if {@link #invoke} uses its memory argument
     */
    public boolean usesMemory() {
        return usesMemory;
    }

    /**
     * Calls the function: passes the guest's arguments to {@code abi} as the guest gave them and
     * returns the result (a value or an error code; an {@code i32} result sign-extended, as the
     * runtimes carry it in a {@code long}). No exception escapes for any argument values.
     *
     * @param abi the ABI
     * @param memory the calling guest's memory, or null if it has none (or if the function does not
     *     {@linkplain #usesMemory() use it})
     * @param args the arguments, {@code i32} ones in the low 32 bits, at least {@link #params()}
     *     many
     * @return the result
     */
    public long invoke(Memory64Abi abi, GuestMemory memory, long[] args) {
        return switch (this) {
            case LOAD_LAYER -> abi.loadLayer(memory, (int) args[0], (int) args[1], (int) args[2]);
            case READ -> abi.read(memory, args[0], (int) args[1], (int) args[2]);
            case IS_ENABLED -> abi.isEnabled();
            case STATS -> abi.stats();
            case LAYER_SIZE -> abi.layerSize((int) args[0]);
            case STATS_INTO -> abi.statsInto(memory, (int) args[0], (int) args[1]);
            case LOAD_LAYER_RANGE ->
                    abi.loadLayerRange(
                            memory, (int) args[0], args[1], (int) args[2], (int) args[3]);
            case LAYER_FIND -> abi.layerFind(memory, (int) args[0], (int) args[1]);
            case TENSOR_INFO ->
                    abi.tensorInfo(
                            memory, (int) args[0], (int) args[1], (int) args[2], (int) args[3]);
            case PREFETCH -> abi.prefetch((int) args[0]);
            case METADATA_INFO ->
                    abi.metadataInfo(
                            memory, (int) args[0], (int) args[1], (int) args[2], (int) args[3]);
            case METADATA_READ ->
                    abi.metadataRead(
                            memory,
                            (int) args[0],
                            (int) args[1],
                            args[2],
                            (int) args[3],
                            (int) args[4]);
        };
    }
}
