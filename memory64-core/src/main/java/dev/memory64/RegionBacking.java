package dev.memory64;

import dev.memory64.internal.RemoteUris;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the bytes of one region are held. Chosen per region when a {@link Memory64Store} is built.
 *
 * <ul>
 *   <li>{@link #allocated()}: off-heap memory, zero-filled and committed up front ({@code
 *       Arena.allocate}); an 8 GiB region costs 8 GiB of resident memory and seconds to create.
 *   <li>{@link #reserved()}: lazily committed: a sparse, owner-only temporary file mapped
 *       read-write and unlinked at once, so creating even a region larger than physical memory is
 *       instant and only touched pages cost memory (in the page cache). Needs no native access. The
 *       file system must have room for the whole region when the store is built, else the build
 *       fails naming the region, the directory and both sizes. {@link #reservedOvercommitted} skips
 *       that check (for caches whose pages are released behind their reader): a page touched beyond
 *       the file system's room then faults, and the store reports a {@link Memory64Exception}
 *       naming the region, never a crash; on a full tmpfs even reading an untouched page faults.
 *       Otherwise untouched pages read as zero.
 *   <li>{@link #mapped(Path, long, boolean)}: an existing file (or a slice of it from an offset)
 *       mapped read-only or read-write; the file is never read into the heap. If the file slice is
 *       shorter than the region, the region's tail is unbacked and any access to it is rejected.
 *   <li>{@link #remote(URI, Path)}: an object on an HTTP server (or in a store another {@link
 *       RemoteTransport} reaches, such as {@code s3://}), read-only, fetched by range requests in
 *       chunks on first access into a local sparse cache (an overcommitted reserved file in the
 *       cache directory), and served from there at memory speed. Its identity is pinned when the
 *       store is built; a fetch that fails is a {@link RemoteFetchException}. If the object is
 *       shorter than the region, the region's tail is unbacked.
 * </ul>
 */
public sealed interface RegionBacking {

    /**
     * Off-heap memory, zeroed and committed when the store is built.
     *
     * @return the backing
     */
    static RegionBacking allocated() {
        return Allocated.INSTANCE;
    }

    /**
     * Lazily committed memory in a sparse, unlinked temporary file in {@code java.io.tmpdir}.
     *
     * @return the backing
     */
    static RegionBacking reserved() {
        return new Reserved(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Lazily committed memory in a sparse, unlinked, owner-only temporary file in the given
     * directory. The directory's file system must have room for the whole region when the store is
     * built (else the build fails, naming the region, the directory and both sizes), so that a
     * later write cannot fault for want of room.
     *
     * @param directory where the temporary file is created (and at once unlinked)
     * @return the backing
     */
    static RegionBacking reserved(Path directory) {
        return new Reserved(directory);
    }

    /**
     * Like {@link #reserved(Path)}, without the check that the file system has room for the whole
     * region now: for a region larger than the disk whose pages are released behind their reader (a
     * cache). A page touched beyond the file system's room faults on access: a {@link
     * Memory64Exception} for the host, {@code HOST_RANGE} for a guest.
     *
     * @param directory where the temporary file is created (and at once unlinked)
     * @return the backing
     */
    static RegionBacking reservedOvercommitted(Path directory) {
        return new Reserved(directory, true);
    }

    /**
     * A file mapped from an offset; the region covers up to its size of the file.
     *
     * @param file the file
     * @param fileOffset the file offset of the region's first byte
     * @param writable true to map read-write (writes go to the file), false for read-only
     * @return the backing
     */
    static RegionBacking mapped(Path file, long fileOffset, boolean writable) {
        return new Mapped(file, fileOffset, writable);
    }

    /**
     * A remote object (an HTTP(S) server, or a store a transport reaches), fetched on demand by
     * range requests into a sparse cache file in {@code cacheDirectory}, with the default {@link
     * RemoteOptions}.
     *
     * @param uri the object: {@code http}, {@code https}, or a scheme a {@link
     *     RemoteTransportProvider} serves
     * @param cacheDirectory where the cache file is created (and at once unlinked)
     * @return the backing
     * @throws IllegalArgumentException if the URI's scheme is not http or https and no transport
     *     serves it (the message names the module that would)
     * @throws NullPointerException if an argument is null
     */
    static RegionBacking remote(URI uri, Path cacheDirectory) {
        return new Remote(uri, cacheDirectory, RemoteOptions.defaults());
    }

    /**
     * A remote object (an HTTP(S) server, or a store a transport reaches), fetched on demand by
     * range requests into a sparse cache file in {@code cacheDirectory}.
     *
     * @param uri the object: {@code http}, {@code https}, or a scheme a {@link
     *     RemoteTransportProvider} serves
     * @param cacheDirectory where the cache file is created (and at once unlinked)
     * @param options chunk size, parallel fetches, retries, timeout, request decorator, transport
     * @return the backing
     * @throws IllegalArgumentException if the URI's scheme is not http or https and no transport
     *     serves it (the message names the module that would)
     * @throws NullPointerException if an argument is null
     */
    static RegionBacking remote(URI uri, Path cacheDirectory, RemoteOptions options) {
        return new Remote(uri, cacheDirectory, options);
    }

    /**
     * A remote object (HTTP, or another {@link RemoteTransport}), read by range into a local sparse
     * cache.
     *
     * @param uri the object
     * @param cacheDirectory where the cache file is created
     * @param options how it is fetched
     */
    record Remote(URI uri, Path cacheDirectory, RemoteOptions options) implements RegionBacking {
        /**
         * Validates the components.
         *
         * @throws IllegalArgumentException if the URI's scheme is not http or https and no
         *     transport serves it and no transport serves it (the message names the module that
         *     would)
         * @throws NullPointerException if a component is null
         */
        public Remote {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(cacheDirectory, "cacheDirectory");
            Objects.requireNonNull(options, "options");
            RemoteTransports.provider("remote", uri, options);
        }

        @Override
        public String toString() {
            return "remote " + RemoteUris.shown(uri) + " (cache in " + cacheDirectory + ")";
        }
    }

    /** Off-heap memory, zeroed and committed up front. */
    enum Allocated implements RegionBacking {
        /** The one instance. */
        INSTANCE;

        @Override
        public String toString() {
            return "allocated";
        }
    }

    /**
     * Lazily committed memory in a sparse, unlinked temporary file.
     *
     * @param directory where the temporary file is created
     * @param overcommitted true to skip the check that the file system has room for the region
     */
    record Reserved(Path directory, boolean overcommitted) implements RegionBacking {
        /**
         * Validates the directory.
         *
         * @throws NullPointerException if {@code directory} is null
         */
        public Reserved {
            Objects.requireNonNull(directory, "directory");
        }

        /**
         * A reservation that needs room for the whole region when it is made.
         *
         * @param directory where the temporary file is created
         */
        public Reserved(Path directory) {
            this(directory, false);
        }

        @Override
        public String toString() {
            return overcommitted ? "reserved (overcommitted)" : "reserved";
        }
    }

    /**
     * A mapped file.
     *
     * @param file the file
     * @param fileOffset the file offset of the region's first byte, non-negative
     * @param writable whether the mapping is read-write
     */
    record Mapped(Path file, long fileOffset, boolean writable) implements RegionBacking {
        /**
         * Validates the file and offset.
         *
         * @throws NullPointerException if {@code file} is null
         * @throws IllegalArgumentException if {@code fileOffset} is negative
         */
        public Mapped {
            Objects.requireNonNull(file, "file");
            if (fileOffset < 0) {
                throw new IllegalArgumentException(
                        "mapped "
                                + file
                                + ": fileOffset="
                                + Unsigned64.toString(fileOffset)
                                + " is negative as a file offset");
            }
        }

        @Override
        public String toString() {
            return (writable ? "mapped read-write " : "mapped read-only ")
                    + file
                    + (fileOffset == 0 ? "" : " @" + fileOffset);
        }
    }
}
