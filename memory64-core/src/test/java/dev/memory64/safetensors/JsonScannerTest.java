package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.memory64.safetensors.JsonTokens.Token;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JsonScanner} reads a document only where it reads exactly Jackson's tokens: wherever the
 * scanner reads a document to its end, Jackson reads the same tokens, names, strings and numbers,
 * without an error; and the plain documents that real checkpoints hold are read by the scanner, not
 * left to Jackson.
 */
class JsonScannerTest {

    /** The tokens of a document to its end, each with what it carries; or why reading stopped. */
    private static final class Recorder implements Json.Grammar<List<String>> {
        @Override
        public List<String> read(JsonTokens json) {
            List<String> out = new ArrayList<>();
            for (Token t = json.nextToken(); t != null; t = json.nextToken()) {
                out.add(
                        switch (t) {
                            case PROPERTY_NAME -> "name " + json.currentName();
                            case VALUE_STRING -> "string " + json.getString();
                            case VALUE_NUMBER_INT ->
                                    json.isLong()
                                            ? "int " + json.getLongValue()
                                            : "big " + json.getDoubleValue();
                            case VALUE_NUMBER_FLOAT ->
                                    "float " + Double.doubleToRawLongBits(json.getDoubleValue());
                            default -> t.name();
                        });
            }
            return out;
        }
    }

    /** The scanner's tokens, or null where it stops. */
    private static List<String> scanned(byte[] bytes) {
        try {
            return new Recorder().read(new JsonScanner(bytes, 0, bytes.length));
        } catch (JsonScanner.Unsupported e) {
            return null;
        }
    }

    /** Jackson's tokens, or its refusal's message. */
    private static String jackson(byte[] bytes) {
        try {
            return JacksonTokens.read("doc", bytes, 0, bytes.length, 0, new Recorder()).toString();
        } catch (SafetensorsFormatException e) {
            return e.getMessage();
        }
    }

    /** If the scanner reads the document, Jackson reads the same tokens; returns the scanner's. */
    private static List<String> agree(byte[] bytes) {
        List<String> scanned = scanned(bytes);
        if (scanned != null) {
            assertEquals(
                    scanned.toString(),
                    jackson(bytes),
                    () -> new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return scanned;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The documents of {@code json-documents.txt}: each its kind, name and bytes. */
    static Stream<Arguments> documents() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = JsonScannerTest.class.getResourceAsStream("json-documents.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                String[] fields = line.split("\t", 3);
                if (line.startsWith("#")) {
                    continue;
                }
                byte[] bytes =
                        fields[2].startsWith("hex:")
                                ? HexFormat.of().parseHex(fields[2].substring(4))
                                : utf8(fields[2].translateEscapes());
                out.add(Arguments.of(fields[0], fields[1], bytes));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("documents")
    void readsPlainDocumentsAsJacksonDoesAndLeavesTheRestToIt(
            String kind, String what, byte[] document) {
        if (kind.equals("read")) {
            assertNotNull(agree(document), "the scanner left a plain document to Jackson");
        } else {
            assertEquals("jackson", kind);
            assertNull(scanned(document), "the scanner read it");
        }
    }

    @Test
    void readsTheSameWhereItStopsAfterAValue() {
        // The grammars of the index and the config read no further than their root object.
        JsonScanner json = new JsonScanner(utf8("{\"a\":1} trailing"), 0, 16);
        assertEquals(Token.START_OBJECT, json.nextToken());
        assertEquals(Token.PROPERTY_NAME, json.nextToken());
        assertEquals(Token.VALUE_NUMBER_INT, json.nextToken());
        assertEquals(Token.END_OBJECT, json.nextToken());
        assertThrows(JsonScanner.Unsupported.class, json::nextToken);
    }

    @Test
    void readsAWindowOfItsArray() {
        byte[] bytes = utf8("xx[1,\"a\"]yy");
        JsonScanner json = new JsonScanner(bytes, 2, 7);
        List<String> tokens = new Recorder().read(json);
        assertEquals(List.of("START_ARRAY", "int 1", "string a", "END_ARRAY"), tokens);
    }

    @Test
    void agreesWithJacksonOnTheFuzzCorpus() throws IOException {
        Path corpus =
                Path.of(
                        "src/test/resources/dev/memory64/safetensors/SafetensorsFuzzTestInputs/readsOrRefusesAnyBytes");
        List<Path> files;
        try (Stream<Path> list = Files.list(corpus)) {
            files = list.toList();
        }
        int read = 0;
        for (Path file : files) {
            byte[] data = Files.readAllBytes(file);
            if (data.length > 8 && agree(Arrays.copyOfRange(data, 8, data.length)) != null) {
                read++;
            }
        }
        assertTrue(read > 0, "the scanner read none of the corpus");
    }

    /** Pieces that documents are made of, valid and not, so that random joins hit the edges. */
    private static final String[] PIECES = {
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\"a\"",
        "\"dtype\"",
        "\"F32\"",
        "\"\\n\"",
        "\"\\u00e9\"",
        "\"é\"",
        "\"\\",
        "\"",
        "0",
        "-0",
        "1",
        "-1",
        "12",
        "1.5",
        "1e3",
        "-2.5E-3",
        "01",
        "1.",
        ".5",
        "1e",
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "x",
        "\t",
        "\0",
        "123456789012345678",
        "1234567890123456789",
        "\u00ff",
        "\"\\ud800\"",
        "\"\\ud83d\\ude00\"",
        "\"😀\"",
        "\"\\udc00x\""
    };

    /** Names, plain and not, for objects of random members. */
    private static final String[] NAMES = {
        "a",
        "dtype",
        "é",
        "😀",
        "\\n",
        "\\u00e9",
        "\\ud800",
        "\\ud83d\\ude00",
        "\\udfff",
        "x\\ud800y",
        "\\\"",
        "\\/"
    };

    @Test
    void agreesWithJacksonOnRandomDocuments() {
        qt().withExamples(5000)
                .forAll(lists().of(integers().between(0, PIECES.length - 1)).ofSizeBetween(1, 24))
                .checkAssert(
                        pieces -> {
                            StringBuilder document = new StringBuilder();
                            for (int i : pieces) {
                                document.append(PIECES[i]);
                            }
                            agree(utf8(document.toString()));
                        });
    }

    @Test
    void agreesWithJacksonOnObjectsOfRandomMembers() {
        // Joins that are mostly well formed, so that the scanner reads many of them.
        int[] read = {0};
        qt().withExamples(3000)
                .forAll(lists().of(integers().between(0, PIECES.length - 1)).ofSizeBetween(0, 8))
                .checkAssert(
                        pieces -> {
                            StringBuilder document = new StringBuilder("{");
                            for (int k = 0; k < pieces.size(); k++) {
                                String value = PIECES[pieces.get(k)];
                                document.append(k == 0 ? "" : ",")
                                        .append('"')
                                        .append(NAMES[pieces.get(k) % NAMES.length])
                                        .append(k)
                                        .append("\":[")
                                        .append(value)
                                        .append(']');
                            }
                            if (agree(utf8(document.append('}').toString())) != null) {
                                read[0]++;
                            }
                        });
        assertTrue(read[0] > 100, read[0] + " of 3000 read by the scanner");
    }
}
