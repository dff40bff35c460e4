package dev.memory64.safetensors;

import dev.memory64.model.LayerNaming;
import dev.memory64.model.TensorEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face's naming rule: {@code model.layers.N.*} is block N, {@code model.embed_tokens.*} the
 * embeddings, {@code model.norm.*} the final norm, {@code lm_head.*} the output head; any other
 * tensor is in the layer named by its name without its last {@code '.'}-separated segment (its
 * module: {@code model.rotary_emb.inv_freq} is in {@code model.rotary_emb}), or by its whole name
 * if it has no {@code '.'} or its module is blank; a blank name is refused.
 */
final class SafetensorsNaming implements LayerNaming {

    private static final String BLOCK_PREFIX = "model.layers.";

    private final String file;

    SafetensorsNaming(String file) {
        this.file = file;
    }

    @Override
    public int block(TensorEntry tensor) throws SafetensorsFormatException {
        String name = tensor.name();
        if (!name.startsWith(BLOCK_PREFIX)) {
            return -1;
        }
        int start = BLOCK_PREFIX.length();
        int dot = name.indexOf('.', start);
        int end = dot < 0 ? name.length() : dot;
        long value = 0;
        boolean canonical =
                end > start && end - start <= 10 && (end - start == 1 || name.charAt(start) != '0');
        for (int i = start; canonical && i < end; i++) {
            char c = name.charAt(i);
            canonical = c >= '0' && c <= '9';
            value = value * 10 + (c - '0');
        }
        if (!canonical || value >= Integer.MAX_VALUE) {
            throw new SafetensorsFormatException(
                    file,
                    name,
                    "layer_name",
                    "starts with \"model.layers.\" but holds no block number: block tensors are"
                            + " named model.layers.N.<name> with N a decimal number without"
                            + " leading zeros");
        }
        return (int) value;
    }

    @Override
    public String blockName(int block) {
        return BLOCK_PREFIX + block;
    }

    @Override
    public String layerName(TensorEntry tensor) throws SafetensorsFormatException {
        String name = tensor.name();
        int dot = name.lastIndexOf('.');
        String module = dot <= 0 ? name : name.substring(0, dot);
        if (module.isBlank()) {
            module = name;
        }
        if (module.isBlank()) {
            throw new SafetensorsFormatException(
                    file, name, "layer_name", "is blank, which cannot name a layer");
        }
        return module;
    }

    @Override
    public String kind(String layerName) {
        return LayerNaming.kindOf(layerName, "model.embed_tokens", "model.norm", "lm_head");
    }

    /**
     * A safetensors tensor in the neutral terms of the plan, at its offset in its file; null for a
     * tensor of no bytes (the tensor table holds only tensors of at least one byte).
     */
    static TensorEntry entry(SafetensorsFile file, SafetensorsTensor t) {
        if (t.size() == 0) {
            return null;
        }
        return new TensorEntry(
                t.name(),
                t.dtype().typeId(),
                dims(t.shape()),
                file.dataStart() + t.begin(),
                t.size());
    }

    /**
     * A shape as the tensor table's dims: innermost first, a scalar as {@code [1]}, and a shape of
     * more than four dimensions with its outermost ones folded into the fourth.
     */
    static List<Long> dims(List<Long> shape) {
        int n = shape.size();
        if (n == 0) {
            return List.of(1L);
        }
        List<Long> dims = new ArrayList<>(Math.min(n, 4));
        for (int i = n - 1; i >= 0 && dims.size() < 3; i--) {
            dims.add(shape.get(i));
        }
        if (n > 3) {
            long outer = 1;
            for (int i = 0; i <= n - 4; i++) {
                outer *= shape.get(i); // bounded: the whole product fits, the parser checked
            }
            dims.add(outer);
        }
        return dims;
    }
}
