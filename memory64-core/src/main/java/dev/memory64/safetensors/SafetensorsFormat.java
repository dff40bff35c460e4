package dev.memory64.safetensors;

import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.model.HeaderSource;
import dev.memory64.model.LayerNaming;
import dev.memory64.model.ModelFormat;
import dev.memory64.model.ModelText;
import dev.memory64.model.TensorEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Safetensors as a {@link ModelFormat}: its header reader, its sharded sets (named {@code
 * PREFIX-0000K-of-0000N.safetensors}, or listed by an index), its naming rule, its metadata. One
 * instance serves one open: it carries the index and the config.json read before the flow began.
 */
final class SafetensorsFormat implements ModelFormat<SafetensorsFile> {

    /** The prefix of the store metadata keys that hold a header's {@code __metadata__}. */
    static final String METADATA_PREFIX = "safetensors.metadata.";

    private static final String SUFFIX = ".safetensors";

    private final long maxHeaderSize;
    private SafetensorsIndex index;
    private final ModelMetadata config;
    private String firstName = "checkpoint";

    SafetensorsFormat(long maxHeaderSize, SafetensorsIndex index, ModelMetadata config) {
        this.maxHeaderSize = maxHeaderSize;
        this.index = index;
        this.config = config;
    }

    @Override
    public String name() {
        return "safetensors";
    }

    @Override
    public SafetensorsFile read(Path file) throws IOException {
        return SafetensorsFile.read(file, maxHeaderSize);
    }

    @Override
    public SafetensorsFile read(HeaderSource source, long size) throws IOException {
        return SafetensorsFile.read("checkpoint", source, size, maxHeaderSize);
    }

    @Override
    public SafetensorsFile read(HeaderSource source, long size, Path name) throws IOException {
        return SafetensorsFile.read(SafetensorsFile.nameOf(name), source, size, maxHeaderSize);
    }

