package dev.memory64.model;

import dev.memory64.RegionBacking;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** A part in a file: its header read by the format, its region mapped read-only. */
record FilePart(Path path) implements PartLocation {

    @Override
    public URI uri() {
        return null;
    }

    @Override
    public boolean isFile() {
        return true;
    }

    @Override
    public <H> H read(ModelFormat<H> format) throws IOException {
        return format.read(path);
    }

    @Override
    public PartLocation sibling(Path other) {
        return other.equals(path) ? this : new FilePart(other);
    }

    @Override
    public RegionBacking backing() {
        return RegionBacking.mapped(path, 0, false);
    }

    @Override
    public Object fileKey() throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }
}
