package dev.memory64.gguf;

import dev.memory64.Memory64Store;
import dev.memory64.ModelIntegrityException;
import dev.memory64.ProgressListener;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import dev.memory64.StoreClosedException;
import dev.memory64.model.ModelBuilder;
import dev.memory64.model.ModelOpen;
import dev.memory64.model.OpenRequest;
import dev.memory64.model.OpenedModel;
import dev.memory64.model.PartDigests;
import dev.memory64.model.Sha256;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GGUF model opened as a {@link Memory64Store}: each file (each part of a split model) is mapped
 * read-only as one region, so the page cache is the cache and no tensor byte is read into the heap.
 * Opening a 40 GB model takes milliseconds.
 *
 * <p>Layers are registered from tensor names, with the origin design's numbering so that its guests
 * keep working: {@code token_embd.*} is layer 0, {@code blk.N.*} is layer N+1, then {@code
 * output_norm.*} and {@code output.*}, then any other prefix (see {@link GgufFile#layers()}). Each
 * layer is the byte range covering its tensors; every tensor is registered by name too, with its
 * type, shape and offset in its layer.
 *
 * <pre>{@code
 * try (GgufModel model = GgufModel.open(Path.of("llama-7b-q4_0.gguf"))) {
 *     Memory64HostFunctions functions = Memory64HostFunctions.builder(model.store()).build();
 *     ...
 * }
 * }</pre>
 */
// Its base classes are the model package's, shared with SafetensorsModel and not exported: Javadoc
// documents their public methods here, as declared on this class.
@SuppressWarnings("exports")
public final class GgufModel extends OpenedModel<GgufFile> {

    /**
     * Each part's file key (device and inode on Unix) taken just before it was mapped; null where
     * the platform has none.
     */
    private final List<Object> fileKeys;

    private GgufModel(ModelOpen.Opened<GgufFile> opened) {
        super(opened);
        this.fileKeys = Collections.unmodifiableList(opened.fileKeys()); // made for this model
    }

    /**
     * Opens a model. Given one part of a split model named {@code NAME-0000K-of-0000N.gguf}, finds
     * the other parts beside it; or pass every part, in any order.
     *
     * @param files the model file, or any one or every part of a split model
     * @return the model, whose store the caller closes through {@link #close()}
     * @throws GgufFormatException if a file is not a valid GGUF model, the parts do not form one
     *     model, or a layer is not contiguous in its file
     * @throws IOException if a file cannot be read or mapped, or is a directory
     */
    public static GgufModel open(Path... files) throws IOException {
        return builder(files).open();
    }

    /**
     * Opens a model, reporting progress per part.
     *
     * @param files the model file, or any one or every part of a split model
     * @param listener told after each part is read ({@code done} parts of {@code total})
     * @return the model
     * @throws GgufFormatException if a file is not a valid GGUF model, the parts do not form one
     *     model, or a layer is not contiguous in its file
     * @throws IOException if a file cannot be read or mapped, or is a directory
     */
    public static GgufModel open(List<Path> files, ProgressListener listener) throws IOException {
        return builder(files.toArray(Path[]::new)).withProgressListener(listener).open();
    }

    /**
     * Starts opening a model with options: the header size limit and a progress listener.
     *
     * <pre>{@code
     * try (GgufModel model = GgufModel.builder(path).withMaxHeaderSize(16 << 20).open()) { ... }
     * }</pre>
     *
     * @param files the model file, or any one or every part of a split model
     * @return a builder
     * @throws IllegalArgumentException if no file is given
     * @throws NullPointerException if {@code files} or a file is null
     */
    public static Builder builder(Path... files) {
        return new Builder(files);
    }

    /**
     * Opens a model served over HTTP(S) by range requests (an object store, a model hub, any HTTP
     * server that answers {@code Range}), or from a store another {@link
     * dev.memory64.RemoteTransport} reaches ({@code s3://bucket/key} with the module {@code
     * dev.memory64.s3}), with the default {@link RemoteOptions} and a cache in {@code
     * java.io.tmpdir}. Each part's header is read with ranged GETs and its identity (size, {@code
     * ETag}, {@code Last-Modified}) pinned; tensor bytes are fetched on first access, chunk by
     * chunk, into a sparse local cache (see {@link RegionBacking#remote(URI, Path,
     * RemoteOptions)}). Given one part of a split model named {@code NAME-0000K-of-0000N.gguf}, the
     * other parts are found beside it (same URI, other last segment).
     *
     * @param uris the model's URI, or any one or every part of a split model
     * @return the model, whose store the caller closes through {@link #close()}
     * @throws GgufFormatException if a part is not a valid GGUF model or the parts do not form one
     *     model
     * @throws dev.memory64.RemoteFetchException if a part cannot be fetched by range (the message
     *     names the URI, the range and the HTTP status)
     * @throws IOException if the cache cannot be created
     * @throws IllegalArgumentException if no URI is given, or one is not http or https and no
     *     {@link dev.memory64.RemoteTransportProvider} serves its scheme ({@code s3://} needs the
     *     module {@code dev.memory64.s3}; the message names it)
     */
    public static GgufModel open(URI... uris) throws IOException {
        return builder(uris).open();
    }

    /**
     * Starts opening a model served over HTTP(S) with options: the cache directory, the {@link
     * RemoteOptions}, the header size limit and a progress listener.
     *
     * @param uris the model's URI, or any one or every part of a split model
     * @return a builder
     * @throws IllegalArgumentException if no URI is given or one has no scheme (a scheme no
     *     transport serves is refused by {@link Builder#open()})
     * @throws NullPointerException if {@code uris} or a URI is null
     */
    public static Builder builder(URI... uris) {
        return new Builder(uris);
    }

    /**
     * Computes the SHA-256 digest of a file, as model hubs publish it per file, streaming it
     * through one 4 MiB off-heap buffer (the heap it takes does not grow with the file).
     *
     * @param file the file
     * @param listener told {@code ("sha256 NAME", bytes done, file size)} before the first read and
     *     after each 4 MiB, the last call's {@code done} equal to its {@code total}
     * @return the digest, 64 lowercase hex digits
     * @throws java.nio.file.FileSystemException if the path is a directory (the message names it)
     * @throws IOException if the file cannot be opened or read
     * @throws NullPointerException if {@code file} or {@code listener} is null
     */
    public static String sha256(Path file, ProgressListener listener) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(listener, "listener");
        return Sha256.of(file, listener);
    }

    /** Options for opening a model; {@link #open()} opens it. */
    @SuppressWarnings("exports") // see GgufModel's
    public static final class Builder extends ModelBuilder<Builder> {
        private long maxHeaderSize = GgufFile.DEFAULT_MAX_HEADER_SIZE;

        private Builder(Path[] files) {
            super(files, "model");
        }

        private Builder(URI[] uris) {
            super(uris, "model", "model.gguf");
        }

        @Override
        protected PartDigests.Mismatch mismatch() {
            return new Mismatch();
        }

        /**
         * Limits the header (everything before the tensor data) of each part; a larger header is a
         * {@link GgufFormatException}. The heap that opening takes is bounded by a small multiple
         * of it (see docs/GUIDE.md).
         *
         * @param maxHeaderSize the limit in bytes, default {@link GgufFile#DEFAULT_MAX_HEADER_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if the limit is not in {@code [24, }{@link
         *     GgufFile#MAX_HEADER_SIZE_LIMIT}{@code ]}
         */
        public Builder withMaxHeaderSize(long maxHeaderSize) {
            GgufFile.checkMaxHeaderSize(maxHeaderSize);
            this.maxHeaderSize = maxHeaderSize;
            return this;
        }

        /**
         * Verifies every part if {@link #withExpectedSha256(Map) digests were given}, reads every
         * part's header, checks that the parts form one model, maps every part and registers the
         * layers and tensors.
         *
         * @return the model, whose store the caller closes through {@link GgufModel#close()}
         * @throws GgufIntegrityException if a part's digest is not the expected one (nothing is
         *     mapped then); the message names the part and both digests
         * @throws IllegalArgumentException if digests were given but a part has none (before that
         *     part is read) or the model is opened from URIs (digests are checked for files only),
         *     or no transport serves a URI's scheme (the message names the module that would)
         * @throws GgufFormatException if a file is not a valid GGUF model, the parts do not form
         *     one model (split keys as llama.cpp checks them), or a layer is not contiguous in its
         *     file
         * @throws IOException if a file cannot be read or mapped, or is a directory
         */
        public GgufModel open() throws IOException {
            return GgufModel.open(this);
        }
    }

    /**
     * Makes this format's exception for a part whose digest does not match: a class, not a lambda,
     * as a builder makes one and opening a local model bootstraps no lambda (a first lambda costs a
     * cold JVM several milliseconds).
     */
    private static final class Mismatch implements PartDigests.Mismatch {
        @Override
        public ModelIntegrityException of(Path path, String expected, String actual) {
            return new GgufIntegrityException(path, expected, actual);
        }
    }

    /** Opens the model through the format-neutral flow, over files or over URIs. */
    private static GgufModel open(Builder options) throws IOException {
        OpenRequest request = OpenRequest.of(options);
        return new GgufModel(
                ModelOpen.open(
                        new GgufFormat(options.maxHeaderSize),
                        request.given(),
                        request.check(),
                        request.listener()));
    }

    /**
     * Returns the first part's header, which holds the model's metadata.
     *
     * @return the header
     */
    public GgufFile file() {
        return parts().get(0);
    }

    /**
     * Verifies every part of this model against an expected SHA-256 digest, as model hubs publish
     * them per file, reading each part's file in full (through a 4 MiB buffer, not through the
     * store, so its counters do not move).
     *
     * <p>Keys are file names ({@code "m-00001-of-00003.gguf"}); anything up to a key's last {@code
     * '/'} is ignored, so a hub's repository paths ({@code "Q4_K_M/m-00001-of-00003.gguf"}) and
     * {@code Path.toString()} work as they are. Entries for other files are ignored. Digests are
     * compared case-insensitively. Every part must have one: a part without is an error, before any
     * part is read. Every part is read, so that one call reports every damaged part.
     *
     * @param expectedSha256 hex digest by file name
     * @param listener told {@code ("sha256 NAME", bytes done, part size)} for each part in turn,
     *     before its first read and after each 4 MiB
     * @throws GgufIntegrityException if a part's digest is not the expected one: the first such
     *     part, naming it and both digests, with the later ones {@linkplain
     *     Throwable#getSuppressed() suppressed} in it
     * @throws IllegalArgumentException if a digest is not 64 hex digits, a key names no file, two
     *     keys name one file with different digests, or a part has no digest (the message names
     *     them)
     * @throws java.nio.file.FileSystemException if a part's path now names another file than the
     *     one mapped (replaced since the model opened; the message names it), or a directory
     * @throws dev.memory64.StoreClosedException if the model is closed
     * @throws IOException if a part cannot be opened or read
     * @throws NullPointerException if the map, a key, a digest or the listener is null
     * @throws UnsupportedOperationException if the model was opened from URIs
     */
    public void verify(Map<String, String> expectedSha256, ProgressListener listener)
            throws IOException {
        List<Path> paths = paths();
        if (paths.isEmpty()) {
            throw new UnsupportedOperationException(
                    "verify " + uris().get(0) + ": SHA-256 digests are checked for files only");
        }
        PartDigests expected = PartDigests.of("verify", expectedSha256);
        Objects.requireNonNull(listener, "listener");
        if (store().isClosed()) {
            throw new StoreClosedException(
                    "verify: the model " + paths.get(0) + " is closed", null);
        }
        expected.verify("verify", paths, paths, fileKeys, listener, new Mismatch());
    }
}
