package dev.memory64;

import dev.memory64.internal.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers and tensors of a store: an immutable snapshot swapped on registration, so that lookups
 * take no lock. Lookups by id are O(1): an array indexed by id when ids are dense, an
 * open-addressing hash table otherwise.
 */
final class LayerTable {

    private final MemoryLayout layout;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    LayerTable(MemoryLayout layout) {
        this.layout = layout;
    }

    Layer layer(int id) {
        return snapshot.byId(id);
    }

    Layer layer(String name) {
        return name == null ? null : snapshot.byName.get(name);
    }

    List<Layer> layers() {
        return snapshot.inIdOrder;
    }

    TensorInfo tensor(String name) {
        return name == null ? null : snapshot.tensors.get(name);
    }

    Collection<TensorInfo> tensors() {
        return snapshot.tensors.values();
    }

    synchronized void register(List<Layer> layers, List<TensorInfo> tensors) {
        Snapshot current = snapshot;
        Map<Integer, Layer> added = new HashMap<>();
        for (Layer layer : layers) {
            check(layer);
            if (current.byId(layer.id()) != null || added.containsKey(layer.id())) {
                Layer existing =
                        current.byId(layer.id()) != null
                                ? current.byId(layer.id())
                                : added.get(layer.id());
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
        Map<String, TensorInfo> newTensors = new HashMap<>(current.tensors);
        for (TensorInfo tensor : tensors) {
            Layer owner = added.containsKey(tensor.layerId()) ? added.get(tensor.layerId()) : null;
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
            if (newTensors.putIfAbsent(tensor.name(), tensor) != null) {
                throw new IllegalArgumentException(
                        "registerTensor \"" + tensor.name() + "\": the name is already registered");
            }
        }
        List<Layer> all = new ArrayList<>(current.inIdOrder);
        all.addAll(added.values());
        all.sort(Comparator.comparingInt(Layer::id));
        snapshot = Snapshot.of(all, newTensors);
    }

    private void check(Layer layer) {
        if (layer.end() > layout.size()) {
            throw new IllegalArgumentException(
                    "registerLayer id="
                            + layer.id()
                            + " (\""
                            + layer.name()
                            + "\") offset="
                            + layer.offset()
                            + " size="
                            + layer.size()
                            + " exceeds layout size="
                            + layout.size()
                            + " ("
                            + Bytes.binary(layout.size())
                            + ")");
        }
    }

    private static final class Snapshot {
        static final Snapshot EMPTY = of(List.of(), Map.of());

        final List<Layer> inIdOrder;
        final Map<String, Layer> byName;
        final Map<String, TensorInfo> tensors;
        // Dense: dense[id] for 0 <= id < dense.length. Sparse: open addressing over keys/values.
        final Layer[] dense;
        final int[] keys;
        final Layer[] values;

        private Snapshot(
                List<Layer> inIdOrder,
                Map<String, Layer> byName,
                Map<String, TensorInfo> tensors,
                Layer[] dense,
                int[] keys,
                Layer[] values) {
            this.inIdOrder = inIdOrder;
            this.byName = byName;
            this.tensors = tensors;
            this.dense = dense;
            this.keys = keys;
            this.values = values;
        }

        static Snapshot of(List<Layer> sorted, Map<String, TensorInfo> tensors) {
            Map<String, Layer> byName = new HashMap<>();
            for (Layer layer : sorted) {
                byName.putIfAbsent(layer.name(), layer); // the lowest id wins
            }
            int maxId = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1).id();
            if ((long) maxId < 2L * sorted.size() + 1024) {
                Layer[] dense = new Layer[maxId + 1];
                for (Layer layer : sorted) {
                    dense[layer.id()] = layer;
                }
                return new Snapshot(
                        List.copyOf(sorted),
                        Map.copyOf(byName),
                        Map.copyOf(tensors),
                        dense,
                        null,
                        null);
            }
            int capacity = Integer.highestOneBit(sorted.size() * 4 - 1) << 1;
            int[] keys = new int[capacity];
            Arrays.fill(keys, -1);
            Layer[] values = new Layer[capacity];
            for (Layer layer : sorted) {
                int slot = hash(layer.id()) & (capacity - 1);
                while (keys[slot] != -1) {
                    slot = (slot + 1) & (capacity - 1);
                }
                keys[slot] = layer.id();
                values[slot] = layer;
            }
            return new Snapshot(
                    List.copyOf(sorted),
                    Map.copyOf(byName),
                    Map.copyOf(tensors),
                    null,
                    keys,
                    values);
        }

        Layer byId(int id) {
            if (dense != null) {
                return id >= 0 && id < dense.length ? dense[id] : null;
            }
            if (id < 0) {
                return null;
            }
            int mask = keys.length - 1;
            for (int slot = hash(id) & mask; ; slot = (slot + 1) & mask) {
                int key = keys[slot];
                if (key == id) {
                    return values[slot];
                }
                if (key == -1) {
                    return null;
                }
            }
        }

        private static int hash(int id) {
            int h = id * 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }
}
