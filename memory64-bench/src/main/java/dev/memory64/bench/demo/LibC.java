package dev.memory64.bench.demo;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** The C library's functions the demo calls through the FFM API ({@code isatty}, {@code stat}). */
final class LibC {
    private LibC() {}

    /**
     * A function of the C library, where this code may call native functions (the bench jar's
     * manifest allows it).
     *
     * @return its handle, or empty where native access is off or the library has no such function
     */
    @SuppressWarnings("restricted") // only when native access is enabled for this module
    static Optional<MethodHandle> function(String name, FunctionDescriptor descriptor) {
        if (!LibC.class.getModule().isNativeAccessEnabled()) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup()
                .find(name)
                .map(address -> linker.downcallHandle(address, descriptor));
    }
}
