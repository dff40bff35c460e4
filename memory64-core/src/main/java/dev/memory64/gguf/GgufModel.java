package dev.memory64.gguf;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MemoryRegion;
import dev.memory64.ProgressListener;
import dev.memory64.RegionBacking;
import dev.memory64.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
public final class GgufModel implements AutoCloseable {

    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    private final List<Path> paths;
    private final List<GgufFile> parts;
    private final Memory64Store store;

    private GgufModel(List<Path> paths, List<GgufFile> parts, Memory64Store store) {
        this.paths = List.copyOf(paths);
        this.parts = List.copyOf(parts);
        this.store = store;
    }

    /**
     * Opens a model. Given one part of a split model named {@code NAME-0000K-of-0000N.gguf}, finds
     * the other parts beside it; or pass every part.
     *
     * @param files the model file, or every part of a split model
     * @return the model, whose store the caller closes through {@link #close()}
     * @throws GgufFormatException if a file is not a valid GGUF model, the parts do not form one
     *     model, or a layer is not contiguous in its file
     * @throws IOException if a file cannot be read or mapped
     */
    public static GgufModel open(Path... files) throws IOException {
        return open(List.of(files), ProgressListener.NONE);
    }

    /**
     * Opens a model, reporting progress per part.
     *
     * @param files the model file, or every part of a split model
     * @param listener told after each part is read ({@code done} parts of {@code total})
     * @return the model
     * @throws GgufFormatException if a file is not a valid GGUF model, the parts do not form one
     *     model, or a layer is not contiguous in its file
     * @throws IOException if a file cannot be read or mapped
     */
    public static GgufModel open(List<Path> files, ProgressListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("open: no model file given");
        }
        List<Path> paths = new ArrayList<>(files.size() == 1 ? siblings(files.get(0)) : files);
        List<GgufFile> parts = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            parts.add(GgufFile.read(paths.get(i)));
            listener.progress("open " + paths.get(i).getFileName(), i + 1, paths.size());
        }
        orderParts(paths, parts);

        MemoryLayout.Builder layoutBuilder = MemoryLayout.builder();
        for (int i = 0; i < parts.size(); i++) {
            long size = parts.get(i).fileSize();
            long rounded =
                    Math.addExact(size, MemoryRegion.PAGE_SIZE - 1)
                            / MemoryRegion.PAGE_SIZE
                            * MemoryRegion.PAGE_SIZE;
            layoutBuilder.addRegion(
                    regionName(i, parts.size()), Math.max(rounded, MemoryRegion.PAGE_SIZE), "gguf");
        }
        MemoryLayout layout = layoutBuilder.build();

        // Tensors at their offsets in the layout, so that one plan covers every part.
        List<GgufTensor> placed = new ArrayList<>();
        Map<String, Integer> partOf = new HashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            long start = layout.region(i).start();
            for (GgufTensor t : parts.get(i).tensors()) {
                if (partOf.putIfAbsent(t.name(), i) != null) {
                    throw new GgufFormatException(
                            "tensor.name",
                            t.name(),
                            t.fileOffset(),
                            "in "
                                    + paths.get(i)
                                    + " is also in "
                                    + paths.get(partOf.get(t.name())));
                }
                placed.add(
                        new GgufTensor(
                                t.name(),
                                t.type(),
                                t.dims(),
                                t.offset(),
                                t.byteSize(),
                                Math.addExact(start, t.fileOffset())));
            }
        }
        List<GgufLayer> planned = LayerPlanner.plan(placed);
        List<Layer> layers = new ArrayList<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (GgufLayer layer : planned) {
            int part = partOf.get(layer.tensors().get(0).name());
            for (GgufTensor t : layer.tensors()) {
                if (partOf.get(t.name()) != part) {
                    throw new GgufFormatException(
                            "layer",
                            layer.name(),
                            t.fileOffset() - layout.region(partOf.get(t.name())).start(),
                            "has tensor \""
                                    + layer.tensors().get(0).name()
                                    + "\" in "
                                    + paths.get(part)
                                    + " and tensor \""
                                    + t.name()
                                    + "\" in "
                                    + paths.get(partOf.get(t.name()))
                                    + ": a layer must lie in one file");
                }
                List<Long> dims = new ArrayList<>();
                for (long d : t.dims()) {
                    dims.add(d);
                }
                if (dims.isEmpty()) {
                    dims.add(1L);
                }
                tensors.add(
                        new TensorInfo(
                                t.name(),
                                layer.id(),
                                layer.offsetInLayer(t),
                                t.byteSize(),
                                t.type().id(),
                                dims));
            }
            layers.add(
                    new Layer(
                            layer.id(),
                            layer.name(),
                            kindOf(layer.name()),
                            layer.fileOffset(),
                            layer.size()));
        }

        Memory64Store.Builder storeBuilder =
                Memory64Store.builder(layout).withName(paths.get(0).getFileName().toString());
        for (int i = 0; i < parts.size(); i++) {
            storeBuilder.withBacking(
                    layout.region(i).name(), RegionBacking.mapped(paths.get(i), 0, false));
        }
        Memory64Store store = storeBuilder.build();
        boolean success = false;
        try {
            store.registerLayers(layers, tensors);
            success = true;
        } finally {
            if (!success) {
                store.close();
            }
        }
        return new GgufModel(paths, parts, store);
    }

    private static String regionName(int index, int count) {
        return count == 1 ? "model" : String.format("part-%05d-of-%05d", index + 1, count);
    }

    private static String kindOf(String layerName) {
        return switch (layerName) {
            case "token_embd" -> "embeddings";
            case "output_norm" -> "norm";
            case "output" -> "head";
            default -> layerName.startsWith("blk.") ? "block" : "other";
        };
    }

    /** Given one part of a split model, every part in order; otherwise the file alone. */
    private static List<Path> siblings(Path file) throws IOException {
        Path name = file.getFileName();
        Matcher m = name == null ? null : SPLIT_NAME.matcher(name.toString());
        if (m == null || !m.matches()) {
            return List.of(file);
        }
        int count = Integer.parseInt(m.group(3));
        if (count < 1) {
            return List.of(file);
        }
        List<Path> all = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Path part =
                    file.resolveSibling(
                            String.format("%s-%05d-of-%05d.gguf", m.group(1), i, count));
            if (!Files.exists(part)) {
                throw new java.nio.file.NoSuchFileException(
                        part.toString(),
                        null,
                        "part " + i + " of " + count + " of the split model " + file);
            }
            all.add(part);
        }
        return all;
    }

    /** Puts parts in {@code split.no} order and checks that they form one model. */
    private static void orderParts(List<Path> paths, List<GgufFile> parts)
            throws GgufFormatException {
        int n = parts.size();
        if (n == 1 && parts.get(0).metadata("split.count").isEmpty()) {
            return;
        }
        GgufFile[] byNumber = new GgufFile[n];
        Path[] pathByNumber = new Path[n];
        for (int i = 0; i < n; i++) {
            GgufFile part = parts.get(i);
            long count = part.metadata("split.count").map(v -> intOrMinus(v)).orElse(-1L);
            long no = part.metadata("split.no").map(v -> intOrMinus(v)).orElse(-1L);
            if (count != n) {
                throw new GgufFormatException(
                        "split.count",
                        Long.toString(count),
                        0,
                        "in " + paths.get(i) + " does not match the " + n + " parts given");
            }
            if (no < 0 || no >= n || byNumber[(int) no] != null) {
                throw new GgufFormatException(
                        "split.no",
                        Long.toString(no),
                        0,
                        "in "
                                + paths.get(i)
                                + " is out of range or repeated among "
                                + n
                                + " parts");
            }
            byNumber[(int) no] = part;
            pathByNumber[(int) no] = paths.get(i);
        }
        parts.clear();
        parts.addAll(Arrays.asList(byNumber));
        paths.clear();
        paths.addAll(Arrays.asList(pathByNumber));
    }

    private static long intOrMinus(GgufValue value) {
        return value.type().isInteger() ? value.asLong() : -1;
    }

    /**
     * Returns the store holding the mapped model, with its layers and tensors registered.
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
    public List<GgufFile> parts() {
        return parts;
    }

    /**
     * Returns the model's files, in part order.
     *
     * @return the paths
     */
    public List<Path> paths() {
        return paths;
    }

    /**
     * Returns the first part's header, which holds the model's metadata.
     *
     * @return the header
     */
    public GgufFile file() {
        return parts.get(0);
    }

    /** Closes the store, unmapping every file. */
    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "GgufModel["
                + paths.get(0)
                + ", "
                + parts.size()
                + " part(s), "
                + store.layers().size()
                + " layers]";
    }
}
