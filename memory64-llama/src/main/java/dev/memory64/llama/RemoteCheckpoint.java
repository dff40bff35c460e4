package dev.memory64.llama;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.gguf.GgufValue;
import dev.memory64.internal.RemoteAccess;
import dev.memory64.safetensors.SafetensorsModel;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
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
     * The largest tokenizer.json or tokenizer_config.json read: Llama 3's tokenizer.json is 9 MB,
     * the largest published ones a few tens of megabytes.
     */
    static final int MAX_FILE_SIZE = 64 << 20;

    private RemoteCheckpoint() {}

    /**
     * Opens the checkpoint.
     *
     * @param uris the checkpoint's URI: its file, a shard, every shard, or its index
     * @return the opened checkpoint, its tokenizer keys in its store's metadata
     * @throws NoSuchFileException if its config.json or tokenizer.json is not beside it (the
     *     message names the URI read)
     * @throws LlamaModelException if the guest cannot run its tokenizer
     * @throws IOException if a file cannot be read, or the checkpoint opened
     */
    static SafetensorsModel open(List<URI> uris) throws IOException {
        URI first = uris.get(0);
        RemoteOptions options = RemoteOptions.defaults();
        // The config's values are read by the checkpoint's own open; here only its presence is
        // checked, as for a local checkpoint, so that a missing one is named before anything runs.
        read(
                first.resolve(HfCheckpointConverter.CONFIG_FILE),
                HfCheckpointConverter.CONFIG_FILE,
                "hyperparameters",
                options,
                false);
        byte[] tokenizer =
                read(
                        first.resolve(HfCheckpointConverter.TOKENIZER_FILE),
                        HfCheckpointConverter.TOKENIZER_FILE,
                        "vocabulary",
                        options,
                        true);
        URI configUri = first.resolve("tokenizer_config.json");
        byte[] tokenizerConfig = read(configUri, null, null, options, true);
        Map<String, GgufValue> keys;
        try {
            keys =
                    HfTokenizerConverter.metadata(
                            shown(first.resolve(HfCheckpointConverter.TOKENIZER_FILE)),
                            tokenizer,
                            tokenizerConfig == null ? null : shown(configUri),
                            tokenizerConfig);
        } catch (IllegalArgumentException e) {
            throw Llama.notRunnable(shown(first), e);
        }
        return SafetensorsModel.builder(uris.toArray(URI[]::new))
                .withMetadata(Llama.tokenizerMetadata(keys))
                .open();
    }

    /**
     * Reads a file beside the checkpoint whole.
     *
     * @param name the file's name for the message when it is missing, or null if it may be
     * @param bytes whether its bytes are wanted (else only its presence is checked)
     * @return its bytes; null if it is missing and may be, or if its bytes are not wanted
     */
    private static byte[] read(
            URI uri, String name, String what, RemoteOptions options, boolean bytes)
            throws IOException {
        try (RemoteAccess.Source source = RemoteAccess.open(uri, options)) {
            if (!bytes) {
                return null;
            }
            long size = source.size();
            if (size > MAX_FILE_SIZE) {
                throw new IOException(
                        "open "
                                + shown(uri)
                                + ": the file has "
                                + size
                                + " bytes, more than the "
                                + MAX_FILE_SIZE
                                + " read of a tokenizer");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && source.read(buffer, buffer.position()) >= 0) {
                // read until full or the object ends
            }
            if (buffer.hasRemaining()) {
                throw new IOException(
                        "open "
                                + shown(uri)
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
                if (name == null) {
                    return null;
                }
                throw Llama.missing(shown(uri), name, what);
            }
            throw e;
        }
    }

    /** The URI as messages show it: without a query or user-info, which may be credentials. */
    static String shown(URI uri) {
        if (uri.getRawQuery() == null && uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            b.append(uri.getHost());
            if (uri.getPort() >= 0) {
                b.append(':').append(uri.getPort());
            }
        }
        return b.append(uri.getRawPath() == null ? "" : uri.getRawPath()).toString();
    }
}
