package dev.memory64.chicory;

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
            RemoteGuestChecks.assertGuestChecksumsAsLocal(local, remote);
        }
    }

    @Test
    void aGuestsLoadsFailWhileTheServerIsDownAndWorkOnceItIsBack() throws Exception {
        try (Nginx nginx = Nginx.start(root, work);
                GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote(nginx)) {
            RemoteGuestChecks.assertLoadsFailWhileDownAndWorkOnceBack(
                    local, remote, nginx::stop, nginx::restart);
        }
    }
}
