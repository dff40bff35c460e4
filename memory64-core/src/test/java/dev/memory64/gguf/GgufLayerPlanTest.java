package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.Layer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufLayerPlanTest {

    @TempDir Path dir;

    private GgufFile write(GgufWriter.Builder builder) throws IOException {
        Path path = dir.resolve("layers.gguf");
        builder.build().write(path);
        return GgufFile.read(path);
    }

    private static GgufWriter.Builder add(GgufWriter.Builder builder, String... names) {
        for (String name : names) {
            builder.addSparseTensor(name, GgmlType.F32, new long[] {8}); // 32 bytes each
        }
        return builder;
    }

    private static List<String> names(List<GgufLayer> layers) {
        return layers.stream().map(GgufLayer::name).toList();
    }

    private static List<Integer> ids(List<GgufLayer> layers) {
        return layers.stream().map(GgufLayer::id).toList();
    }

    @Test
    void normalOrderingGivesEmbeddingsBlocksThenOutput() throws IOException {
        GgufFile file = write(TestModels.rich());
        List<GgufLayer> layers = file.layers();
        assertEquals(
                List.of("token_embd", "blk.0", "blk.1", "output_norm", "output"), names(layers));
        assertEquals(List.of(0, 1, 2, 3, 4), ids(layers));

        GgufLayer block0 = layers.get(1);
        GgufTensor q = file.tensor("blk.0.attn_q.weight").orElseThrow();
        GgufTensor norm = file.tensor("blk.0.attn_norm.weight").orElseThrow();
        assertEquals(List.of(q, norm), block0.tensors());
        assertEquals(q.fileOffset(), block0.fileOffset());
        assertEquals(norm.fileEnd(), block0.fileEnd());
        // 68 bytes of Q8_0 padded to 96, then 32 bytes of F32.
        assertEquals(128, block0.size());
        assertEquals(0, block0.offsetInLayer(q));
        assertEquals(96, block0.offsetInLayer(norm));
        assertEquals(96, block0.offsetInLayer("blk.0.attn_norm.weight"));
        assertThrows(
                IllegalArgumentException.class,
                () -> block0.offsetInLayer(file.tensor("output.weight").orElseThrow()));
        assertThrows(IllegalArgumentException.class, () -> block0.offsetInLayer("nope"));

        for (int i = 1; i < layers.size(); i++) {
            assertTrue(layers.get(i - 1).fileEnd() <= layers.get(i).fileOffset());
        }
    }

    @Test
    void outputFirstOrderingStillNumbersLayersByName() throws IOException {
        GgufFile file =
                write(
                        add(
                                GgufWriter.builder(),
                                "output.weight",
                                "output_norm.weight",
                                "blk.1.b",
                                "blk.1.a",
                                "blk.0.a",
                                "token_embd.weight"));
        List<GgufLayer> layers = file.layers();
        assertEquals(
                List.of("token_embd", "blk.0", "blk.1", "output_norm", "output"), names(layers));
        assertEquals(List.of(0, 1, 2, 3, 4), ids(layers));
        GgufLayer output = layers.get(4);
        assertEquals(file.dataStart(), output.fileOffset());
        assertEquals(32, output.size());
        GgufLayer block1 = layers.get(2);
        assertEquals(
                List.of("blk.1.b", "blk.1.a"),
                block1.tensors().stream().map(GgufTensor::name).toList());
        assertEquals(64, block1.size());
    }

    @Test
    void refusesATensorWhosePrefixCannotNameALayer() throws IOException {
        // Found by GgufFuzzTest: ".x" made a layer with an empty name, which the store refused
        // with an IllegalArgumentException escaping GgufModel.open.
        for (String name : List.of(".x", " .x", "\t")) {
            GgufFile file = write(add(GgufWriter.builder(), "blk.0.a", name));
            GgufFormatException e = assertThrows(GgufFormatException.class, file::layers);
            assertEquals("tensor[" + GgufParser.quote(name) + "]", e.field());
            assertTrue(e.getMessage().contains("cannot name a layer"), e.getMessage());
        }
    }

    @Test
    void missingBlocksLeaveGapsInTheIds() throws IOException {
        List<GgufLayer> layers =
                write(
                                add(
                                        GgufWriter.builder(),
                                        "token_embd.w",
                                        "blk.0.a",
                                        "blk.2.a",
                                        "output_norm.w",
                                        "output.w"))
                        .layers();
        assertEquals(
                List.of("token_embd", "blk.0", "blk.2", "output_norm", "output"), names(layers));
        assertEquals(List.of(0, 1, 3, 4, 5), ids(layers));
    }

    @Test
    void paddingBetweenATensorsOfOneLayerBelongsToIt() throws IOException {
        GgufFile file =
                write(
                        GgufWriter.builder()
                                .withAlignment(256)
                                .addSparseTensor("blk.0.a", GgmlType.F32, new long[] {1})
                                .addSparseTensor("blk.0.b", GgmlType.F32, new long[] {1})
                                .addSparseTensor("blk.1.a", GgmlType.F32, new long[] {1}));
        List<GgufLayer> layers = file.layers();
        assertEquals(260, layers.get(0).size()); // 4 bytes, 252 of padding, 4 bytes
        assertEquals(256, layers.get(0).offsetInLayer("blk.0.b"));
        assertEquals(4, layers.get(1).size());
        assertEquals(file.dataStart() + 512, layers.get(1).fileOffset());
    }

    @Test
    void otherPrefixesFollowTheOutputInOrderOfFirstAppearance() throws IOException {
        List<GgufLayer> layers =
                write(
                                add(
                                        GgufWriter.builder(),
                                        "rope_freqs.weight",
                                        "token_embd.weight",
                                        "blk.0.a",
                                        "cls.bias",
                                        "cls.weight",
                                        "output"))
                        .layers();
        assertEquals(List.of("token_embd", "blk.0", "output", "rope_freqs", "cls"), names(layers));
        // B = 1: output_norm would be 2, output is 3, others from 4.
        assertEquals(List.of(0, 1, 3, 4, 5), ids(layers));
    }

    @Test
    void withoutBlocksOutputNormIsLayerOne() throws IOException {
        List<GgufLayer> layers =
                write(add(GgufWriter.builder(), "output_norm.w", "output.w", "x")).layers();
        assertEquals(List.of(1, 2, 3), ids(layers));
        assertEquals(List.of("output_norm", "output", "x"), names(layers));
    }

    @Test
    void interleavedTensorsMakeALayerOfSeveralExtentsInFileOrder() throws IOException {
        GgufFile file =
                write(
                        add(
                                GgufWriter.builder(),
                                "token_embd.weight",
                                "blk.0.a",
                                "output.weight",
                                "blk.0.b"));
        GgufTensor a = file.tensor("blk.0.a").orElseThrow();
        GgufTensor b = file.tensor("blk.0.b").orElseThrow();
        GgufTensor out = file.tensor("output.weight").orElseThrow();
        List<GgufLayer> layers = file.layers();
        GgufLayer block0 = layers.get(1);
        assertEquals("blk.0", block0.name());
        assertEquals(
                List.of(
                        new Layer.Extent(a.fileOffset(), a.byteSize()),
                        new Layer.Extent(b.fileOffset(), b.byteSize())),
                block0.extents());
        assertEquals(a.byteSize() + b.byteSize(), block0.size());
        assertEquals(0, block0.offsetInLayer(a));
        assertEquals(a.byteSize(), block0.offsetInLayer("blk.0.b"));
        GgufLayer output = layers.get(2);
        assertTrue(output.isContiguous());
        assertEquals(out.fileOffset(), output.fileOffset());
    }

    @Test
    void contiguityIsJudgedByFileOffsetNotByTheOrderOfTensorInfos() throws IOException {
        // Infos list blk.0.a, blk.1.a, blk.0.b, but the data of blk.0 comes first, in one run.
        RawGguf raw = RawGguf.header(3, 3, 0);
        raw.tensor("blk.0.a", new long[] {8}, GgmlType.F32.id(), 0);
        raw.tensor("blk.1.a", new long[] {8}, GgmlType.F32.id(), 64);
        raw.tensor("blk.0.b", new long[] {8}, GgmlType.F32.id(), 32);
        raw.padTo(32).zeros(96);
        GgufFile file = GgufFile.read(new ByteArrayFileChannel(raw.toBytes()));
        List<GgufLayer> layers = file.layers();
        assertEquals(List.of("blk.0", "blk.1"), names(layers));
        assertEquals(64, layers.get(0).size());
        assertEquals(
                List.of("blk.0.a", "blk.0.b"),
                layers.get(0).tensors().stream().map(GgufTensor::name).toList());
    }

    @Test
    void aLayerLargerThanIntegerMaxValueIsPlannedWhole() throws IOException {
        GgufFile file =
                write(
                        GgufWriter.builder()
                                .addSparseTensor(
                                        "blk.0.a", GgmlType.F32, new long[] {1024, 1 << 19})
                                .addSparseTensor("blk.0.b", GgmlType.F32, new long[] {8}));
        GgufLayer layer = file.layers().getFirst();
        assertEquals((1L << 31) + 32, layer.size());
        assertEquals(file.dataStart(), layer.fileOffset());
        assertTrue(layer.isContiguous());
        assertEquals(1L << 31, layer.offsetInLayer("blk.0.b"));
    }

    @Test
    void blockTensorsNeedACanonicalBlockNumber() throws IOException {
        for (String name :
                List.of("blk.x.a", "blk.01.a", "blk..a", "blk", "blk.-1.a", "blk.99999999999.a")) {
            GgufFile file = write(add(GgufWriter.builder(), "blk.0.a", name));
            GgufFormatException e = assertThrows(GgufFormatException.class, file::layers, name);
            assertEquals("tensor[\"" + name + "\"]", e.field());
            assertTrue(e.getMessage().contains("no block number"), e.getMessage());
        }
        assertEquals(
                List.of("blk.7", "blk.10"),
                names(write(add(GgufWriter.builder(), "blk.7", "blk.10.x")).layers()));
    }

    @Test
    void theLastBlockNumberIsALayerUnlessAnOutputLayerNeedsAnIdAfterIt() throws Exception {
        GgufTensor last = new GgufTensor("blk.2147483646", GgmlType.F32, new long[] {8}, 0, 32, 0);
        assertEquals(List.of("blk.2147483646"), names(GgufNaming.layers(List.of(last))));
        GgufTensor output =
                new GgufTensor("output.weight", GgmlType.F32, new long[] {8}, 32, 32, 32);
        assertThrows(GgufFormatException.class, () -> GgufNaming.layers(List.of(last, output)));
    }

    /** Pieces of tensor names around block numbers, for the property below. */
    private static final String[] NAME_PIECES = {
        "blk", ".", "0", "1", "7", "9", "00", "2147483647", "2147483646", "99999", "x", "-", "a"
    };

    /** The block-number rule as the planner stated it before it parsed in place. */
    private static String referenceLayer(String name) {
        int dot = name.indexOf('.');
        String prefix = dot < 0 ? name : name.substring(0, dot);
        if (!prefix.equals("blk")) {
            return prefix;
        }
        String digits = "";
        if (name.length() > 3) {
            int end = name.indexOf('.', 4);
            digits = name.substring(4, end < 0 ? name.length() : end);
        }
        boolean canonical =
                !digits.isEmpty()
                        && digits.length() <= 10
                        && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        && (digits.length() == 1 || digits.charAt(0) != '0')
                        && Long.parseLong(digits) < Integer.MAX_VALUE;
        return canonical ? "blk." + Integer.parseInt(digits) : null;
    }

    @Test
    void blockNumbersParseAsTheCanonicalDecimalRuleSays() {
        qt().withExamples(2000)
                .forAll(NamePieces.joined(NAME_PIECES, 1, 6))
                .checkAssert(
                        name -> {
                            String expected = referenceLayer(name);
                            GgufTensor tensor =
                                    new GgufTensor(name, GgmlType.F32, new long[] {8}, 0, 32, 0);
                            if (expected == null) {
                                GgufFormatException e =
                                        assertThrows(
                                                GgufFormatException.class,
                                                () -> GgufNaming.layers(List.of(tensor)),
                                                name);
                                assertTrue(
                                        e.getMessage().contains("no block number"), e.getMessage());
                            } else if (expected.isBlank()) {
                                // A blank prefix names no layer: refused, for another reason.
                                assertThrows(
                                        GgufFormatException.class,
                                        () -> GgufNaming.layers(List.of(tensor)),
                                        name);
                            } else {
                                try {
                                    assertEquals(
                                            List.of(expected),
                                            names(GgufNaming.layers(List.of(tensor))),
                                            name);
                                } catch (GgufFormatException e) {
                                    throw new AssertionError(name, e);
                                }
                            }
                        });
    }
}
