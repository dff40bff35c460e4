/**
 * The Endive adapter for memory64: {@link dev.memory64.endive.Memory64HostFunctions}, the guest ABI
 * as Endive host functions, and {@link dev.memory64.endive.SegmentMemory}, a Endive memory in one
 * off-heap {@code MemorySegment} into which a layer load is a single copy.
 */
package dev.memory64.endive;
