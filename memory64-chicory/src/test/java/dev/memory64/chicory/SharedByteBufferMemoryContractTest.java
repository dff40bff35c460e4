package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * The memory contract for shared memories checked against Chicory's own {@link ByteBufferMemory}.
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
