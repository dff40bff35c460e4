package dev.memory64.gguf;

import dev.memory64.HuggingFaceHub;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.ProgressListener;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import dev.memory64.ResidencyPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Java blocks of docs/GUIDE.md that need only the core, one method per block. The lines between
 * each method's two marker comments are, byte for byte after removing their indentation, one block
 * of the guide: {@code GuideBlocksTest} (memory64-chicory) checks that, and {@link
 * GuideExamplesTest} runs each method on small fixtures. The parameters are the variables the
 * guide's text around the block names.
 */
final class GuideExamples {

    /** The progress bar of the SHA-256 block: anything with {@code update(task, done, total)}. */
    interface ProgressBar {

        /**
         * Shows progress.
         *
         * @param task what is being done
         * @param done how much of it is done
         * @param total how much there is
         */
        void update(String task, long done, long total);
    }

    /** How often {@link #token()} was asked for a token. */
    int tokens;

    /**
     * The caller's credentials, as the remote block asks for them on every request.
     *
     * @return a bearer token
     */
    String token() {
        tokens++;
        return "guide-token-" + tokens;
    }

    /**
     * "Building a store": a 1 GiB allocated region and a 64 GiB reserved one in {@code
     * java.io.tmpdir}.
     *
     * @param embeddingBytes the embeddings, at most 1 GiB
     * @return the layout the block built
     */
    static MemoryLayout buildingAStore(byte[] embeddingBytes) throws IOException {
        // guide-example:begin
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("embeddings", 1L << 30, "embeddings")
                        .addRegion("layers", 64L << 30)
                        .build();
        try (Memory64Store store =
                Memory64Store.builder(layout)
                        .withBacking("embeddings", RegionBacking.allocated())
                        .withDefaultBacking(RegionBacking.reserved())
                        .withName("my-model")
                        .build()) {
            store.write(0, embeddingBytes);
            store.registerLayer(0, "embeddings", 0, embeddingBytes.length);
            // ... write and register the other layers, then run guests
        }
        // guide-example:end
        return layout;
    }

    /**
     * "Verifying a GGUF model's files": a split model of two parts checked before opening and again
     * after, and one file's digest.
     *
     * @param models the directory holding {@code m-00001-of-00002.gguf} and its second part
     * @param digest1 the first part's published SHA-256
     * @param digest2 the second part's published SHA-256
     * @param bar where the progress goes
     * @param path the one file whose digest the last line computes
     * @return that digest
     */
    static String verifyingSha256(
            Path models, String digest1, String digest2, ProgressBar bar, Path path)
            throws IOException {
        // guide-example:begin
        // the published digests, 64 hex digits each, as the hub lists them
        Map<String, String> published =
                Map.of("m-00001-of-00002.gguf", digest1, "m-00002-of-00002.gguf", digest2);
        try (GgufModel model =
                GgufModel.builder(models.resolve("m-00001-of-00002.gguf"))
                        .withExpectedSha256(published)
                        .withProgressListener((task, done, total) -> bar.update(task, done, total))
                        .open()) {
            // every part matched its digest before its header was read or it was mapped
            model.verify(published, ProgressListener.NONE); // again, later, on the open model
        }
        String digest = GgufModel.sha256(path, ProgressListener.NONE); // one file, lowercase hex
        // guide-example:end
        return digest;
    }

    /**
     * "Models larger than memory": a residency window on an open model.
     *
     * @param path the model
     */
    static void residency(Path path) throws IOException {
        // guide-example:begin
        try (GgufModel model = GgufModel.open(path)) {
            model.store().useResidency(ResidencyPolicy.bytes(256L << 20, 512L << 20));
            // ... guests stream layers as before ...
        }
        // or, building a store:
        // Memory64Store.builder(layout).withResidency(ResidencyPolicy.layers(1, 1))
        // guide-example:end
    }

    /**
     * "Serving one model to many hosts": a split model of four parts opened from a server.
     *
     * @param hub the server's base URI
     * @param cacheDirectory where the local cache goes
     */
    void remote(URI hub, Path cacheDirectory) throws IOException {
        // guide-example:begin
        RemoteOptions options =
                RemoteOptions.defaults()
                        .withDecorator(b -> b.header("Authorization", "Bearer " + token()));
        try (GgufModel model =
                GgufModel.builder(hub.resolve("llama-3-70b-q4_k_m-00001-of-00004.gguf"))
                        .withCacheDirectory(cacheDirectory)
                        .withRemoteOptions(options)
                        .open()) {
            model.store().useResidency(ResidencyPolicy.layers(1, 2)); // fetch two layers ahead
            // ... guests load layers as from a local file ...
        }
        // guide-example:end
    }

    /**
     * "From the Hugging Face Hub": a gated model opened by its {@code hf://} URI with a token.
     *
     * @param endpoint the Hub, or a mirror
     * @param cacheDirectory where the local cache goes
     * @param token the user's Hub token
     */
    static void hub(URI endpoint, Path cacheDirectory, String token) throws IOException {
        // guide-example:begin
        HuggingFaceHub hub =
                HuggingFaceHub.fromEnvironment() // HF_ENDPOINT and HF_TOKEN, if set
                        .withEndpoint(endpoint)
                        .withToken(token);
        try (GgufModel model =
                GgufModel.builder(URI.create("hf://acme/llama-gguf@main/llama-q4_k_m.gguf"))
                        .withCacheDirectory(cacheDirectory)
                        .withRemoteOptions(RemoteOptions.defaults().withTransport(hub))
                        .open()) {
            model.store().useResidency(ResidencyPolicy.layers(1, 2));
            // ... guests load layers as from a local file ...
        }
        // guide-example:end
    }

    /**
     * "Stats and JMX": prints the store's counters to {@code System.out}.
     *
     * @param store the store
     */
    static void stats(Memory64Store store) {
        // guide-example:begin
        Memory64Stats s = store.stats();
        System.out.println(
                s.reads() + " reads, " + s.bytesRead() + " bytes, " + s.errors() + " errors");
        // guide-example:end
    }
}
