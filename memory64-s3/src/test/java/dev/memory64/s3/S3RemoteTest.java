package dev.memory64.s3;

import static dev.memory64.testkit.SameModel.assertLastLayerChanged;
import static dev.memory64.testkit.SameModel.assertSameModel;
import static dev.memory64.testkit.SameModel.openRemote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.testkit.SmallModels;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Models in a real S3 API server on the loopback (S3Proxy, Signature Version 4 enforced), opened by
 * {@code s3://bucket/key} and by a presigned URL, checked against the local file.
 */
class S3RemoteTest {
    @TempDir Path root;
    @TempDir Path buckets;
    @TempDir Path cache;

    LoopbackS3 s3;
    Path file;

    @BeforeEach
    void start() throws Exception {
        s3 = LoopbackS3.start(buckets);
        file = root.resolve("model.gguf");
        SmallModels.llama(200, 128).build().write(file);
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    /** Three attempts a millisecond apart: a retry storm would show in the request counts. */
    static RemoteOptions fast(S3Options options) {
        return RemoteOptions.defaults()
                .withChunkSize(64 << 10)
                .withRetries(3, Duration.ofMillis(1))
                .withRequestTimeout(Duration.ofSeconds(20))
                .withTransport(options.transport());
    }

    GgufModel open(URI uri, S3Options options) throws Exception {
        return GgufModel.builder(uri)
                .withCacheDirectory(cache)
                .withRemoteOptions(fast(options))
                .open();
    }

    @Test
    void aModelUploadedWithTheSdkReadsAsItsFileWithSignedRangedGetsOnly() throws Exception {
        URI uri = s3.put("models", "llama/model.gguf", file);
        try (GgufModel local = GgufModel.open(file);
                GgufModel remote = open(uri, s3.options())) {
            assertSameModel(local, remote);
            assertEquals(List.of(uri), remote.uris());
        }
        assertEquals(0, s3.calls("blobMetadata"), "a HEAD was sent");
        assertTrue(s3.calls("getBlob") > 2, "ranged GETs: " + s3.calls("getBlob"));
    }

    @Test
    void aSplitSetOpensByAnyOfItsParts() throws Exception {
        List<Path> parts = SplitModels.twoParts(root, "split");
        for (Path part : parts) {
            s3.put("models", "split/" + part.getFileName(), part);
        }
        try (GgufModel local = GgufModel.open(parts.get(0));
                GgufModel remote =
                        open(
                                URI.create("s3://models/split/split-00002-of-00002.gguf"),
                                s3.options())) {
            assertEquals(
                    List.of(
                            URI.create("s3://models/split/split-00001-of-00002.gguf"),
                            URI.create("s3://models/split/split-00002-of-00002.gguf")),
                    remote.uris());
            assertSameModel(local, remote);
        }
    }

    static Stream<Arguments> refusals() {
        UnaryOperator<S3Options> same = o -> o;
        return Stream.of(
                Arguments.of(
                        "a wrong secret key",
                        (UnaryOperator<S3Options>)
                                o -> o.withCredentials(LoopbackS3.ACCESS_KEY, "not-the-secret"),
                        "s3://models/m.gguf",
                        403,
                        "SignatureDoesNotMatch"),
                Arguments.of(
                        "an unknown access key",
                        (UnaryOperator<S3Options>)
                                o -> o.withCredentials("nobody", LoopbackS3.SECRET_KEY),
                        "s3://models/m.gguf",
                        403,
                        "InvalidAccessKeyId"),
                Arguments.of(
                        "a missing bucket",
                        same,
                        "s3://nothing-here/m.gguf",
                        404,
                        "the bucket \"nothing-here\" does not exist"),
                Arguments.of(
                        "a missing key",
                        same,
                        "s3://models/absent.gguf",
                        404,
                        "the key \"absent.gguf\" does not exist in bucket \"models\""));
    }

    @ParameterizedTest(name = "{0} is refused at once, naming it")
    @MethodSource("refusals")
    void aRefusalIsNamedAndNotTriedAgain(
            String rule, UnaryOperator<S3Options> options, String uri, int status, String named)
            throws Exception {
        s3.put("models", "m.gguf", file);
        URI object = URI.create(uri);
        String bucket = object.getAuthority();
        String key = object.getPath().substring(1);
        int before = s3.requests(bucket, key);
        RemoteFetchException e =
                assertThrows(
                        RemoteFetchException.class,
                        () -> open(object, options.apply(s3.options())).close(),
                        rule);
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(named), e.getMessage());
        assertTrue(e.getMessage().contains(uri), e.getMessage());
        assertEquals(1, s3.requests(bucket, key) - before, "requests for " + rule);
    }

    @Test
    void anObjectOverwrittenAfterOpenIsRefusedAsChanged() throws Exception {
        URI uri = s3.put("models", "model.gguf", file);
        try (GgufModel remote = open(uri, s3.options())) {
            List<Layer> layers = remote.store().layers();
            Layer first = layers.getFirst();
            remote.store()
                    .readLayer(first.id(), 0, MemorySegment.ofArray(new byte[(int) first.size()]));
            Path other = root.resolve("other.gguf");
            SmallModels.llama(200, 128)
                    .addMetadata("other", GgufValue.uint32(1))
                    .build()
                    .write(other);
            s3.put("models", "model.gguf", other);
            RemoteFetchException e = assertLastLayerChanged(remote);
            assertEquals(412, e.status(), e.getMessage());
        }
    }

    @Test
    void aPresignedUrlOpensThroughThePlainHttpPathWithoutAHead() throws Exception {
        s3.put("models", "model.gguf", file);
        URI presigned;
        try (S3Presigner presigner = s3.presigner()) {
            presigned =
                    presigner
                            .presignGetObject(
                                    p ->
                                            p.signatureDuration(Duration.ofMinutes(10))
                                                    .getObjectRequest(
                                                            g ->
                                                                    g.bucket("models")
                                                                            .key("model.gguf")))
                            .url()
                            .toURI();
        }
        int heads = s3.calls("blobMetadata");
        try (GgufModel local = GgufModel.open(file);
                GgufModel remote = openRemote(presigned, cache, 3)) {
            assertEquals("http", remote.uris().getFirst().getScheme());
            assertSameModel(local, remote);
        }
        assertEquals(heads, s3.calls("blobMetadata"), "a HEAD was sent");
    }
}
