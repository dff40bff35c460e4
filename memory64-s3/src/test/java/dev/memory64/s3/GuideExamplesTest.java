package dev.memory64.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.testkit.SmallModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Runs each S3 block of docs/GUIDE.md ({@link GuideExamples}) against S3Proxy. */
class GuideExamplesTest {
    @TempDir Path root;
    @TempDir Path buckets;
    @TempDir Path cache;

    LoopbackS3 s3;

    @BeforeEach
    void start() throws Exception {
        s3 = LoopbackS3.start(buckets);
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    Path model() throws Exception {
        return SmallModels.write(root.resolve("llama-3-8b-q4_k_m.gguf"), 64, 64);
    }

    @Test
    void fromS3ReadsWithTheDefaultCredentialsChainAndRegion() throws Exception {
        s3.put("my-models", "llama-3-8b-q4_k_m.gguf", model());
        // What the default chains read first: the JVM's system properties, set here only.
        Map<String, String> defaults =
                Map.of(
                        "aws.accessKeyId",
                        LoopbackS3.ACCESS_KEY,
                        "aws.secretAccessKey",
                        LoopbackS3.SECRET_KEY,
                        "aws.region",
                        "us-east-1",
                        "aws.endpointUrl",
                        s3.endpoint().toString());
        defaults.forEach(System::setProperty);
        try {
            int before = s3.requests("my-models", "llama-3-8b-q4_k_m.gguf");
            GuideExamples.fromS3(cache);
            assertTrue(s3.requests("my-models", "llama-3-8b-q4_k_m.gguf") > before);
        } finally {
            defaults.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void fromACompatibleStoreFindsBothPartsWithAnAccessKey() throws Exception {
        List<Path> parts = SplitModels.twoParts(root, "llama-3-70b-q4_k_m");
        for (Path part : parts) {
            s3.put("models", part.getFileName().toString(), part);
        }
        int uploads = s3.requests("models", parts.get(0).getFileName().toString());
        GuideExamples.fromACompatibleStore(
                s3.endpoint(), LoopbackS3.ACCESS_KEY, LoopbackS3.SECRET_KEY, cache);
        for (Path part : parts) {
            // a probe and the header's range to read it, a probe for its region
            String key = part.getFileName().toString();
            assertEquals(uploads + 3, s3.requests("models", key), key);
        }
    }

    @Test
    void fromAPresignedUrlReadsByRangedGetsWithoutAHead() throws Exception {
        s3.put("my-models", "llama-3-8b-q4_k_m.gguf", model());
        int heads = s3.calls("blobMetadata");
        int gets = s3.calls("getBlob");
        try (S3Presigner presigner = s3.presigner()) {
            GuideExamples.fromAPresignedUrl(presigner, cache);
        }
        assertEquals(heads, s3.calls("blobMetadata"), "a HEAD was sent");
        assertTrue(s3.calls("getBlob") > gets);
    }
}
