package dev.memory64.bench.demo;

import dev.memory64.Memory64Store;
import dev.memory64.gguf.GgufModel;
import dev.memory64.safetensors.SafetensorsFile;
import dev.memory64.safetensors.SafetensorsModel;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The model a demo run streams, GGUF or safetensors (a {@code .safetensors} file, any shard, or a
 * {@code .json} index): its store, tensor count, files or URIs and size.
 *
 * @param store the store
 * @param tensors how many tensors its headers declare
 * @param paths its files, empty for a remote model
 * @param uris its URIs, empty for local files
 * @param size its bytes, every part
 * @param model what closes it
 */
public record DemoModel(
        Memory64Store store,
        int tensors,
        List<Path> paths,
        List<URI> uris,
        long size,
        AutoCloseable model)
        implements AutoCloseable {

    /**
     * Whether a file or URI path names a safetensors checkpoint rather than a GGUF model.
     *
     * @param name the path
     * @return true for a {@code .safetensors} file or a {@code .json} index
     */
    public static boolean isSafetensors(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".json");
    }

    /**
     * Opens a model file, GGUF or safetensors by its name.
     *
     * @param path the file, a part, or a safetensors index
     * @return the model
     * @throws IOException if it cannot be opened
     */
    public static DemoModel open(Path path) throws IOException {
        return isSafetensors(path.toString())
                ? of(SafetensorsModel.open(path))
                : of(GgufModel.open(path));
    }

    static DemoModel open(URI uri) throws IOException {
        return open(uri, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Opens a model served over HTTP(S), GGUF or safetensors by its URI's path.
     *
     * @param uri the model's, a part's or a safetensors index's URI
     * @param cache where its cache goes
     * @return the model
     * @throws IOException if it cannot be opened
     */
    public static DemoModel open(URI uri, Path cache) throws IOException {
        return isSafetensors(String.valueOf(uri.getPath()))
                ? of(SafetensorsModel.builder(uri).withCacheDirectory(cache).open())
                : of(GgufModel.builder(uri).withCacheDirectory(cache).open());
    }

    private static DemoModel of(GgufModel model) {
        long size = 0;
        for (var part : model.parts()) {
            size += part.fileSize();
        }
        return new DemoModel(
                model.store(),
                model.file().tensors().size(),
                model.paths(),
                model.uris(),
                size,
                model);
    }

    private static DemoModel of(SafetensorsModel model) {
        long size = 0;
        int tensors = 0;
        for (SafetensorsFile part : model.parts()) {
            size += part.fileSize();
            tensors += part.tensors().size();
        }
        return new DemoModel(model.store(), tensors, model.paths(), model.uris(), size, model);
    }

    @Override
    public void close() {
        store.close();
    }
}
