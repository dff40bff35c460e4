package dev.memory64.endive;

import run.endive.runtime.ByteArrayMemory;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/**
 * The memory contract checked against Endive's own {@link ByteArrayMemory}, whose atomics work on
 * JDK 22 and newer (Chicory 1.7.5's do not, see the Chicory module's test of the same name).
 *
 * <p>The one adapter test written for Endive alone: the others are generated from the Chicory
 * module's, and this file replaces the one that would be generated from the Chicory test of the
 * same name (docs/ARCHITECTURE.md, "Testing both runtimes").
 */
class ByteArrayMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return new ByteArrayMemory(limits);
    }
}
