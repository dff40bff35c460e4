package dev.memory64.s3;

import dev.memory64.RemoteOptions;
import dev.memory64.chicory.RemoteGuestChecks;
import dev.memory64.gguf.GgufModel;
import dev.memory64.testkit.SmallModels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of S3 models, with the checks the HTTP one ({@code RemoteGuestTest}) makes: a
 * GGUF model uploaded to S3Proxy with the SDK, opened by {@code s3://}, and every layer's checksum
 * computed by the C guest equals the local file's; with the server stopped the guest's loads fail,
 * and once it is started again they are served.
 */
class S3GuestTest {
    @TempDir Path root;
    @TempDir Path buckets;
    @TempDir Path cache;

    LoopbackS3 s3;
    Path file;
    URI uri;

    @BeforeEach
    void upload() throws Exception {
        file = root.resolve("model.gguf");
        SmallModels.llama(200, 128).build().write(file);
        s3 = LoopbackS3.start(buckets);
        uri = s3.put("models", "model.gguf", file);
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    GgufModel openRemote() throws Exception {
        return GgufModel.builder(uri)
                .withCacheDirectory(cache)
                .withRemoteOptions(
                        RemoteOptions.defaults()
                                .withChunkSize(64 << 10)
                                .withRetries(3, Duration.ofMillis(1))
                                .withTransport(s3.options().transport()))
                .open();
    }

    @Test
    void theCGuestChecksumsEveryLayerOfAnS3ModelAsTheLocalFile() throws Exception {
        try (GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote()) {
            RemoteGuestChecks.assertGuestChecksumsAsLocal(local, remote);
        }
    }

    @Test
    void aGuestsLoadsFailWhileTheStoreIsDownAndWorkOnceItIsBack() throws Exception {
        try (GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote()) {
            RemoteGuestChecks.assertLoadsFailWhileDownAndWorkOnceBack(
                    local, remote, s3::stop, s3::restart);
        }
    }
}
