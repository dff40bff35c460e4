package dev.memory64.model;

import dev.memory64.Memory64Store;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every opened model holds, whatever its format: the store over its parts, each part's header,
 * and where the parts lie (files or URIs). Its public methods are documented on {@code GgufModel}
 * and {@code SafetensorsModel}, which add their format's own.
 *
 * @param <H> the format's header type
 */
public abstract class OpenedModel<H> implements AutoCloseable {

    private final List<Path> paths;
    private final List<URI> uris;
    private final List<H> parts;
    private final Memory64Store store;

    /**
     * Holds an opened model.
     *
     * @param opened what the open flow returned
     */
    protected OpenedModel(ModelOpen.Opened<H> opened) {
        List<Path> files = new ArrayList<>();
        List<URI> remote = new ArrayList<>();
        for (PartLocation part : opened.parts()) {
            if (part.isFile()) {
                files.add(part.path());
            } else {
                remote.add(part.uri());
            }
        }
        this.paths = List.copyOf(files);
        this.uris = List.copyOf(remote);
        this.parts = List.copyOf(opened.headers());
        this.store = opened.store();
    }

    /**
     * Returns the store holding the model, with its layers, tensors and metadata registered.
     *
     * @return the store
     */
    public Memory64Store store() {
        return store;
    }

    /**
     * Returns the parsed header of each part, in part order.
     *
     * @return the parts
     */
    public List<H> parts() {
        return parts;
    }

    /**
     * Returns the model's files, in part order; empty for a model opened from URIs.
     *
     * @return the paths
     */
    public List<Path> paths() {
        return paths;
    }

    /**
     * Returns the model's URIs, in part order; empty for a model opened from files.
     *
     * @return the URIs
     */
    public List<URI> uris() {
        return uris;
    }

    /** Closes the store, unmapping every file. */
    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName()
                + "["
                + (paths.isEmpty() ? uris.get(0) : paths.get(0))
                + ", "
                + parts.size()
                + " part(s), "
                + store.layers().size()
                + " layers]";
    }
}
