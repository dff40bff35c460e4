package dev.memory64.llama;

import java.util.Locale;

/** The WebAssembly runtimes, and their modes, that {@link Llama} can run the guest under. */
public enum GuestRuntime {
    /** Chicory, the guest compiled to JVM bytecode on first use (once per JVM): the fastest. */
    CHICORY("chicory"),
    /** Chicory's interpreter: no compilation, much slower per token. */
    CHICORY_INTERPRETER("chicory-interpreter"),
    /**
     * Endive's interpreter. Endive's compiler is served only at an older version than its runtime,
     * so the guest is interpreted here.
     */
    ENDIVE("endive");

    private final String cliName;

    GuestRuntime(String cliName) {
        this.cliName = cliName;
    }

    /**
     * Returns the name {@code scripts/generate.sh --runtime} takes: {@code chicory}, {@code
     * chicory-interpreter} or {@code endive}.
     *
     * @return the name
     */
    public String cliName() {
        return cliName;
    }

    /**
     * Returns the runtime of a {@link #cliName()}, in any case.
     *
     * @param name the name
     * @return the runtime
     * @throws IllegalArgumentException if no runtime has that name
     */
    public static GuestRuntime ofCliName(String name) {
        for (GuestRuntime runtime : values()) {
            if (runtime.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return runtime;
            }
        }
        throw new IllegalArgumentException(
                "no runtime named \"" + name + "\": chicory, chicory-interpreter or endive");
    }

    Guest start(dev.memory64.Memory64Store store) {
        return switch (this) {
            case CHICORY -> ChicoryGuest.start(store, ChicoryCompiled.MACHINES);
            case CHICORY_INTERPRETER -> ChicoryGuest.start(store);
            case ENDIVE -> EndiveGuest.start(store);
        };
    }
}
