/**
 * memory64 core: the 64-bit layout model, off-heap region storage, the layer table, statistics, the
 * runtime-neutral guest ABI, and GGUF models and safetensors checkpoints.
 */
// "memory64" is the product name; the digits are part of it, not a version.
@SuppressWarnings("module")
module dev.memory64 {
    requires org.slf4j;
    requires transitive java.management;
    requires jdk.jfr;
    requires transitive java.net.http;
    requires tools.jackson.core;

    uses dev.memory64.RemoteTransportProvider;

    exports dev.memory64;
    exports dev.memory64.abi;
    exports dev.memory64.gguf;
    exports dev.memory64.safetensors;
    exports dev.memory64.internal to
            dev.memory64.chicory,
            dev.memory64.endive,
            dev.memory64.llama,
            dev.memory64.s3;
    exports dev.memory64.linear to
            dev.memory64.chicory,
            dev.memory64.endive;
}
