package dev.memory64.llama;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The inference guest's module, {@code guests/c/llama.wasm}, which the build puts in the jar. */
final class GuestModule {
    /** The resource's name, beside this class. */
    static final String RESOURCE = "llama.wasm";

    private GuestModule() {}

    /** Returns the module's bytes. */
    static byte[] bytes() {
        try (InputStream in = GuestModule.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the inference guest "
                                + RESOURCE
                                + " is missing beside "
                                + GuestModule.class.getName()
                                + " (the build copies guests/c/llama.wasm there)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the inference guest " + RESOURCE, e);
        }
    }
}
