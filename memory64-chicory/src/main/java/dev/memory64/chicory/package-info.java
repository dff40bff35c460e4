/**
 * The Chicory adapter for memory64: {@link dev.memory64.chicory.Memory64HostFunctions}, the guest
 * ABI as Chicory host functions, and {@link dev.memory64.chicory.SegmentMemory}, a memory for
 * Chicory in one off-heap {@code MemorySegment} into which a layer load is a single copy.
 */
package dev.memory64.chicory;
