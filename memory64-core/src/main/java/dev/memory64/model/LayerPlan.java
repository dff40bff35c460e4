package dev.memory64.model;

import dev.memory64.Layer;
import dev.memory64.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's layers and tensor table, planned from its tensors by a {@link LayerNaming}: what a
 * store registers.
 *
 * <p>Each layer's bytes are its tensors in offset order, cut into extents: tensors that follow one
 * another with no other layer's tensor between them, and in the same part, form one extent (the
 * padding between them included); a layer interleaved with another's tensors, or straddling two
 * parts, has several. A tensor's offset in its layer counts through the extents before its own.
 *
 * @param layers the layers, by id
 * @param tensors every tensor, grouped by layer in layer order, by offset within a layer
 */
public record LayerPlan(List<Layer> layers, List<TensorInfo> tensors) {

    /** Tensors by offset (a class, not a lambda: a first open spins no lambda class). */
    private static final Comparator<TensorEntry> BY_OFFSET =
            new Comparator<>() {
                @Override
                public int compare(TensorEntry a, TensorEntry b) {
                    return Long.compare(a.offset(), b.offset());
                }
            };

    /** How a format refuses one tensor, in its own exception and message shape. */
    @FunctionalInterface
    public interface Refusal {
        /**
         * Builds the refusal of a tensor.
         *
         * @param tensor the tensor
         * @param why what is wrong, completing a sentence about the tensor
         * @return the exception to throw
         */
        IOException refuse(TensorEntry tensor, String why);
    }

    /** A layer being assembled: its id, name, kind and tensors. */
    private record Draft(long id, String name, String kind, List<TensorEntry> tensors) {}

    /**
     * Plans the layers of tensors placed in one address space made of parts starting at {@code
     * partStarts}, in increasing order: no extent crosses a part.
     *
     * @param tensors the tensors, offsets in the address space
     * @param partStarts where each part starts; {@code {0}} for one part
     * @param naming the format's naming rule
     * @param refusal how the format refuses a tensor whose layer id would pass {@link
     *     Integer#MAX_VALUE}
     * @return the plan
     * @throws IOException what the naming rule or the refusal throws
     */
    public static LayerPlan plan(
            List<TensorEntry> tensors, long[] partStarts, LayerNaming naming, Refusal refusal)
            throws IOException {
        // First pass: the block count, by tensor names; -1 for a tensor outside the blocks.
        long blocks = 0;
        int[] blockNumbers = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            blockNumbers[i] = naming.block(tensors.get(i));
            blocks = Math.max(blocks, blockNumbers[i] + 1L);
        }
        long blockCount = blocks;
        // Second pass: every tensor's layer, other names numbered by first appearance.
        Map<Long, Draft> drafts = new TreeMap<>();
        Map<String, Long> otherIds = new LinkedHashMap<>();
        // By identity: a record's hash walks its fields, per tensor.
        Map<TensorEntry, Draft> layerOf = new IdentityHashMap<>(tensors.size());
        Draft draft = null; // the last tensor's
        for (int i = 0; i < tensors.size(); i++) {
            TensorEntry tensor = tensors.get(i);
            long id;
            String name;
            String kind;
            if (blockNumbers[i] >= 0) {
                id = blockNumbers[i] + 1L;
                name = null; // built only for a new layer
                kind = LayerNaming.BLOCK;
            } else {
                name = naming.layerName(tensor);
                kind = naming.kind(name);
                switch (kind) {
                    case "embeddings" -> id = 0;
                    case "norm" -> id = blockCount + 1;
                    case "head" -> id = blockCount + 2;
                    default -> {
                        Long other = otherIds.get(name);
                        if (other == null) {
                            other = blockCount + 3 + otherIds.size();
                            otherIds.put(name, other);
                        }
                        id = other;
                    }
                }
            }
            if (id > Integer.MAX_VALUE) {
                throw refusal.refuse(
                        tensor,
                        "would be in layer "
                                + ModelText.quote(
                                        name != null ? name : naming.blockName(blockNumbers[i]))
                                + " with id "
                                + id
                                + ", past the largest layer id "
                                + Integer.MAX_VALUE);
            }
            // A block's tensors usually follow one another: the last draft is likely the one.
            if (draft == null || draft.id != id) {
                draft = drafts.get(id);
                if (draft == null) {
                    String layerName = name != null ? name : naming.blockName(blockNumbers[i]);
                    draft = new Draft(id, layerName, kind, new ArrayList<>());
                    drafts.put(id, draft);
                }
            }
            draft.tensors.add(tensor);
            layerOf.put(tensor, draft);
        }
        Map<Draft, List<Layer.Extent>> extents = extents(tensors, layerOf, partStarts);
        List<Layer> layers = new ArrayList<>(drafts.size());
        List<TensorInfo> infos = new ArrayList<>(tensors.size());
        for (Draft d : drafts.values()) {
            List<Layer.Extent> runs = extents.get(d);
            List<TensorEntry> members = new ArrayList<>(d.tensors);
            members.sort(BY_OFFSET);
            for (TensorEntry t : members) {
                infos.add(
                        new TensorInfo(
                                t.name(),
                                (int) d.id,
                                offsetInLayer(runs, t),
                                t.size(),
                                t.type(),
                                t.dims()));
            }
            layers.add(new Layer((int) d.id, d.name, d.kind, runs));
        }
        return new LayerPlan(List.copyOf(layers), List.copyOf(infos));
    }

    /**
     * Walks the tensors in offset order and cuts each layer's into runs: a tensor extends its
     * layer's last extent when the tensor before it is of the same layer and in the same part, and
     * starts a new extent otherwise.
     */
    private static Map<Draft, List<Layer.Extent>> extents(
            List<TensorEntry> tensors, Map<TensorEntry, Draft> layerOf, long[] partStarts) {
        List<TensorEntry> byOffset = new ArrayList<>(tensors);
        byOffset.sort(BY_OFFSET);
        Map<Draft, List<Layer.Extent>> extents = new IdentityHashMap<>();
        Draft previous = null;
        int previousPart = -1;
        for (TensorEntry tensor : byOffset) {
            Draft layer = layerOf.get(tensor);
            int part = partOf(tensor.offset(), partStarts);
            List<Layer.Extent> runs = extents.get(layer);
            if (runs == null) {
                runs = new ArrayList<>();
                extents.put(layer, runs);
            }
            if (layer == previous && part == previousPart) {
                Layer.Extent last = runs.getLast();
                long end = Math.max(last.end(), tensor.end());
                runs.set(runs.size() - 1, new Layer.Extent(last.offset(), end - last.offset()));
            } else {
                runs.add(new Layer.Extent(tensor.offset(), tensor.size()));
            }
            previous = layer;
            previousPart = part;
        }
        return extents;
    }

    private static int partOf(long offset, long[] partStarts) {
        int part = 0;
        while (part + 1 < partStarts.length && offset >= partStarts[part + 1]) {
            part++;
        }
        return part;
    }

    /** Where a tensor starts in its layer's bytes: the extents before its own, then into it. */
    private static long offsetInLayer(List<Layer.Extent> extents, TensorEntry tensor) {
        long before = 0;
        for (Layer.Extent e : extents) {
            if (tensor.offset() >= e.offset() && tensor.size() <= e.end() - tensor.offset()) {
                return before + tensor.offset() - e.offset();
            }
            before += e.size();
        }
        throw new IllegalStateException(tensor + " lies in no extent of its layer");
    }
}
