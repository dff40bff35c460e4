package dev.memory64.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Cuts a model into parts the way llama.cpp's {@code gguf-split} does (tools/gguf-split/
 * gguf-split.cpp, {@code split_strategy}): tensors in order, a new part every {@code maxTensors}
 * tensors, or when the tensors' sizes padded to 32 would exceed {@code maxBytes}; all metadata in
 * the first part; every part with {@code split.no} (uint16), {@code split.count} (uint16) and
 * {@code split.tensors.count} (int32); parts named {@code PREFIX-0000K-of-0000N.gguf}.
 */
final class GgufSplitter {

    /** A tensor to write. */
    record Spec(String name, GgmlType type, long[] dims, byte[] data) {}

    /** A llama model's metadata, as the first part carries it: its architecture. */
    static final Map<String, GgufValue> LLAMA =
            Map.of("general.architecture", GgufValue.string("llama"));

    private GgufSplitter() {}

    /**
     * {@code count} F32 tensors {@code blk.I.SUFFIX} of these dims, tensor I holding {@code
     * data(I)}.
     */
    static List<Spec> blocks(int count, String suffix, long[] dims, IntFunction<byte[]> data) {
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new Spec("blk." + i + "." + suffix, GgmlType.F32, dims, data.apply(i)));
        }
        return specs;
    }

    /** An F32 tensor of one dimension holding these bytes. */
    static Spec f32(String name, byte[] data) {
        return new Spec(name, GgmlType.F32, new long[] {data.length / 4}, data);
    }

    /** One part per tensor, the metadata in the first. */
    static List<Path> onePerPart(
            Path dir, String prefix, Map<String, GgufValue> metadata, Spec... tensors)
            throws IOException {
        return byTensors(dir, prefix, metadata, List.of(tensors), 1);
    }

    /** Cuts every {@code maxTensors} tensors. */
    static List<Path> byTensors(
            Path dir, String prefix, Map<String, GgufValue> metadata, List<Spec> tensors, int max)
            throws IOException {
        List<List<Spec>> parts = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (i % max == 0) {
                parts.add(new ArrayList<>());
            }
            parts.get(parts.size() - 1).add(tensors.get(i));
        }
        return write(dir, prefix, metadata, parts, tensors.size());
    }

    /** Cuts when the next tensor would take a part's padded tensor bytes over {@code maxBytes}. */
    static List<Path> bySize(
            Path dir,
            String prefix,
            Map<String, GgufValue> metadata,
            List<Spec> tensors,
            long maxBytes)
            throws IOException {
        List<List<Spec>> parts = new ArrayList<>();
        parts.add(new ArrayList<>());
        long current = 0;
        for (Spec spec : tensors) {
            long padded = GgufParser.alignUp(spec.data().length, 32);
            if (current + padded > maxBytes) {
                if (parts.get(parts.size() - 1).isEmpty()) {
                    throw new IllegalArgumentException("a part would have no tensors");
                }
                parts.add(new ArrayList<>());
                current = padded;
            } else {
                current += padded;
            }
            parts.get(parts.size() - 1).add(spec);
        }
        return write(dir, prefix, metadata, parts, tensors.size());
    }

    private static List<Path> write(
            Path dir,
            String prefix,
            Map<String, GgufValue> metadata,
            List<List<Spec>> parts,
            int tensorCount)
            throws IOException {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            GgufWriter.Builder builder = GgufWriter.builder();
            if (i == 0) {
                metadata.forEach(builder::addMetadata);
            }
            builder.addMetadata(GgufSplit.KEY_NO, GgufValue.uint16(i))
                    .addMetadata(GgufSplit.KEY_COUNT, GgufValue.uint16(parts.size()))
                    .addMetadata(GgufSplit.KEY_TENSORS_COUNT, GgufValue.int32(tensorCount));
            for (Spec spec : parts.get(i)) {
                builder.addTensor(spec.name(), spec.type(), spec.dims(), spec.data());
            }
            Path path = dir.resolve(GgufSplit.partName(prefix, i, parts.size()));
            builder.build().write(path);
            paths.add(path);
        }
        return paths;
    }
}
