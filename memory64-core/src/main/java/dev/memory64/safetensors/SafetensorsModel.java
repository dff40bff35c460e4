package dev.memory64.safetensors;

import dev.memory64.Memory64Store;
import dev.memory64.ModelIntegrityException;
import dev.memory64.ModelMetadata;
import dev.memory64.ProgressListener;
import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteOptions;
import dev.memory64.internal.RemoteAccess;
import dev.memory64.model.ModelBuilder;
import dev.memory64.model.ModelOpen;
import dev.memory64.model.OpenRequest;
import dev.memory64.model.OpenedModel;
import dev.memory64.model.PartDigests;
import dev.memory64.model.PartLocation;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A safetensors checkpoint opened as a {@link Memory64Store}: a single file, a sharded set ({@code
 * model-00001-of-00004.safetensors} ..., found from any shard or from its {@code
 * model.safetensors.index.json}), from files (each mapped read-only as one region) or over HTTP(S)
 * by range (each part a sparse local cache filled on first access). No tensor byte is read into the
 * heap at open: only each part's header.
 *
 * <p>Layers follow Hugging Face's names: {@code model.embed_tokens} is layer 0, {@code
 * model.layers.N} is layer N+1, then {@code model.norm} and {@code lm_head}, then any other module
 * (a tensor's name without its last segment) in order of first appearance. Every tensor of at least
 * one byte is registered by name too, with its dtype's number ({@link SafetensorsDtype#typeId()}),
 * its shape innermost first and its offset in its layer. The header's {@code __metadata__} and the
 * {@code config.json} beside the checkpoint, if there is one, are the store's metadata (see
 * docs/GUIDE.md for the keys).
 *
 * <pre>{@code
 * try (SafetensorsModel model = SafetensorsModel.open(Path.of("model.safetensors.index.json"))) {
 *     Memory64HostFunctions functions = Memory64HostFunctions.builder(model.store()).build();
 *     ...
 * }
 * }</pre>
 */
// Its base classes are the model package's, shared with GgufModel and not exported: Javadoc
// documents their public methods here, as declared on this class.
@SuppressWarnings("exports")
public final class SafetensorsModel extends OpenedModel<SafetensorsFile> {

    /** The name of the config read beside a checkpoint. */
    public static final String CONFIG_NAME = "config.json";

    /** The largest index or config.json read: real ones are at most a few hundred kilobytes. */
    static final long MAX_JSON_SIZE = SafetensorsFile.DEFAULT_MAX_HEADER_SIZE;

    private SafetensorsModel(ModelOpen.Opened<SafetensorsFile> opened) {
        super(opened);
    }

    /**
     * Opens a checkpoint: a {@code .safetensors} file, any one shard of a sharded checkpoint (the
     * others are found beside it by their names), every shard in any order, or the checkpoint's
     * index ({@code model.safetensors.index.json}).
     *
     * @param files the file, the index, or any one or every shard
     * @return the model, whose store the caller closes through {@link #close()}
     * @throws SafetensorsFormatException if a header, the index or the config breaks a rule of the
     *     format (the message names the file, the tensor and the rule)
     * @throws IOException if a file cannot be read or mapped
     */
    public static SafetensorsModel open(Path... files) throws IOException {
        return builder(files).open();
    }

    /**
     * Opens a checkpoint, reporting progress per part.
     *
     * @param files the file, the index, or any one or every shard
     * @param listener told after each part's header is read ({@code done} parts of {@code total})
     * @return the model
     * @throws SafetensorsFormatException if a header, the index or the config breaks a rule
     * @throws IOException if a file cannot be read or mapped
     */
    public static SafetensorsModel open(List<Path> files, ProgressListener listener)
            throws IOException {
        return builder(files.toArray(new Path[0])).withProgressListener(listener).open();
    }

    /**
     * Starts opening a checkpoint from files with options.
     *
     * @param files the file, the index, or any one or every shard
     * @return a builder
     * @throws IllegalArgumentException if no file is given
     * @throws NullPointerException if {@code files} or a file is null
     */
    public static Builder builder(Path... files) {
        return new Builder(files);
    }

