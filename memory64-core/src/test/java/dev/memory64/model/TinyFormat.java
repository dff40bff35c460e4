package dev.memory64.model;

import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second model format, for tests only, that proves the open flow is not GGUF's: a text header
 * ({@code TINY part parts} then one {@code name type offset size} line per tensor, ended by an
 * empty line) before the data; a set's parts are named {@code stem-K-of-N.tiny}; block tensors are
 * named {@code layer/N/...}. It shares no code with the GGUF package.
 */
final class TinyFormat implements ModelFormat<TinyFormat.Header> {

    /** The largest header read. */
    static final int MAX_HEADER = 4096;

    private static final Pattern PART = Pattern.compile("(.+)-(\\d+)-of-(\\d+)\\.tiny");

    /** One part's header. */
    record Header(int part, int parts, long size, List<TensorEntry> tensors) {}

    @Override
    public String name() {
        return "tiny";
    }

    @Override
    public Header read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            return read(channel::read, channel.size());
        }
    }

    @Override
    public Header read(HeaderSource source, long size) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(size, MAX_HEADER));
        while (bytes.hasRemaining() && source.read(bytes, bytes.position()) > 0) {}
        String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII);
        int end = text.indexOf("\n\n");
        if (!text.startsWith("TINY ") || end < 0) {
            throw new IOException("tiny: no header in the first " + MAX_HEADER + " bytes");
        }
        String[] lines = text.substring(0, end).split("\n");
        String[] first = lines[0].split(" ");
        List<TensorEntry> tensors = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            long tensorSize = Long.parseLong(f[3]);
            tensors.add(
                    new TensorEntry(
                            f[0],
                            Integer.parseInt(f[1]),
                            List.of(tensorSize),
                            Long.parseLong(f[2]),
                            tensorSize));
        }
        return new Header(Integer.parseInt(first[1]), Integer.parseInt(first[2]), size, tensors);
    }

    @Override
    public List<Path> partsOf(Path named, Header header, boolean files) throws IOException {
        if (header.parts() == 1) {
            return List.of(named);
        }
        Matcher m = PART.matcher(named.getFileName().toString());
        if (!m.matches()) {
            throw new IOException("tiny: " + named + " is not named stem-K-of-N.tiny");
        }
        List<Path> parts = new ArrayList<>();
        for (int k = 1; k <= header.parts(); k++) {
            Path part =
                    named.resolveSibling(m.group(1) + "-" + k + "-of-" + header.parts() + ".tiny");
            if (files && !Files.exists(part)) {
                throw new IOException("tiny: part " + part + " is missing");
            }
            parts.add(part);
        }
        return parts;
    }

    @Override
    public void order(List<Path> names, List<Header> headers) throws IOException {
        Integer[] order = new Integer[headers.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> headers.get(i).part()));
        List<Path> sortedNames = new ArrayList<>();
        List<Header> sortedHeaders = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            Header h = headers.get(order[i]);
            if (h.part() != i + 1 || h.parts() != order.length) {
                throw new IOException("tiny: " + names.get(order[i]) + " is not part " + (i + 1));
            }
            sortedNames.add(names.get(order[i]));
            sortedHeaders.add(h);
        }
        names.clear();
        names.addAll(sortedNames);
        headers.clear();
        headers.addAll(sortedHeaders);
    }

    @Override
    public long size(Header header) {
        return header.size();
    }

    @Override
    public List<TensorEntry> tensors(Header header) {
        return header.tensors();
    }

    @Override
    public LayerNaming naming() {
        return new LayerNaming() {
            @Override
            public int block(TensorEntry tensor) {
                String[] path = tensor.name().split("/");
                return path[0].equals("layer") ? Integer.parseInt(path[1]) : -1;
            }

            @Override
            public String blockName(int block) {
                return "layer/" + block;
            }

            @Override
            public String layerName(TensorEntry tensor) {
                return tensor.name();
            }

            @Override
            public String kind(String layerName) {
                return LayerNaming.kindOf(layerName, "embed", "norm", "head");
            }
        };
    }

    @Override
    public IOException refuse(TensorEntry tensor, String why) {
        return new IOException("tiny: tensor " + tensor.name() + " " + why);
    }

    @Override
    public IOException repeated(TensorEntry tensor, Path part, Path first) {
        return new IOException(
                "tiny: tensor " + tensor.name() + " is in " + first + " and in " + part);
    }

    @Override
    public void addMetadata(List<Header> headers, Memory64Store.Builder store) {
        store.withMetadata(
                ModelMetadata.builder()
                        .put("tiny.parts", MetadataValue.ofUint32(headers.size()))
                        .build());
    }
}
