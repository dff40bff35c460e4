/**
 * The memory64 host model: a {@link dev.memory64.MemoryLayout} of {@link
 * dev.memory64.MemoryRegion}s in one unsigned 64-bit address space, and the checked arithmetic
 * ({@link dev.memory64.Unsigned64}) that every size and offset goes through.
 */
package dev.memory64;
