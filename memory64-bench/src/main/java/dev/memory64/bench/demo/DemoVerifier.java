package dev.memory64.bench.demo;

import dev.memory64.Layer;
import dev.memory64.testkit.LayerChecksum;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the C guest's output, line by line as it arrives, against the checksums the host computed:
 * every layer reported once with the host's size and checksum, no layer missing, and a total line
 * that agrees.
 */
final class DemoVerifier {

    /** A layer and the checksum the host computed over it. */
    record Expected(Layer layer, long checksum) {}

    private static final Pattern LAYER =
            Pattern.compile("layer (\\d{1,10}) size (\\d{1,19}) checksum ([0-9a-f]{16})");
    private static final Pattern TOTAL =
            Pattern.compile("total layers (\\d{1,10}) bytes (\\d{1,19})");

    private final SortedMap<Integer, Expected> expected;
    private final Set<Integer> seen = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private long seenBytes;
    private boolean totalSeen;

    DemoVerifier(Map<Integer, Expected> expected) {
        this.expected = new TreeMap<>(expected);
    }

    /** Takes one line of the guest's stdout, without its newline. */
    void accept(String line) {
        Matcher m = LAYER.matcher(line);
        if (m.matches()) {
            layer(line, m);
            return;
        }
        m = TOTAL.matcher(line);
        if (m.matches() && !totalSeen) {
            totalSeen = true;
            long layers = Long.parseLong(m.group(1));
            long bytes = Long.parseLong(m.group(2));
            if (layers != seen.size() || bytes != seenBytes) {
                problems.add(
                        "the guest's total says "
                                + layers
                                + " layers, "
                                + bytes
                                + " bytes; it reported "
                                + seen.size()
                                + " layers, "
                                + seenBytes
                                + " bytes");
            }
            return;
        }
        problems.add("unexpected line from the guest: \"" + line + "\"");
    }

    private void layer(String line, Matcher m) {
        if (totalSeen) {
            problems.add("a layer after the guest's total line: \"" + line + "\"");
            return;
        }
        long id = Long.parseLong(m.group(1));
        long size = Long.parseLong(m.group(2));
        long checksum = Long.parseUnsignedLong(m.group(3), 16);
        Expected e = id <= Integer.MAX_VALUE ? expected.get((int) id) : null;
        if (e == null) {
            problems.add("layer " + id + ": the guest reported it, but the host has no such layer");
            return;
        }
        String name = "layer " + id + " (" + e.layer().name() + ")";
        if (!seen.add((int) id)) {
            problems.add(name + ": reported twice");
            return;
        }
        seenBytes += size;
        if (size != e.layer().size()) {
            problems.add(
                    name + ": the guest saw " + size + " bytes, the host has " + e.layer().size());
        } else if (checksum != e.checksum()) {
            problems.add(
                    name
                            + ": checksum mismatch: the guest computed "
                            + LayerChecksum.hex(checksum)
                            + ", the host "
                            + LayerChecksum.hex(e.checksum()));
        }
    }

    /** Layers reported so far. */
    int layersSeen() {
        return seen.size();
    }

    /**
     * Ends the check: adds a problem for each layer the guest never reported, and for a missing
     * total line.
     *
     * @return every problem found, in order; empty when the guest agreed with the host throughout
     */
    List<String> finish() {
        List<String> all = new ArrayList<>(problems);
        for (Expected e : expected.values()) {
            if (!seen.contains(e.layer().id())) {
                all.add(
                        "layer "
                                + e.layer().id()
                                + " ("
                                + e.layer().name()
                                + "): the guest never reported it");
            }
        }
        if (!totalSeen) {
            all.add("the guest printed no total line");
        }
        return all;
    }

    /** An output stream for the guest's stdout that hands each complete line to {@code lines}. */
    static OutputStream lines(Consumer<String> lines) {
        return new LineStream(lines);
    }

    private static final class LineStream extends OutputStream {
        private final Consumer<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

        LineStream(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                lines.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    lines.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        /** Hands over a last line that had no newline. */
        @Override
        public void close() {
            if (line.size() > 0) {
                lines.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
        }
    }
}
