package dev.memory64.model;

import dev.memory64.RegionBacking;
import dev.memory64.RemoteIdentity;
import dev.memory64.RemoteOptions;
import dev.memory64.internal.RemoteAccess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A remote part (HTTP(S), or a store a {@code RemoteTransport} reaches): its header read by range
 * and the version read pinned, its region a chunk cache that fetches that version only.
 */
final class RemotePart implements PartLocation {

    private final URI uri;
    private final Path name;
    private final RemoteOptions options;
    private final Path cacheDirectory;

    /** The version the header was read at; set by {@link #read}, before {@link #backing}. */
    private RemoteIdentity identity;

    RemotePart(URI uri, Path name, RemoteOptions options, Path cacheDirectory) {
        this.uri = uri;
        this.name = name;
        this.options = options;
        this.cacheDirectory = cacheDirectory;
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public Path path() {
        return name;
    }

    @Override
    public boolean isFile() {
        return false;
    }

    @Override
    public <H> H read(ModelFormat<H> format) throws IOException {
        try (RemoteAccess.Source source = RemoteAccess.open(uri, options)) {
            H header = format.read(source::read, source.size());
            identity = (RemoteIdentity) source.identity();
            return header;
        }
    }

    @Override
    public PartLocation sibling(Path other) {
        String file = other.getFileName().toString();
        URI resolved = uri.resolve(file);
        return resolved.equals(uri)
                ? this
                : new RemotePart(resolved, Path.of(file), options, cacheDirectory);
    }

    @Override
    public RegionBacking backing() {
        return RegionBacking.remote(uri, cacheDirectory, options.withExpected(identity));
    }

    @Override
    public Object fileKey() {
        return null;
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
