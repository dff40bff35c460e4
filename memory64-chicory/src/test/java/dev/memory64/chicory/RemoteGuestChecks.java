package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Layer;
import dev.memory64.gguf.GgufModel;

/**
 * The C guest's checks of a remote model against its local file, one body for every transport:
 * {@link RemoteGuestTest} runs them over nginx, memory64-s3's tests over S3Proxy.
 */
public final class RemoteGuestChecks {

    private RemoteGuestChecks() {}

    /** Stops or starts the server. */
    @FunctionalInterface
    public interface Step {
        /**
         * Runs the step.
         *
         * @throws Exception if it fails
         */
        void run() throws Exception;
    }

    /**
     * Asserts that the C guest checksums every layer of {@code remote} as the host does {@code
     * local}'s, and that the host's checksums of both agree layer by layer.
     *
     * @param local the model opened from its file
     * @param remote the same model opened from elsewhere
     * @throws Exception if a read fails
     */
    public static void assertGuestChecksumsAsLocal(GgufModel local, GgufModel remote)
            throws Exception {
        CGuestTest.Run run = CGuestTest.run(remote.store(), Guests.fastest(), true, "8");
        assertEquals("", run.stderr());
        assertEquals(0, run.exitCode());
        assertEquals(CGuestTest.expectedOutput(local.store()), run.stdout());
        for (Layer layer : local.store().layers()) {
            assertEquals(
                    HostChecksum.of(local.store(), layer),
                    HostChecksum.of(remote.store(), layer),
                    layer.name());
        }
    }

    /**
     * Asserts that with the server stopped the guest's first load fails with HOST_RANGE (-4) and
     * nothing is printed, and that once it is started again every checksum is served.
     *
     * @param local the model opened from its file
     * @param remote the same model opened from the server, nothing read yet
     * @param stop stops the server
     * @param restart starts it again where it was
     * @throws Exception if a read, the stop or the restart fails
     */
    public static void assertLoadsFailWhileDownAndWorkOnceBack(
            GgufModel local, GgufModel remote, Step stop, Step restart) throws Exception {
        stop.run();
        CGuestTest.Run down = CGuestTest.run(remote.store(), Guests.fastest(), true, "8");
        assertEquals(1, down.exitCode(), down.stdout() + down.stderr());
        assertEquals("error layer 0 code -4\n", down.stderr()); // HOST_RANGE
        assertEquals("", down.stdout());
        restart.run();
        CGuestTest.Run back = CGuestTest.run(remote.store(), Guests.fastest(), true, "8");
        assertEquals(0, back.exitCode(), back.stderr());
        assertEquals(CGuestTest.expectedOutput(local.store()), back.stdout());
    }
}
