package dev.memory64.s3;

import dev.memory64.Memory64Store;
import dev.memory64.RemoteOptions;
import dev.memory64.ResidencyPolicy;
import dev.memory64.gguf.GgufModel;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * The Java blocks of docs/GUIDE.md that need memory64-s3, one method per block, as the core's
 * {@code GuideExamples}: {@code GuideBlocksTest} (memory64-chicory) checks that each block is a
 * body here, {@link GuideExamplesTest} runs each against S3Proxy. The parameters are the variables
 * the guide's text around the block names.
 */
final class GuideExamples {

    private GuideExamples() {}

    /**
     * "From S3": the default credentials chain and region.
     *
     * @param cacheDirectory where the local cache goes
     */
    static void fromS3(Path cacheDirectory) throws IOException {
        // guide-example:begin
        // memory64-s3 on the class or module path: the default credentials chain and region
        try (GgufModel model =
                GgufModel.builder(URI.create("s3://my-models/llama-3-8b-q4_k_m.gguf"))
                        .withCacheDirectory(cacheDirectory)
                        .open()) {
            model.store().useResidency(ResidencyPolicy.layers(1, 2)); // fetch two layers ahead
            // ... guests load layers as from a local file ...
        }
        // guide-example:end
    }

    /**
     * "From an S3-compatible store": an endpoint, path-style addressing and an access key.
     *
     * @param endpoint the store's endpoint
     * @param accessKeyId the access key id
     * @param secretAccessKey its secret
     * @param cacheDirectory where the local cache goes
     */
    static void fromACompatibleStore(
            URI endpoint, String accessKeyId, String secretAccessKey, Path cacheDirectory)
            throws IOException {
        // guide-example:begin
        S3Options store =
                S3Options.defaults()
                        .withEndpoint(endpoint) // e.g. http://minio.internal:9000
                        .withPathStyle(true)
                        .withCredentials(accessKeyId, secretAccessKey);
        try (GgufModel model =
                GgufModel.builder(URI.create("s3://models/llama-3-70b-q4_k_m-00001-of-00002.gguf"))
                        .withCacheDirectory(cacheDirectory)
                        .withRemoteOptions(
                                RemoteOptions.defaults().withTransport(store.transport()))
                        .open()) {
            List<URI> parts = model.uris(); // both parts: the other was found beside it
        }
        // guide-example:end
    }

    /**
     * "From a presigned URL": made where the credentials are, opened where they are not.
     *
     * @param presigner the SDK's presigner, with the credentials
     * @param cacheDirectory where the local cache goes
     */
    static void fromAPresignedUrl(S3Presigner presigner, Path cacheDirectory)
            throws IOException, URISyntaxException {
        // guide-example:begin
        // where the credentials are: a GET of one object, valid for an hour
        GetObjectPresignRequest request =
                GetObjectPresignRequest.builder()
                        .signatureDuration(Duration.ofHours(1))
                        .getObjectRequest(g -> g.bucket("my-models").key("llama-3-8b-q4_k_m.gguf"))
                        .build();
        URI url = presigner.presignGetObject(request).url().toURI();
        // on a host without them: a plain HTTP(S) URL, read by ranged GETs (never a HEAD)
        try (GgufModel model = GgufModel.builder(url).withCacheDirectory(cacheDirectory).open()) {
            Memory64Store store = model.store(); // guests load layers from it as from a file
        }
        // guide-example:end
    }
}
