package dev.memory64.model;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MemoryRegion;
import dev.memory64.ProgressListener;
import dev.memory64.internal.Preinitializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one flow that opens a model of any format from its parts: reads the first part's header and
 * finds the rest of its set, checks each file's integrity before its header is read, reads every
 * header (telling the progress listener after each), orders the parts, lays them out one region
 * each, plans the layers and builds the store over each part's backing.
 */
public final class ModelOpen {

    private ModelOpen() {}

    /** The integrity hook: checks files before their headers are read. */
    @FunctionalInterface
    public interface PartCheck {
        /** Checks nothing (a class, not a lambda: a first open spins none). */
        PartCheck NONE =
                new PartCheck() {
                    @Override
                    public void check(List<Path> files, List<Path> set) {}
                };

        /**
         * Checks files before anything reads them.
         *
         * @param files the files, in the order they will be read
         * @param set the whole set they belong to, as far as it is known (the files alone before
         *     the first part's header has named the others), for messages that number a part
         * @throws IOException if one fails its check, or cannot be read
         */
        void check(List<Path> files, List<Path> set) throws IOException;
    }

    /**
     * An opened model.
     *
     * @param parts where each part lies, in part order
     * @param headers each part's header, in part order
     * @param fileKeys each part's file key, taken before it was mapped (null entries for remote
     *     parts and where the platform has none)
     * @param store the store holding the parts, its layers and tensors registered
     * @param <H> the format's header type
     */
    public record Opened<H>(
            List<PartLocation> parts,
            List<H> headers,
            List<Object> fileKeys,
            Memory64Store store) {}

    /**
     * Opens a model.
     *
     * @param format the model's format
     * @param given the model's part, or any one or every part of a set
     * @param check the integrity hook, run on files only
     * @param listener told after each part's header is read ({@code done} parts of {@code total})
     * @param <H> the format's header type
     * @return the model
     * @throws IOException if a part cannot be read, fails its check, or the parts do not form one
     *     model
     */
    public static <H> Opened<H> open(
            ModelFormat<H> format,
            List<PartLocation> given,
            PartCheck check,
            ProgressListener listener)
            throws IOException {
        // What the end of a first open needs (memory sessions, SLF4J) starts beside the header
        // reads; an open leaves nothing running behind it, whether it succeeds or fails.
        Preinitializer.start();
        try {
            return read(format, given, check, listener);
        } finally {
            Preinitializer.await();
        }
    }

    private static <H> Opened<H> read(
            ModelFormat<H> format,
            List<PartLocation> given,
            PartCheck check,
            ProgressListener listener)
            throws IOException {
        List<PartLocation> locations = new ArrayList<>(given);
        PartLocation named = locations.get(0);
        H first = null;
        if (locations.size() == 1) {
            checkFiles(check, locations, locations);
            first = named.read(format);
            List<Path> set = format.partsOf(named.path(), first, named.isFile());
            if (set.size() > 1) {
                locations.clear();
                List<PartLocation> others = new ArrayList<>();
                for (Path path : set) {
                    PartLocation part = named.sibling(path);
                    locations.add(part);
                    if (part != named) {
                        others.add(part);
                    }
                }
                checkFiles(check, others, locations);
            }
        } else {
            checkFiles(check, locations, locations);
        }
        List<Path> names = new ArrayList<>();
        List<H> headers = new ArrayList<>();
        Map<H, PartLocation> locationOf = new IdentityHashMap<>();
        for (PartLocation part : locations) {
            H header = part == named && first != null ? first : part.read(format);
            names.add(part.path());
            headers.add(header);
            locationOf.put(header, part);
            listener.progress(
                    "open " + part.path().getFileName(), headers.size(), locations.size());
        }
        format.order(names, headers);
        List<PartLocation> ordered = new ArrayList<>();
        // Taken before mapping: a file replaced in between then fails a later check.
        List<Object> fileKeys = new ArrayList<>();
        for (H header : headers) {
            PartLocation part = locationOf.get(header);
            ordered.add(part);
            fileKeys.add(part.fileKey());
        }
        Memory64Store store = build(format, ordered, names, headers);
        return new Opened<>(List.copyOf(ordered), List.copyOf(headers), fileKeys, store);
    }

    private static void checkFiles(
            PartCheck check, List<PartLocation> parts, List<PartLocation> set) throws IOException {
        if (check != PartCheck.NONE) {
            check.check(files(parts), files(set));
        }
    }

    private static List<Path> files(List<PartLocation> parts) {
        List<Path> files = new ArrayList<>();
        for (PartLocation part : parts) {
            if (part.isFile()) {
                files.add(part.path());
            }
        }
        return files;
    }

    /**
     * Returns the name of a part's region in the store.
     *
     * @param index the part, from 0
     * @param count how many parts the model has
     * @return {@code "model"} for a model in one part, else {@code part-0000K-of-0000N}
     */
    public static String regionName(int index, int count) {
        return count == 1
                ? "model"
                : ModelText.partOf(new StringBuilder(20).append("part-"), index, count).toString();
    }

    /** Lays the parts out one region each, plans and registers the layers, builds the store. */
    private static <H> Memory64Store build(
            ModelFormat<H> format, List<PartLocation> parts, List<Path> names, List<H> headers)
            throws IOException {
        MemoryLayout.Builder layoutBuilder = MemoryLayout.builder();
        for (int i = 0; i < headers.size(); i++) {
            long size = format.size(headers.get(i));
            long rounded =
                    Math.addExact(size, MemoryRegion.PAGE_SIZE - 1)
                            / MemoryRegion.PAGE_SIZE
                            * MemoryRegion.PAGE_SIZE;
            layoutBuilder.addRegion(
                    regionName(i, headers.size()),
                    Math.max(rounded, MemoryRegion.PAGE_SIZE),
                    format.name());
        }
        MemoryLayout layout = layoutBuilder.build();

        // Tensors at their offsets in the layout, so that one plan covers every part.
        List<TensorEntry> placed = new ArrayList<>();
        // A single part's names are unique already: its format checked them.
        Map<String, Integer> partOf = headers.size() == 1 ? null : new HashMap<>();
        long[] partStarts = new long[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            long start = layout.region(i).start();
            partStarts[i] = start;
            for (TensorEntry t : format.tensors(headers.get(i))) {
                if (partOf != null) {
                    Integer before = partOf.putIfAbsent(t.name(), i);
                    if (before != null) {
                        throw format.repeated(t, parts.get(i).path(), parts.get(before).path());
                    }
                }
                placed.add(t.placedAt(start));
            }
        }
        LayerPlan plan = LayerPlan.plan(placed, partStarts, format.naming(), format);

        Memory64Store.Builder storeBuilder =
                Memory64Store.builder(layout).withName(names.get(0).getFileName().toString());
        for (int i = 0; i < parts.size(); i++) {
            storeBuilder.withBacking(layout.region(i).name(), parts.get(i).backing());
        }
        format.addMetadata(headers, storeBuilder);
        Memory64Store store = storeBuilder.build();
        boolean success = false;
        try {
            store.registerLayers(plan.layers(), plan.tensors());
            success = true;
        } finally {
            if (!success) {
                store.close();
            }
        }
        return store;
    }
}
