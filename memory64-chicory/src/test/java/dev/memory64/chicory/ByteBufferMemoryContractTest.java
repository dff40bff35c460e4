package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/** The memory contract checked against Chicory's own {@link ByteBufferMemory}. */
class ByteBufferMemoryContractTest extends MemoryContractTest {

    @Override
    Memory create(MemoryLimits limits) {
        return new ByteBufferMemory(limits);
    }
}
