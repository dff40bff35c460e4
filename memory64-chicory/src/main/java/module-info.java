/**
 * The Chicory adapter for memory64: host functions for the guest ABI and a segment-backed memory.
 */
// "memory64" is the product name; the digits are part of it, not a version.
@SuppressWarnings("module")
module dev.memory64.chicory {
    requires transitive dev.memory64;
    requires transitive com.dylibso.chicory.runtime;

    exports dev.memory64.chicory;
}
