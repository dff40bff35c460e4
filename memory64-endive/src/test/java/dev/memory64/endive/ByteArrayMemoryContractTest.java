package dev.memory64.endive;

import run.endive.runtime.ByteArrayMemory;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/**
 * The memory contract checked against Endive's own {@link ByteArrayMemory}, whose atomics work on
 * JDK 22 and newer (Chicory 1.7.5's do not, see the Chicory module's test of the same name).
 */
class ByteArrayMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return new ByteArrayMemory(limits);
    }
}
