package dev.memory64.endive;

import run.endive.runtime.ByteBufferMemory;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/** The memory contract checked against Endive's own {@link ByteBufferMemory}. */
class ByteBufferMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return new ByteBufferMemory(limits);
    }
}
