package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Layer;
import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgufModel;
import dev.memory64.testkit.Nginx;
import dev.memory64.testkit.SmallModels;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of remote models: a GGUF model served by nginx on the loopback, opened from
 * its {@code http://127.0.0.1:...} URL, and every layer's checksum computed by the C guest equals
 * the local file's; with the server stopped, the guest's loads fail and a restart serves them.
 */
class RemoteGuestTest {
    @TempDir Path root;
    @TempDir Path work;
    @TempDir Path cache;

    Path file;

    @BeforeEach
    void writeModel() throws Exception {
        file = root.resolve("model.gguf");
        SmallModels.llama(200, 128).build().write(file);
    }

    GgufModel openRemote(Nginx nginx) throws Exception {
        return GgufModel.builder(nginx.uri("model.gguf"))
                .withCacheDirectory(cache)
                .withRemoteOptions(
                        RemoteOptions.defaults()
                                .withChunkSize(64 << 10)
                                .withRetries(3, Duration.ofMillis(1)))
                .open();
    }

    @Test
    void theCGuestChecksumsEveryLayerOfARemoteModelAsTheLocalFile() throws Exception {
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote(nginx)) {
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
    }

    @Test
    void aGuestsLoadsFailWhileTheServerIsDownAndWorkOnceItIsBack() throws Exception {
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote(nginx)) {
            nginx.stop();
            CGuestTest.Run down = CGuestTest.run(remote.store(), Guests.fastest(), true, "8");
            assertEquals(1, down.exitCode(), down.stdout() + down.stderr());
            assertEquals("error layer 0 code -4\n", down.stderr()); // HOST_RANGE
            assertEquals("", down.stdout());
            nginx.restart();
            CGuestTest.Run back = CGuestTest.run(remote.store(), Guests.fastest(), true, "8");
            assertEquals(0, back.exitCode(), back.stderr());
            assertEquals(CGuestTest.expectedOutput(local.store()), back.stdout());
        }
    }
}
