package dev.memory64.model;

import dev.memory64.ProgressListener;
import dev.memory64.RemoteOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ModelBuilder} asks to open, ready for {@link ModelOpen#open}: the parts as given,
 * the integrity check over them and the progress listener.
 *
 * @param given the parts as the caller named them, files or URIs
 * @param check the SHA-256 check of the files, {@link ModelOpen.PartCheck#NONE} without digests
 * @param listener the progress listener
 * @param remoteOptions how remote parts are fetched; null for files
 */
public record OpenRequest(
        List<PartLocation> given,
        ModelOpen.PartCheck check,
        ProgressListener listener,
        RemoteOptions remoteOptions) {

    /**
     * Reads a builder's options.
     *
     * @param options the builder
     * @return the request
     * @throws IllegalArgumentException if digests were given for a model opened from URIs (they are
     *     checked for files only)
     */
    public static OpenRequest of(ModelBuilder<?> options) {
        List<PartLocation> given = new ArrayList<>();
        ModelOpen.PartCheck check = ModelOpen.PartCheck.NONE;
        if (options.uris.isEmpty()) {
            for (Path file : options.files) {
                given.add(PartLocation.file(file));
            }
            PartDigests expected = options.expected;
            if (expected != null) {
                ProgressListener listener = options.listener;
                PartDigests.Mismatch mismatch = options.mismatch();
                check =
                        (files, set) ->
                                expected.verify("open", files, set, null, listener, mismatch);
            }
            return new OpenRequest(given, check, options.listener, null);
        }
        if (options.expected != null) {
            throw new IllegalArgumentException(
                    "open " + options.uris.get(0) + ": SHA-256 digests are checked for files only");
        }
        RemoteOptions remoteOptions =
                options.remoteOptions != null ? options.remoteOptions : RemoteOptions.defaults();
        for (URI uri : options.uris) {
            given.add(
                    PartLocation.remote(
                            uri,
                            nameOf(uri, options.defaultName),
                            remoteOptions,
                            options.cacheDirectory));
        }
        return new OpenRequest(given, check, options.listener, remoteOptions);
    }

    /**
     * Returns the last segment of a URI's path, as the name of a part in messages.
     *
     * @param uri the URI
     * @param defaultName the name when the path has no last segment
     * @return the name
     */
    public static Path nameOf(URI uri, String defaultName) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        return Path.of(name.isEmpty() ? defaultName : name);
    }
}
