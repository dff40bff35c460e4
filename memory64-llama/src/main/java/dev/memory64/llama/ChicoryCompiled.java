package dev.memory64.llama;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import java.util.function.Function;

/**
 * The guest compiled to JVM bytecode by Chicory's compiler, once per JVM on first use, for {@link
 * GuestRuntime#CHICORY}. Apart from {@link ChicoryGuest}, which Endive's guest is generated from:
 * Endive's compiler is served only at an older version than its runtime.
 */
final class ChicoryCompiled {
    /** The compiled guest's machines, shared by every instance. */
    static final Function<Instance, Machine> MACHINES =
            MachineFactoryCompiler.compile(ChicoryGuest.Module.MODULE);

    private ChicoryCompiled() {}
}
