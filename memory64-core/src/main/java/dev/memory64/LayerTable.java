package dev.memory64;

import dev.memory64.internal.Bytes;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The layers and tensors of a store. Lookups take no lock: they read an immutable {@link Snapshot}
 * that registration replaces, all or nothing.
 *
 * <p>Registration is linear overall, not quadratic, however the layers come (one by one or in
 * bulk): a snapshot is a count over append-only arrays and open-addressing tables that the next
 * snapshot shares. A writer (one at a time, under this object's lock) only fills slots past the
 * published count or slots that were empty, and an older snapshot ignores every entry at or past
 * its own count, so what a reader sees never changes under it. Tables grow by doubling into new
 * arrays that only newer snapshots reference.
 */
final class LayerTable {

    private final MemoryLayout layout;
    private volatile Snapshot snapshot = Snapshot.empty();

    LayerTable(MemoryLayout layout) {
        this.layout = layout;
    }

    Layer layer(int id) {
        return snapshot.byId(id);
    }

    Layer layer(String name) {
        return name == null ? null : snapshot.byName(name);
    }

    List<Layer> layers() {
        return snapshot.inIdOrder();
    }

    TensorInfo tensor(String name) {
        return name == null ? null : snapshot.tensor(name);
    }

    /** The layer named by UTF-8 bytes (see {@link Utf8Names}), or null; allocates nothing. */
    Layer layer(byte[] utf8, int length) {
        return snapshot.layerNames().find(utf8, length);
    }

    /** The tensor named by UTF-8 bytes (see {@link Utf8Names}), or null; allocates nothing. */
    TensorInfo tensor(byte[] utf8, int length) {
        return snapshot.tensorNames().find(utf8, length);
    }

    Collection<TensorInfo> tensors() {
        return snapshot.tensorList();
    }

    synchronized void register(List<Layer> layers, List<TensorInfo> tensors) {
        Snapshot current = snapshot;
        Map<Integer, Layer> added = new HashMap<>();
        for (Layer layer : layers) {
            check(layer);
            Layer existing = current.byId(layer.id());
            if (existing == null) {
                existing = added.get(layer.id());
            }
            if (existing != null) {
                throw new IllegalArgumentException(
                        "registerLayer id="
                                + layer.id()
                                + " (\""
                                + layer.name()
                                + "\"): the id is already registered to \""
                                + existing.name()
                                + "\"");
            }
            added.put(layer.id(), layer);
        }
        Set<String> newNames = new HashSet<>();
        for (TensorInfo tensor : tensors) {
            Layer owner = added.get(tensor.layerId());
            if (owner == null) {
                owner = current.byId(tensor.layerId());
            }
            if (owner == null) {
                throw new IllegalArgumentException(
                        "registerTensor \""
                                + tensor.name()
                                + "\": no layer with id="
                                + tensor.layerId());
            }
            if (tensor.offsetInLayer() > owner.size()
                    || tensor.size() > owner.size() - tensor.offsetInLayer()) {
                throw new IllegalArgumentException(
                        "registerTensor \""
                                + tensor.name()
                                + "\": offsetInLayer="
                                + tensor.offsetInLayer()
                                + " size="
                                + tensor.size()
                                + " exceeds layer id="
                                + owner.id()
                                + " (\""
                                + owner.name()
                                + "\") size="
                                + owner.size());
            }
            if (current.tensor(tensor.name()) != null || !newNames.add(tensor.name())) {
                throw new IllegalArgumentException(
                        "registerTensor \"" + tensor.name() + "\": the name is already registered");
            }
        }
        // Everything is valid: append, then publish in one volatile write.
        snapshot = current.with(layers, tensors);
    }

    private void check(Layer layer) {
        for (Layer.Extent e : layer.extents()) {
            if (e.end() > layout.size()) {
                throw new IllegalArgumentException(
                        "registerLayer id="
                                + layer.id()
                                + " (\""
                                + layer.name()
                                + "\") offset="
                                + e.offset()
                                + " size="
                                + e.size()
                                + " exceeds layout size="
                                + layout.size()
                                + " ("
                                + Bytes.binary(layout.size())
                                + ")");
            }
        }
    }

    /**
     * A table at most half full with {@code entries} (the probe loops here and in {@link Utf8Names}
     * end because a table is never full).
     */
    static int capacity(int entries) {
        return Math.max(16, Integer.highestOneBit(Math.max(1, entries) * 4 - 1) << 1);
    }

    /** Spreads a hash over a power-of-two table's slots (also {@link Utf8Names}'). */
    static int hash(int value) {
        int h = value * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** A published state: the first {@code layerCount} layers and {@code tensorCount} tensors. */
    private static final class Snapshot {
        /** By id; a class rather than a lambda, so that a first open spins no lambda class. */
        private static final Comparator<Layer> BY_ID =
                new Comparator<>() {
                    @Override
                    public int compare(Layer a, Layer b) {
                        return Integer.compare(a.id(), b.id());
                    }
                };

        /** A new empty snapshot: its arrays are appended to, so never shared between tables. */
        static Snapshot empty() {
            return new Snapshot(
                    new Layer[8],
                    0,
                    new int[64],
                    new int[16],
                    new int[16],
                    new TensorInfo[8],
                    0,
                    new int[16]);
        }

        // Every table holds positions + 1 (0 is empty) into layers or tensors; an entry at or past
        // this snapshot's count belongs to a newer snapshot and is skipped.
        final Layer[] layers; // in registration order
        final int layerCount;
        final int[] dense; // by id, for ids below its length (the usual case)
        final int[] idTable; // open addressing, for larger ids
        final int[] nameTable; // open addressing; a name maps to its lowest id
        final TensorInfo[] tensors;
        final int tensorCount;
        final int[] tensorTable;
        private volatile List<Layer> sorted;
        // Built on the first lookup by bytes (a guest's), not at registration.
        private volatile Utf8Names<Layer> layerNames;
        private volatile Utf8Names<TensorInfo> tensorNames;

        Snapshot(
                Layer[] layers,
                int layerCount,
                int[] dense,
                int[] idTable,
                int[] nameTable,
                TensorInfo[] tensors,
                int tensorCount,
                int[] tensorTable) {
            this.layers = layers;
            this.layerCount = layerCount;
            this.dense = dense;
            this.idTable = idTable;
            this.nameTable = nameTable;
            this.tensors = tensors;
            this.tensorCount = tensorCount;
            this.tensorTable = tensorTable;
        }

        Layer byId(int id) {
            if (id < 0) {
                return null;
            }
            if (id < dense.length) {
                int position = dense[id] - 1;
                return position >= 0 && position < layerCount ? layers[position] : null;
            }
            int mask = idTable.length - 1;
            for (int slot = hash(id) & mask; ; slot = (slot + 1) & mask) {
                int position = idTable[slot] - 1;
                if (position < 0) {
                    return null;
                }
                if (position < layerCount && layers[position].id() == id) {
                    return layers[position];
                }
            }
        }

        Layer byName(String name) {
            int mask = nameTable.length - 1;
            for (int slot = hash(name.hashCode()) & mask; ; slot = (slot + 1) & mask) {
                int position = nameTable[slot] - 1;
                if (position < 0) {
                    return null;
                }
                if (position < layerCount && layers[position].name().equals(name)) {
                    return layers[position];
                }
            }
        }

        TensorInfo tensor(String name) {
            int mask = tensorTable.length - 1;
            for (int slot = hash(name.hashCode()) & mask; ; slot = (slot + 1) & mask) {
                int position = tensorTable[slot] - 1;
                if (position < 0) {
                    return null;
                }
                if (position < tensorCount && tensors[position].name().equals(name)) {
                    return tensors[position];
                }
            }
        }

        Utf8Names<Layer> layerNames() {
            Utf8Names<Layer> names = layerNames;
            if (names == null) {
                String[] keys = new String[layerCount];
                Layer[] values = new Layer[layerCount];
                for (int p = 0; p < layerCount; p++) {
                    keys[p] = layers[p].name();
                    values[p] = byName(keys[p]); // the lowest id of that name
                }
                names = Utf8Names.of(keys, values, layerCount);
                layerNames = names;
            }
            return names;
        }

        Utf8Names<TensorInfo> tensorNames() {
            Utf8Names<TensorInfo> names = tensorNames;
            if (names == null) {
                String[] keys = new String[tensorCount];
                for (int p = 0; p < tensorCount; p++) {
                    keys[p] = tensors[p].name();
                }
                names = Utf8Names.of(keys, tensors, tensorCount);
                tensorNames = names;
            }
            return names;
        }

        List<Layer> inIdOrder() {
            List<Layer> list = sorted;
            if (list == null) {
                Layer[] copy = Arrays.copyOf(layers, layerCount);
                Arrays.sort(copy, BY_ID);
                list = List.of(copy);
                sorted = list;
            }
            return list;
        }

        List<TensorInfo> tensorList() {
            TensorInfo[] array = tensors;
            int count = tensorCount;
            return new AbstractList<>() {
                @Override
                public TensorInfo get(int index) {
                    return array[Objects.checkIndex(index, count)];
                }

                @Override
                public int size() {
                    return count;
                }
            };
        }

        /**
         * Appends checked layers and tensors. Arrays are shared with this snapshot while they have
         * room, and only slots past this snapshot's counts or empty slots are written; a table that
         * must grow, or a slot that must change, is rebuilt into a new array instead.
         */
        Snapshot with(List<Layer> newLayers, List<TensorInfo> newTensors) {
            int layerTotal = layerCount + newLayers.size();
            Layer[] all =
                    layerTotal <= layers.length ? layers : Arrays.copyOf(layers, grow(layerTotal));
            int maxId = -1;
            for (Layer layer : newLayers) {
                maxId = Math.max(maxId, layer.id());
            }
            boolean growDense = maxId >= dense.length && (long) maxId < 2L * layerTotal + 1024;
            boolean rebuild =
                    growDense
                            || 2L * layerTotal > idTable.length
                            || 2L * layerTotal > nameTable.length;
            int[] byId = dense;
            int[] ids = idTable;
            int[] names = nameTable;
            if (rebuild) {
                byId = new int[growDense ? grow(maxId + 1) : dense.length];
                ids = new int[capacity(layerTotal)];
                names = new int[capacity(layerTotal)];
                for (int p = 0; p < layerCount; p++) {
                    indexId(all[p].id(), p, byId, ids);
                    indexName(all, p, names, true);
                }
            }
            boolean freshNames = rebuild;
            for (int i = 0; i < newLayers.size(); i++) {
                int p = layerCount + i;
                all[p] = newLayers.get(i);
                indexId(all[p].id(), p, byId, ids);
                if (!indexName(all, p, names, freshNames)) {
                    // A lower id takes over a name that older snapshots resolve: never change a
                    // shared slot; rebuild the name table (rare: a shared name out of id order).
                    names = new int[names.length];
                    for (int q = 0; q <= p; q++) {
                        indexName(all, q, names, true);
                    }
                    freshNames = true;
                }
            }
            int tensorTotal = tensorCount + newTensors.size();
            TensorInfo[] allTensors =
                    tensorTotal <= tensors.length
                            ? tensors
                            : Arrays.copyOf(tensors, grow(tensorTotal));
            int[] tensorSlots = tensorTable;
            if (2L * tensorTotal > tensorTable.length) {
                tensorSlots = new int[capacity(tensorTotal)];
                for (int p = 0; p < tensorCount; p++) {
                    insert(tensorSlots, hash(allTensors[p].name().hashCode()), p);
                }
            }
            for (int i = 0; i < newTensors.size(); i++) {
                int p = tensorCount + i;
                allTensors[p] = newTensors.get(i);
                insert(tensorSlots, hash(allTensors[p].name().hashCode()), p);
            }
            return new Snapshot(
                    all, layerTotal, byId, ids, names, allTensors, tensorTotal, tensorSlots);
        }

        private static void indexId(int id, int position, int[] byId, int[] ids) {
            if (id < byId.length) {
                byId[id] = position + 1;
            } else {
                insert(ids, hash(id), position);
            }
        }

        /**
         * Indexes the layer at {@code position} by name. Returns false only when the name is held
         * by a layer with a higher id and the table is shared ({@code fresh} false): the caller
         * then rebuilds it. In a fresh table the lower id simply takes the slot.
         */
        private static boolean indexName(Layer[] all, int position, int[] names, boolean fresh) {
            Layer layer = all[position];
            int mask = names.length - 1;
            for (int slot = hash(layer.name().hashCode()) & mask; ; slot = (slot + 1) & mask) {
                int held = names[slot] - 1;
                if (held < 0) {
                    names[slot] = position + 1;
                    return true;
                }
                if (all[held].name().equals(layer.name())) {
                    if (layer.id() > all[held].id()) {
                        return true; // the lower id keeps the name
                    }
                    if (!fresh) {
                        return false;
                    }
                    names[slot] = position + 1;
                    return true;
                }
            }
        }

        private static void insert(int[] table, int hash, int position) {
            int mask = table.length - 1;
            int slot = hash & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = position + 1;
        }

        private static int grow(int needed) {
            return Math.max(8, Integer.highestOneBit(Math.max(1, needed) - 1) << 1);
        }
    }
}