    /**
     * Opens a checkpoint served over HTTP(S) by range requests, with the default {@link
     * RemoteOptions} and a cache in {@code java.io.tmpdir}; as {@link
     * dev.memory64.gguf.GgufModel#open(URI...)} does for GGUF. Given the index's URI, its shards
     * are read beside it; given one shard's, the others are found by their names; a {@code
     * config.json} beside is read if the server has one.
     *
     * @param uris the file's, the index's, or any one or every shard's URI
     * @return the model, whose store the caller closes through {@link #close()}
     * @throws SafetensorsFormatException if a header, the index or the config breaks a rule
     * @throws RemoteFetchException if a part cannot be fetched by range
     * @throws IOException if the cache cannot be created
     * @throws IllegalArgumentException if no URI is given or one is not http or https
     */
    public static SafetensorsModel open(URI... uris) throws IOException {
        return builder(uris).open();
    }

    /**
     * Starts opening a checkpoint served over HTTP(S) with options.
     *
     * @param uris the file's, the index's, or any one or every shard's URI
     * @return a builder
     * @throws IllegalArgumentException if no URI is given or one is not http or https
     * @throws NullPointerException if {@code uris} or a URI is null
     */
    public static Builder builder(URI... uris) {
        return new Builder(uris);
    }

    /** Options for opening a checkpoint; {@link #open()} opens it. */
    @SuppressWarnings("exports") // see SafetensorsModel's
    public static final class Builder extends ModelBuilder<Builder> {
        private long maxHeaderSize = SafetensorsFile.DEFAULT_MAX_HEADER_SIZE;
        private ModelMetadata extra = ModelMetadata.empty();

        private Builder(Path[] files) {
            super(files, "checkpoint");
        }

        private Builder(URI[] uris) {
            super(uris, "checkpoint", "model.safetensors");
        }

        @Override
        protected PartDigests.Mismatch mismatch() {
            return PartDigests.Mismatch.PLAIN;
        }

        /**
         * Limits each part's header (the JSON after the 8-byte length); a larger one is a {@link
         * SafetensorsFormatException} before it is read. Opening takes heap of about a few times
         * the headers' size (see docs/GUIDE.md).
         *
         * @param maxHeaderSize the limit in bytes, default {@link
         *     SafetensorsFile#DEFAULT_MAX_HEADER_SIZE} (the reference implementation's)
         * @return this builder
         * @throws IllegalArgumentException if the limit is not in {@code [2, }{@link
         *     SafetensorsFile#MAX_HEADER_SIZE_LIMIT}{@code ]}
         */
        public Builder withMaxHeaderSize(long maxHeaderSize) {
            SafetensorsFile.checkMaxHeaderSize(maxHeaderSize);
            this.maxHeaderSize = maxHeaderSize;
            return this;
        }

        /**
         * Adds entries to the store's metadata, after the header's {@code __metadata__} and the
         * config.json's keys (an entry whose key is one of theirs replaces it): what a guest needs
         * that a checkpoint does not hold, e.g. the GGUF tokenizer keys of the {@code
         * tokenizer.json} beside it. Each call adds to the previous ones.
         *
         * @param metadata the entries
         * @return this builder
         * @throws NullPointerException if {@code metadata} is null
         */
        public Builder withMetadata(ModelMetadata metadata) {
            Objects.requireNonNull(metadata, "metadata");
            this.extra = ModelMetadata.builder().putAll(extra).putAll(metadata).build();
            return this;
        }

