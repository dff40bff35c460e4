package dev.memory64.abi;

/** The ABI's functions, with the names of the operands a failure is logged with. */
enum AbiOp {
    LOAD_LAYER("memory64_load_layer", "layer_id", "dst_ptr", "max_size"),
    READ("memory64_read", "offset", "dst_ptr", "len"),
    STATS("memory64_stats"),
    LAYER_SIZE("memory64_layer_size", "layer_id"),
    STATS_INTO("memory64_stats_into", "dst_ptr", "len"),
    LOAD_LAYER_RANGE("memory64_load_layer_range", "layer_id", "layer_offset", "dst_ptr", "len"),
    LAYER_FIND("memory64_layer_find", "name_ptr", "name_len"),
    TENSOR_INFO("memory64_tensor_info", "name_ptr", "name_len", "dst_ptr", "dst_len"),
    PREFETCH("memory64_prefetch", "layer_id");

    final String function;
    final String[] operands;

    AbiOp(String function, String... operands) {
        this.function = function;
        this.operands = operands;
    }
}
