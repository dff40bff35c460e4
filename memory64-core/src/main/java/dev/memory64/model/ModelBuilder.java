package dev.memory64.model;

import dev.memory64.ProgressListener;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The options every format's builder shares (where a model lies, its remote cache and fetching,
 * progress, expected digests), so that {@code GgufModel.Builder} and {@code
 * SafetensorsModel.Builder} differ only in what is their format's own (the header size limit, a
 * format's extra inputs). Its public methods are documented on those builders; a format reads the
 * options through {@link OpenRequest#of(ModelBuilder)}.
 *
 * @param <B> the format's builder, returned by every {@code with} method
 */
public abstract class ModelBuilder<B extends ModelBuilder<B>> {

    final List<Path> files;
    final List<URI> uris;
    final String defaultName;
    Path cacheDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    // Null until set: the defaults are made only for a remote model, so that opening a local
    // one bootstraps no lambda (the defaults' decorator is one; a first lambda costs a cold
    // JVM several milliseconds).
    RemoteOptions remoteOptions;
    ProgressListener listener = ProgressListener.NONE;
    PartDigests expected;

    /**
     * Starts a builder over files.
     *
     * @param files the files as the caller gave them
     * @param what what the format opens, for messages ({@code "model"}, {@code "checkpoint"})
     * @throws IllegalArgumentException if no file is given
     * @throws NullPointerException if {@code files} or a file is null
     */
    protected ModelBuilder(Path[] files, String what) {
        Objects.requireNonNull(files, "files");
        if (files.length == 0) {
            throw new IllegalArgumentException("open: no " + what + " file given");
        }
        for (Path file : files) {
            Objects.requireNonNull(file, "file");
        }
        this.files = List.of(files);
        this.uris = List.of();
        this.defaultName = null;
    }

    /**
     * Starts a builder over URIs.
     *
     * @param uris the URIs as the caller gave them
     * @param what what the format opens, for messages ({@code "model"}, {@code "checkpoint"})
     * @param defaultName a part's name in messages when its URI's path has no last segment
     * @throws IllegalArgumentException if no URI is given or one has no scheme
     * @throws NullPointerException if {@code uris} or a URI is null
     */
    protected ModelBuilder(URI[] uris, String what, String defaultName) {
        Objects.requireNonNull(uris, "uris");
        if (uris.length == 0) {
            throw new IllegalArgumentException("open: no " + what + " URI given");
        }
        for (URI uri : uris) {
            if (Objects.requireNonNull(uri, "uri").getScheme() == null) {
                throw new IllegalArgumentException("open " + uri + ": the URI has no scheme");
            }
        }
        this.files = List.of();
        this.uris = List.of(uris);
        this.defaultName = defaultName;
    }

    /**
     * Makes the format's exception for a file whose digest does not match; asked for only when
     * digests were given, so that an open without them loads no integrity class.
     *
     * @return the maker of the format's {@link dev.memory64.ModelIntegrityException}
     */
    protected abstract PartDigests.Mismatch mismatch();

    @SuppressWarnings("unchecked") // B is the class that extends this one
    private B self() {
        return (B) this;
    }

    /**
     * Where a model opened from URIs keeps its cache: one sparse, unlinked file per part,
     * overcommitted (see {@link RegionBacking#remote(URI, Path, RemoteOptions)} and {@link
     * RegionBacking#reservedOvercommitted(Path)}). Ignored for files.
     *
     * @param directory the cache directory, default {@code java.io.tmpdir}
     * @return this builder
     * @throws NullPointerException if {@code directory} is null
     */
    public B withCacheDirectory(Path directory) {
        this.cacheDirectory = Objects.requireNonNull(directory, "directory");
        return self();
    }

    /**
     * How a model opened from URIs is fetched (chunk size, parallel fetches, retries, timeout,
     * request decorator). Ignored for files.
     *
     * @param options the options, default {@link RemoteOptions#defaults()}
     * @return this builder
     * @throws NullPointerException if {@code options} is null
     */
    public B withRemoteOptions(RemoteOptions options) {
        this.remoteOptions = Objects.requireNonNull(options, "options");
        return self();
    }

    /**
     * Reports progress: told after each part's header is read ({@code done} parts of {@code
     * total}), and while digests are checked (see {@link #withExpectedSha256(Map)}).
     *
     * @param listener the listener
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public B withProgressListener(ProgressListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return self();
    }

    /**
     * Verifies every part against an expected SHA-256 digest before reading or mapping it, so that
     * a corrupted download is refused before anything else. Keys are file names ({@code
     * "m-00001-of-00003.gguf"}); anything up to a key's last {@code '/'} is ignored, so a hub's
     * repository paths work as they are; digests are compared case-insensitively. Every part must
     * have one. Each part is read once in full first; the progress listener is told {@code ("sha256
     * NAME", bytes done, part size)}. Given one part of a set, that part is verified before its
     * header is read to find the others, and each other part before its header is read. Files only:
     * a model opened from URIs with digests is refused when it opens.
     *
     * @param expectedSha256 hex digest by file name, as a model hub lists them; entries for files
     *     that are not parts of the model are ignored
     * @return this builder
     * @throws IllegalArgumentException if a digest is not 64 hex digits, a key names no file, or
     *     two keys name one file with different digests (the message names them); the builder is
     *     then unchanged
     * @throws NullPointerException if the map, a key or a digest is null
     */
    public B withExpectedSha256(Map<String, String> expectedSha256) {
        this.expected = PartDigests.of("withExpectedSha256", expectedSha256);
        return self();
    }
}
