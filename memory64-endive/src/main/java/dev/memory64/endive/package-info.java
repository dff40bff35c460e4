/**
 * The Endive adapter for memory64: {@link dev.memory64.endive.Memory64HostFunctions}, the guest ABI
 * as Endive host functions, and {@link dev.memory64.endive.SegmentMemory}, a memory for Endive in
 * one off-heap {@code MemorySegment} into which a layer load is a single copy.
 *
 * <p>Endive's API is Chicory's under other names, so these classes are written once, in the Chicory
 * adapter's package {@code dev.memory64.chicory} (module {@code memory64-chicory}), and generated
 * here at build time by a rename ({@code memory64-endive/README.md}). To change them, edit the
 * Chicory adapter's sources; this file and {@code module-info.java} are the only sources of this
 * package written for Endive.
 */
package dev.memory64.endive;
