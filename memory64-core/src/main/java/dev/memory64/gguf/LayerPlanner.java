package dev.memory64.gguf;

import dev.memory64.Layer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups a model's tensors into layers by name, and each layer's tensors into extents: runs of
 * tensors that follow one another in the file with no other layer's tensor between them, within one
 * part of a split model.
 */
final class LayerPlanner {

    private static final String BLOCK_PREFIX = "blk";

    /**
     * Tensors by data offset; a class rather than a lambda, so that a first open spins no lambda
     * classes.
     */
    private static final Comparator<GgufTensor> BY_FILE_OFFSET =
            new Comparator<>() {
                @Override
                public int compare(GgufTensor a, GgufTensor b) {
                    return Long.compare(a.fileOffset(), b.fileOffset());
                }
            };

    private LayerPlanner() {}

    /** A layer being assembled: its id, name and tensors. */
    private record Draft(long id, String name, List<GgufTensor> tensors) {}

    static List<GgufLayer> plan(List<GgufTensor> tensors) throws GgufFormatException {
        return plan(tensors, new long[] {0});
    }

    /**
     * Plans the layers of tensors placed in one address space made of parts (the files of a split
     * model) starting at {@code partStarts}, in increasing order: no extent crosses a part.
     */
    static List<GgufLayer> plan(List<GgufTensor> tensors, long[] partStarts)
            throws GgufFormatException {
        // First pass: the block count, by tensor names; -1 for a tensor outside the blocks.
        long blocks = 0;
        int[] blockNumbers = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensor tensor = tensors.get(i);
            String name = tensor.name();
            // The prefix (the text before the first '.') is "blk": no substring per tensor.
            if (name.startsWith(BLOCK_PREFIX)
                    && (name.length() == BLOCK_PREFIX.length()
                            || name.charAt(BLOCK_PREFIX.length()) == '.')) {
                blockNumbers[i] = blockNumber(tensor);
                blocks = Math.max(blocks, blockNumbers[i] + 1L);
            } else {
                blockNumbers[i] = -1;
            }
        }
        long blockCount = blocks;
        // Second pass: every tensor's layer, other prefixes numbered by first appearance.
        Map<Long, Draft> drafts = new TreeMap<>();
        Map<String, Long> otherIds = new LinkedHashMap<>();
        // By identity: a record's hash walks its dims and boxes its fields, per tensor.
        Map<GgufTensor, Draft> layerOf = new IdentityHashMap<>(tensors.size());
        Draft draft = null; // the last tensor's
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensor tensor = tensors.get(i);
            long id;
            String prefix = null;
            if (blockNumbers[i] >= 0) {
                id = blockNumbers[i] + 1L;
            } else {
                prefix = tensor.prefix();
                switch (prefix) {
                    case "token_embd" -> id = 0;
                    case "output_norm" -> id = blockCount + 1;
                    case "output" -> id = blockCount + 2;
                    default -> {
                        if (prefix.isBlank()) {
                            throw new GgufFormatException(
                                    "tensor[" + GgufParser.quote(tensor.name()) + "]",
                                    range(tensor),
                                    tensor.fileOffset(),
                                    "has a blank prefix (the text before its first '.'), which"
                                            + " cannot name a layer");
                        }
                        Long other = otherIds.get(prefix);
                        if (other == null) {
                            other = blockCount + 3 + otherIds.size();
                            otherIds.put(prefix, other);
                        }
                        id = other;
                    }
                }
            }
            if (id > Integer.MAX_VALUE) {
                throw new GgufFormatException(
                        "tensor[" + GgufParser.quote(tensor.name()) + "]",
                        range(tensor),
                        tensor.fileOffset(),
                        "would be in layer "
                                + GgufParser.quote(layerName(prefix, blockNumbers[i]))
                                + " with id "
                                + id
                                + ", past the largest layer id "
                                + Integer.MAX_VALUE);
            }
            // A block's tensors usually follow one another: the last draft is likely the one.
            if (draft == null || draft.id != id) {
                draft = drafts.get(id);
                if (draft == null) {
                    draft = new Draft(id, layerName(prefix, blockNumbers[i]), new ArrayList<>());
                    drafts.put(id, draft);
                }
            }
            draft.tensors.add(tensor);
            layerOf.put(tensor, draft);
        }
        Map<Draft, List<Layer.Extent>> extents = extents(tensors, layerOf, partStarts);
        List<GgufLayer> layers = new ArrayList<>(drafts.size());
        for (Draft d : drafts.values()) {
            List<GgufTensor> members = new ArrayList<>(d.tensors);
            members.sort(BY_FILE_OFFSET);
            layers.add(new GgufLayer((int) d.id, d.name, extents.get(d), members));
        }
        return List.copyOf(layers);
    }

    /** The layer's name: {@code blk.N} for block {@code N >= 0}, else the prefix. */
    private static String layerName(String prefix, int blockNumber) {
        return blockNumber >= 0 ? BLOCK_PREFIX + "." + blockNumber : prefix;
    }

    /** Parses N of {@code blk.N[.rest]}: canonical decimal, no sign, no leading zero, an int. */
    private static int blockNumber(GgufTensor tensor) throws GgufFormatException {
        String name = tensor.name();
        int start = BLOCK_PREFIX.length() + 1;
        int end = start;
        long value = 0;
        boolean canonical = name.length() > BLOCK_PREFIX.length(); // then a '.' follows "blk"
        if (canonical) {
            int dot = name.indexOf('.', start);
            end = dot < 0 ? name.length() : dot;
            canonical = end > start && end - start <= 10;
            for (int i = start; canonical && i < end; i++) {
                char c = name.charAt(i);
                canonical = c >= '0' && c <= '9';
                value = value * 10 + (c - '0');
            }
            canonical =
                    canonical
                            && (end - start == 1 || name.charAt(start) != '0')
                            && value < Integer.MAX_VALUE;
        }
        if (!canonical) {
            throw new GgufFormatException(
                    "tensor[" + GgufParser.quote(name) + "]",
                    range(tensor),
                    tensor.fileOffset(),
                    "has the prefix \"blk\" but no block number: block tensors are named"
                            + " blk.N.<name> with N a decimal number without leading zeros");
        }
        return (int) value;
    }

    /**
     * Walks the tensors in file order and cuts each layer's into runs: a tensor extends its layer's
     * last extent when the tensor before it in the file is of the same layer and in the same part,
     * and starts a new extent otherwise.
     */
    private static Map<Draft, List<Layer.Extent>> extents(
            List<GgufTensor> tensors, Map<GgufTensor, Draft> layerOf, long[] partStarts) {
        List<GgufTensor> byOffset = new ArrayList<>(tensors);
        byOffset.sort(BY_FILE_OFFSET);
        Map<Draft, List<Layer.Extent>> extents = new IdentityHashMap<>();
        Draft previous = null;
        int previousPart = -1;
        for (GgufTensor tensor : byOffset) {
            Draft layer = layerOf.get(tensor);
            int part = partOf(tensor.fileOffset(), partStarts);
            List<Layer.Extent> runs = extents.get(layer);
            if (runs == null) {
                runs = new ArrayList<>();
                extents.put(layer, runs);
            }
            if (layer == previous && part == previousPart) {
                Layer.Extent last = runs.getLast();
                long end = Math.max(last.end(), tensor.fileEnd());
                runs.set(runs.size() - 1, new Layer.Extent(last.offset(), end - last.offset()));
            } else {
                runs.add(new Layer.Extent(tensor.fileOffset(), tensor.byteSize()));
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

    private static String range(GgufTensor tensor) {
        return "[" + tensor.fileOffset() + ", " + tensor.fileEnd() + ")";
    }
}
