/**
 * The Chicory adapter for memory64: what a Chicory guest needs to reach host model weights.
 *
 * <p>{@link dev.memory64.chicory.SegmentMemory} is a Chicory {@link
 * com.dylibso.chicory.runtime.Memory} whose bytes live in one off-heap {@link
 * java.lang.foreign.MemorySegment}, so that the host copies a layer into the guest with a single
 * segment copy. Plug it in with {@code Instance.builder(module).withMemoryFactory(
 * SegmentMemory.factory())} and close it when the instance is done.
 */
package dev.memory64.chicory;
