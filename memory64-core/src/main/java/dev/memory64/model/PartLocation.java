package dev.memory64.model;

import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where one part of a model lies: a file, mapped once opened, or an HTTP(S) URI read by range and
 * cached. The two differ only in how the header is read and what backing the part yields.
 */
public sealed interface PartLocation permits FilePart, RemotePart {

    /**
     * A part in a file.
     *
     * @param path the file
     * @return the location
     */
    static PartLocation file(Path path) {
        return new FilePart(path);
    }

    /**
     * A part served over HTTP(S).
     *
     * @param uri the part
     * @param name its name in messages: the last segment of the URI's path
     * @param options how it is fetched
     * @param cacheDirectory where its cache file goes
     * @return the location
     */
    static PartLocation remote(URI uri, Path name, RemoteOptions options, Path cacheDirectory) {
        return new RemotePart(uri, name, options, cacheDirectory);
    }

    /**
     * Returns the part's path: the file, or for a remote part its name.
     *
     * @return the path
     */
    Path path();

    /**
     * Returns the part's URI.
     *
     * @return the URI; null for a file
     */
    URI uri();

    /**
     * Returns whether the part is a local file.
     *
     * @return true for a file
     */
    boolean isFile();

    /**
     * Reads the part's header, pinning what it read (a remote part's version).
     *
     * @param format the part's format
     * @param <H> the header's type
     * @return the header
     * @throws IOException if the header cannot be read or is not valid
     */
    <H> H read(ModelFormat<H> format) throws IOException;

    /**
     * Returns the part of the same set at {@code path}, as {@link ModelFormat#partsOf} names it.
     *
     * @param path the other part, resolved beside this one
     * @return its location, this one if it is this part
     */
    PartLocation sibling(Path path);

    /**
     * Returns the backing of the part's region, after its header was read.
     *
     * @return the backing
     * @throws IOException if the part cannot be backed
     */
    RegionBacking backing() throws IOException;

    /**
     * Returns the file's key (device and inode on Unix) for a file, taken before it is mapped.
     *
     * @return the key; null for a remote part or where the platform has none
     * @throws IOException if the file's attributes cannot be read
     */
    Object fileKey() throws IOException;
}