    @Override
    public List<Path> partsOf(Path named, SafetensorsFile header, boolean files)
            throws IOException {
        if (index != null) {
            List<Path> parts = new ArrayList<>();
            for (String file : index.files()) {
                parts.add(
                        existing(
                                named.resolveSibling(file),
                                parts.size(),
                                index.files().size(),
                                named,
                                files));
            }
            return parts;
        }
        String text = SafetensorsFile.nameOf(named);
        String prefix = shardPrefix(text);
        if (prefix == null) {
            return List.of(named);
        }
        int count =
                Integer.parseInt(
                        text,
                        text.length() - 5 - SUFFIX.length(),
                        text.length() - SUFFIX.length(),
                        10);
        if (files) {
            Path beside = named.resolveSibling(SafetensorsIndex.nameFor(prefix));
            if (Files.isRegularFile(beside)) {
                index =
                        SafetensorsIndex.parse(
                                beside.getFileName().toString(),
                                SafetensorsModel.readSmall(beside));
            }
        }
        List<Path> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parts.add(
                    existing(
                            named.resolveSibling(shardName(prefix, i, count)),
                            i,
                            count,
                            named,
                            files));
        }
        return parts;
    }

    private static Path existing(Path part, int i, int count, Path named, boolean files)
            throws NoSuchFileException {
        if (files && !Files.exists(part)) {
            throw new NoSuchFileException(
                    part.toString(),
                    null,
                    "part " + (i + 1) + " of " + count + " of the sharded checkpoint " + named);
        }
        return part;
    }

    /** {@code PREFIX-0000K-of-0000N.safetensors} for part {@code index} of {@code count}. */
    static String shardName(String prefix, int index, int count) {
        StringBuilder name = new StringBuilder(prefix.length() + 27).append(prefix).append('-');
        return ModelText.partOf(name, index, count).append(SUFFIX).toString();
    }

    /** Part indexes by their file names (a class, not a lambda: a first open spins no lambda). */
    private static final class ByName implements java.util.Comparator<Integer> {
        private final List<Path> names;

        ByName(List<Path> names) {
            this.names = names;
        }

        @Override
        public int compare(Integer a, Integer b) {
            return SafetensorsFile.nameOf(names.get(a))
                    .compareTo(SafetensorsFile.nameOf(names.get(b)));
        }
    }

    /**
     * The PREFIX of a shard's name {@code PREFIX-0000K-of-0000N.safetensors} (five ASCII digits
     * each, K from 1 to N, N at least 2), or null if the name is not a shard's.
     */
    static String shardPrefix(String name) {
        int tail = "-00001-of-00002".length() + SUFFIX.length();
        if (name.length() <= tail || !name.endsWith(SUFFIX)) {
            return null;
        }
        int at = name.length() - tail;
        if (name.charAt(at) != '-' || !name.startsWith("-of-", at + 6)) {
            return null;
        }
        int k = digits(name, at + 1);
        int n = digits(name, at + 10);
        return k >= 1 && n >= 2 && k <= n ? name.substring(0, at) : null;
    }

    private static int digits(String text, int from) {
        int value = 0;
        for (int i = from; i < from + 5; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * Puts the parts in name order (shard names sort in part order), checks that shard names number
     * the parts 1 to N, and that the index, if any, maps each tensor to the file holding it.
     */
    @Override
    public void order(List<Path> names, List<SafetensorsFile> headers) throws IOException {
        int n = names.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, new ByName(names));
        List<Path> sortedNames = new ArrayList<>(n);
        List<SafetensorsFile> sortedHeaders = new ArrayList<>(n);
        for (int i : order) {
            sortedNames.add(names.get(i));
            sortedHeaders.add(headers.get(i));
        }
        names.clear();
        names.addAll(sortedNames);
        headers.clear();
        headers.addAll(sortedHeaders);
        firstName = SafetensorsFile.nameOf(names.get(0));
        if (n > 1) {
            for (int i = 0; i < n; i++) {
                String name = SafetensorsFile.nameOf(names.get(i));
                String prefix = shardPrefix(name);
                if (prefix != null && !name.equals(shardName(prefix, i, n))) {
                    throw new SafetensorsFormatException(
                            name,
                            null,
                            "shard_name",
                            "is not part "
                                    + (i + 1)
                                    + " of the "
                                    + n
                                    + " parts given, which would be named "
                                    + shardName(prefix, i, n));
                }
            }
        }
        if (index != null) {
            checkIndex(names, headers);
        }
    }

    /**
     * Every tensor of every part is in the index, mapped to its part; every indexed tensor is in a
     * part.
     */
    private void checkIndex(List<Path> names, List<SafetensorsFile> headers)
            throws SafetensorsFormatException {
        Set<String> parts = new HashSet<>();
        for (Path name : names) {
            parts.add(SafetensorsFile.nameOf(name));
        }
        Map<String, String> found = new HashMap<>();
        for (SafetensorsFile header : headers) {
            for (SafetensorsTensor t : header.tensors()) {
                String mapped = index.weightMap().get(t.name());
                if (mapped == null) {
                    throw indexRefuses(
                            t.name(),
                            "index_missing",
                            "is in " + header.name() + " but not in the index");
                }
                if (!mapped.equals(header.name())) {
                    throw indexRefuses(
                            t.name(),
                            "index_file",
                            mappedTo(mapped, " but found in ") + header.name());
                }
                found.put(t.name(), header.name());
            }
        }
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            if (!parts.contains(e.getValue())) {
                throw indexRefuses(
                        e.getKey(),
                        "index_file",
                        mappedTo(e.getValue(), ", which is not a part of the checkpoint"));
            }
            if (!found.containsKey(e.getKey())) {
                throw indexRefuses(
                        e.getKey(), "index_missing", "is in the index but not in " + e.getValue());
            }
        }
    }

    /** The index breaks a rule at a tensor. */
    private SafetensorsFormatException indexRefuses(String tensor, String rule, String problem) {
        return new SafetensorsFormatException(index.name(), tensor, rule, problem);
    }

    /** {@code is mapped to "FILE"} and the rest of the sentence. */
    private static String mappedTo(String file, String rest) {
        return "is mapped to " + ModelText.quote(file) + rest;
    }

    @Override
    public long size(SafetensorsFile header) {
        return header.fileSize();
    }

    @Override
    public List<TensorEntry> tensors(SafetensorsFile header) {
        List<TensorEntry> entries = new ArrayList<>(header.tensors().size());
        for (SafetensorsTensor t : header.tensors()) {
            TensorEntry entry = SafetensorsNaming.entry(header, t);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    @Override
    public LayerNaming naming() {
        return new SafetensorsNaming(firstName);
    }

    @Override
    public IOException refuse(TensorEntry tensor, String why) {
        return new SafetensorsFormatException(firstName, tensor.name(), "layer", why);
    }

    @Override
    public IOException repeated(TensorEntry tensor, Path part, Path first) {
        return new SafetensorsFormatException(
                SafetensorsFile.nameOf(part),
                tensor.name(),
                "duplicate_tensor",
                "is also in " + first);
    }

    /**
     * The first part's {@code __metadata__} as strings under {@code safetensors.metadata.}, then
     * the config.json's values under {@code config.}.
     */
    @Override
    public void addMetadata(List<SafetensorsFile> headers, Memory64Store.Builder store) {
        ModelMetadata.Builder metadata = ModelMetadata.builder();
        for (Map.Entry<String, String> e : headers.get(0).metadata().entrySet()) {
            metadata.put(METADATA_PREFIX + e.getKey(), MetadataValue.ofString(e.getValue()));
        }
        if (config != null) {
            metadata.putAll(config);
        }
        store.withMetadata(metadata.build());
    }
}
