package dev.memory64.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Layer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The check of the guest's output against the host's checksums, and the line splitter. */
class DemoVerifierTest {

    private static final long A = 0x0123456789abcdefL;
    private static final long B = 0xfedcba9876543210L;

    static DemoVerifier verifier() {
        Map<Integer, DemoVerifier.Expected> expected = new LinkedHashMap<>();
        expected.put(0, new DemoVerifier.Expected(new Layer(0, "token_embd", "e", 0, 100), A));
        expected.put(2, new DemoVerifier.Expected(new Layer(2, "blk.1", "b", 100, 50), B));
        return new DemoVerifier(expected);
    }

    static List<String> check(String... lines) {
        DemoVerifier v = verifier();
        for (String line : lines) {
            v.accept(line);
        }
        return v.finish();
    }

    @Test
    void acceptsOutputThatAgreesWithTheHost() {
        assertEquals(
                List.of(),
                check(
                        "layer 0 size 100 checksum 0123456789abcdef",
                        "layer 2 size 50 checksum fedcba9876543210",
                        "total layers 2 bytes 150"));
    }

    @Test
    void namesTheLayerWhoseChecksumDiffers() {
        assertEquals(
                List.of(
                        "layer 2 (blk.1): checksum mismatch: the guest computed fedcba9876543211,"
                                + " the host fedcba9876543210"),
                check(
                        "layer 0 size 100 checksum 0123456789abcdef",
                        "layer 2 size 50 checksum fedcba9876543211",
                        "total layers 2 bytes 150"));
    }

    @Test
    void reportsASizeTheHostDoesNotHave() {
        assertEquals(
                List.of(
                        "layer 0 (token_embd): the guest saw 99 bytes, the host has 100",
                        "the guest's total says 2 layers, 150 bytes; it reported 2 layers, 149"
                                + " bytes"),
                check(
                        "layer 0 size 99 checksum 0123456789abcdef",
                        "layer 2 size 50 checksum fedcba9876543210",
                        "total layers 2 bytes 150"));
    }

    @Test
    void reportsMissingDuplicateAndUnknownLayers() {
        assertEquals(
                List.of(
                        "layer 0 (token_embd): reported twice",
                        "layer 1: the guest reported it, but the host has no such layer",
                        "layer 2 (blk.1): the guest never reported it"),
                check(
                        "layer 0 size 100 checksum 0123456789abcdef",
                        "layer 0 size 100 checksum 0123456789abcdef",
                        "layer 1 size 7 checksum 0000000000000000",
                        "total layers 1 bytes 100"));
    }

    @Test
    void reportsUnexpectedLinesAndAMissingTotal() {
        assertEquals(
                List.of(
                        "unexpected line from the guest: \"hello\"",
                        "unexpected line from the guest: \"layer 0 size 100 checksum ABC\"",
                        "layer 0 (token_embd): the guest never reported it",
                        "layer 2 (blk.1): the guest never reported it",
                        "the guest printed no total line"),
                check("hello", "layer 0 size 100 checksum ABC"));
    }

    @Test
    void reportsALayerAfterTheTotal() {
        assertEquals(
                List.of(
                        "a layer after the guest's total line: \"layer 2 size 50 checksum"
                                + " fedcba9876543210\"",
                        "layer 2 (blk.1): the guest never reported it"),
                check(
                        "layer 0 size 100 checksum 0123456789abcdef",
                        "total layers 1 bytes 100",
                        "layer 2 size 50 checksum fedcba9876543210"));
    }

    @Test
    void lineStreamSplitsLinesAcrossAndWithinWrites() throws Exception {
        List<String> lines = new ArrayList<>();
        try (OutputStream out = DemoVerifier.lines(lines::add)) {
            byte[] bytes = "one\ntw".getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
            out.write('o');
            out.write('\n');
            bytes = "xx\n\nthree\nfour".getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 2, bytes.length - 2);
        }
        assertEquals(List.of("one", "two", "", "", "three", "four"), lines);
    }
}
