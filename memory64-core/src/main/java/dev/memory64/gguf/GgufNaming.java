package dev.memory64.gguf;

import dev.memory64.Layer;
import dev.memory64.TensorInfo;
import dev.memory64.model.LayerNaming;
import dev.memory64.model.LayerPlan;
import dev.memory64.model.TensorEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GGUF's naming rule: {@code blk.N.*} is block N, {@code token_embd.*} the embeddings, {@code
 * output_norm.*} the norm, {@code output.*} the head, and any other tensor is in the layer named by
 * its prefix (the text before its first {@code '.'}).
 */
final class GgufNaming implements LayerNaming {

    static final GgufNaming INSTANCE = new GgufNaming();

    private static final String BLOCK_PREFIX = "blk";

    private GgufNaming() {}

    @Override
    public int block(TensorEntry tensor) throws GgufFormatException {
        String name = tensor.name();
        // The prefix (the text before the first '.') is "blk": no substring per tensor.
        if (name.startsWith(BLOCK_PREFIX)
                && (name.length() == BLOCK_PREFIX.length()
                        || name.charAt(BLOCK_PREFIX.length()) == '.')) {
            return blockNumber(tensor);
        }
        return -1;
    }

    @Override
    public String blockName(int block) {
        return BLOCK_PREFIX + "." + block;
    }

    @Override
    public String layerName(TensorEntry tensor) throws GgufFormatException {
        String name = tensor.name();
        int dot = name.indexOf('.');
        String prefix = dot < 0 ? name : name.substring(0, dot);
        if (prefix.isBlank()) {
            throw GgufFormatException.tensorRefused(
                    tensor,
                    "has a blank prefix (the text before its first '.'), which cannot name a"
                            + " layer");
        }
        return prefix;
    }

    @Override
    public String kind(String layerName) {
        return LayerNaming.kindOf(layerName, "token_embd", "output_norm", "output");
    }

    /** Parses N of {@code blk.N[.rest]}: canonical decimal, no sign, no leading zero, an int. */
    private static int blockNumber(TensorEntry tensor) throws GgufFormatException {
        String name = tensor.name();
        int start = BLOCK_PREFIX.length() + 1;
        int end;
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
            throw GgufFormatException.tensorRefused(
                    tensor,
                    "has the prefix \"blk\" but no block number: block tensors are named"
                            + " blk.N.<name> with N a decimal number without leading zeros");
        }
        return (int) value;
    }

    /** A GGUF tensor in the neutral terms of the plan, at its file offset. */
    static TensorEntry entry(GgufTensor t) {
        return new TensorEntry(t.name(), t.type().id(), dims(t), t.fileOffset(), t.byteSize());
    }

    /** A tensor's dims for the tensor table: one of 1 for a scalar. */
    private static List<Long> dims(GgufTensor t) {
        int n = t.nDims();
        if (n == 0) {
            return List.of(1L);
        }
        Long[] dims = new Long[n];
        for (int d = 0; d < n; d++) {
            dims[d] = t.dim(d);
        }
        return List.of(dims);
    }

    /** The layers of one file's tensors (see {@link GgufFile#layers()}), with their tensors. */
    static List<GgufLayer> layers(List<GgufTensor> tensors) throws GgufFormatException {
        List<TensorEntry> entries = new ArrayList<>(tensors.size());
        Map<String, GgufTensor> byName = new HashMap<>();
        for (GgufTensor t : tensors) {
            entries.add(entry(t));
            byName.put(t.name(), t);
        }
        LayerPlan plan;
        try {
            plan =
                    LayerPlan.plan(
                            entries, new long[] {0}, INSTANCE, GgufFormatException::tensorRefused);
        } catch (GgufFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("GGUF's naming throws GgufFormatException only", e);
        }
        List<GgufLayer> layers = new ArrayList<>(plan.layers().size());
        int next = 0;
        for (Layer layer : plan.layers()) {
            List<GgufTensor> members = new ArrayList<>();
            for (; next < plan.tensors().size(); next++) {
                TensorInfo info = plan.tensors().get(next);
                if (info.layerId() != layer.id()) {
                    break;
                }
                members.add(byName.get(info.name()));
            }
            layers.add(new GgufLayer(layer.id(), layer.name(), layer.extents(), members));
        }
        return List.copyOf(layers);
    }
}
