package dev.memory64.llama;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgufValue;
import dev.memory64.internal.RemoteAccess;
import dev.memory64.internal.RemoteUris;
import dev.memory64.safetensors.SafetensorsModel;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face checkpoint opened by URI for {@link Llama}: its config and tokenizer read beside
 * its first URI through the same transports as its tensors (HTTP(S), {@code hf://}, {@code s3://}),
 * then the checkpoint opened by range with the tokenizer's GGUF keys as metadata, as a local one
 * is.
 */
final class RemoteCheckpoint {

    /**
     * The largest file read beside a checkpoint (its config.json, tokenizer.json or
     * tokenizer_config.json): Llama 3's tokenizer.json is 9 MB, the largest published ones a few
     * tens of megabytes.
     */
    static final int MAX_FILE_SIZE = 64 << 20;

    private RemoteCheckpoint() {}

    /**
     * Opens the checkpoint.
     *
     * @param uris the checkpoint's URI: its file, a shard, every shard, or its index
     * @param options how its files and tensors are fetched
     * @param cacheDirectory where its parts' caches go
     * @return the opened checkpoint, its tokenizer keys in its store's metadata
     * @throws NoSuchFileException if its config.json or tokenizer.json is not beside it (the
     *     message names the URI read)
     * @throws LlamaModelException if the guest cannot run its tokenizer
     * @throws IOException if a file cannot be read, or the checkpoint opened
     */
    static SafetensorsModel open(List<URI> uris, RemoteOptions options, Path cacheDirectory)
            throws IOException {
        URI first = uris.get(0);
        // The config's values are read by the checkpoint's own open; here it is only required, as
        // beside a local checkpoint, so that a missing one is named before anything runs.
        require(first, HfCheckpointConverter.CONFIG_FILE, "hyperparameters", options);
        byte[] tokenizer =
                require(first, HfCheckpointConverter.TOKENIZER_FILE, "vocabulary", options);
        URI configUri = first.resolve("tokenizer_config.json");
        byte[] tokenizerConfig = readIfPresent(configUri, options);
        Map<String, GgufValue> keys;
        try {
            keys =
                    HfTokenizerConverter.metadata(
                            RemoteUris.shown(first.resolve(HfCheckpointConverter.TOKENIZER_FILE)),
                            tokenizer,
                            RemoteUris.shown(configUri),
                            tokenizerConfig);
        } catch (IllegalArgumentException e) {
            throw Llama.notRunnable(RemoteUris.shown(first), e);
        }
        return SafetensorsModel.builder(uris.toArray(URI[]::new))
                .withRemoteOptions(options)
                .withCacheDirectory(cacheDirectory)
                .withMetadata(Llama.tokenizerMetadata(keys))
                .open();
    }

    /** The file {@code name} beside {@code first}, whole; a missing one is refused naming it. */
    private static byte[] require(URI first, String name, String what, RemoteOptions options)
            throws IOException {
        URI uri = first.resolve(name);
        byte[] bytes = readIfPresent(uri, options);
        if (bytes == null) {
            throw Llama.missing(RemoteUris.shown(uri), name, what);
        }
        return bytes;
    }

    /**
     * Reads a remote file whole, at most {@link #MAX_FILE_SIZE} bytes.
     *
     * @return its bytes, or null if the server does not have it (404, 410, or 403 as a bucket
     *     without list rights answers for a missing key)
     */
    private static byte[] readIfPresent(URI uri, RemoteOptions options) throws IOException {
        try (RemoteAccess.Source source = RemoteAccess.open(uri, options)) {
            long size = source.size();
            if (size > MAX_FILE_SIZE) {
                throw new IOException(
                        "open "
                                + RemoteUris.shown(uri)
                                + ": the file has "
                                + size
                                + " bytes, more than the "
                                + MAX_FILE_SIZE
                                + " read of a file beside a checkpoint");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && source.read(buffer, buffer.position()) >= 0) {
                // read until full or the object ends
            }
            if (buffer.hasRemaining()) {
                throw new IOException(
                        "open "
                                + RemoteUris.shown(uri)
                                + ": the file ended after "
                                + buffer.position()
                                + " of its "
                                + size
                                + " bytes");
            }
            return buffer.array();
        } catch (RemoteFetchException e) {
            int status = e.status();
            if (status == 404 || status == 410 || status == 403) {
                return null;
            }
            throw e;
        }
    }
}