        /**
         * Verifies every shard if {@link #withExpectedSha256(Map) digests were given}, reads every
         * part's header, checks that the parts form one checkpoint (and agree with the index, if
         * there is one), maps every part and registers the layers and tensors.
         *
         * @return the model, whose store the caller closes through {@link SafetensorsModel#close()}
         * @throws ModelIntegrityException if a shard's digest is not the expected one (nothing is
         *     mapped then); the message names the shard and both digests
         * @throws IllegalArgumentException if digests were given but a shard has none (before that
         *     shard is read) or the checkpoint is opened from URIs (digests are checked for files
         *     only), or no transport serves a URI's scheme
         * @throws SafetensorsFormatException if a header, the index or the config breaks a rule
         * @throws IOException if a file cannot be read or mapped, or a part fetched
         */
        public SafetensorsModel open() throws IOException {
            return SafetensorsModel.open(this);
        }
    }

    private static SafetensorsModel open(Builder options) throws IOException {
        OpenRequest request = OpenRequest.of(options);
        RemoteOptions remoteOptions = request.remoteOptions();
        boolean remote = remoteOptions != null;
        List<PartLocation> given = new ArrayList<>(request.given());
        PartLocation first = given.get(0);
        SafetensorsIndex index = null;
        String firstName = SafetensorsFile.nameOf(first.path());
        if (SafetensorsIndex.isIndex(firstName)) {
            if (given.size() > 1) {
                throw new IllegalArgumentException(
                        "open " + first.path() + ": pass the index alone, not with its shards");
            }
            byte[] bytes = remote ? readSmall(first.uri(), remoteOptions) : readSmall(first.path());
            index = SafetensorsIndex.parse(firstName, bytes);
            given.clear();
            for (String file : index.files()) {
                Path part = first.path().resolveSibling(file);
                if (!remote && !Files.exists(part)) {
                    throw index.missing(file);
                }
                given.add(first.sibling(part));
            }
        }
        ModelMetadata config = config(first, remoteOptions);
        if (!options.extra.isEmpty()) {
            ModelMetadata.Builder merged = ModelMetadata.builder();
            if (config != null) {
                merged.putAll(config);
            }
            config = merged.putAll(options.extra).build();
        }
        return new SafetensorsModel(
                ModelOpen.open(
                        new SafetensorsFormat(options.maxHeaderSize, index, config),
                        given,
                        request.check(),
                        request.listener()));
    }

    /** The config.json beside the first location, or null if there is none. */
    private static ModelMetadata config(PartLocation first, RemoteOptions remoteOptions)
            throws IOException {
        if (first.isFile()) {
            Path config = first.path().resolveSibling(CONFIG_NAME);
            return Files.isRegularFile(config)
                    ? SafetensorsConfig.parse(CONFIG_NAME, readSmall(config))
                    : null;
        }
        byte[] bytes;
        try {
            bytes = readSmall(first.uri().resolve(CONFIG_NAME), remoteOptions);
        } catch (RemoteFetchException e) {
            if (e.status() == 404 || e.status() == 403 || e.status() == 410) {
                return null;
            }
            throw e;
        }
        return SafetensorsConfig.parse(CONFIG_NAME, bytes);
    }

    /** A small file (an index, a config) read whole, at most {@link #MAX_JSON_SIZE} bytes. */
    static byte[] readSmall(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            checkJsonSize(SafetensorsFile.nameOf(file), size);
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
                // a file shorter than its size at open ends the loop
            }
            return bytes.array();
        }
    }

    private static byte[] readSmall(URI uri, RemoteOptions options) throws IOException {
        try (RemoteAccess.Source source = RemoteAccess.open(uri, options)) {
            long size = source.size();
            checkJsonSize(OpenRequest.nameOf(uri, "model.safetensors").toString(), size);
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && source.read(bytes, bytes.position()) >= 0) {
                // read until full or the object ends
            }
            return bytes.array();
        }
    }

    private static void checkJsonSize(String name, long size) throws SafetensorsFormatException {
        if (size > MAX_JSON_SIZE) {
            throw new SafetensorsFormatException(
                    name,
                    null,
                    "json_size",
                    "the file has "
                            + size
                            + " bytes, more than the "
                            + MAX_JSON_SIZE
                            + " read of an index or a config");
        }
    }
}
