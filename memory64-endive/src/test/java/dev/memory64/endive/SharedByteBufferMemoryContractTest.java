package dev.memory64.endive;

import run.endive.runtime.ByteBufferMemory;
import run.endive.runtime.Memory;
import run.endive.wasm.types.MemoryLimits;

/**
 * The memory contract for shared memories checked against Endive's own {@link ByteBufferMemory}.
 */
class SharedByteBufferMemoryContractTest extends MemoryContractTest {

    @Override
    boolean shared() {
        return true;
    }

    @Override
    Memory create(MemoryLimits limits) {
        return new ByteBufferMemory(limits);
    }
}
