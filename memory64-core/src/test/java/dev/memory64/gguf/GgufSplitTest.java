package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.Memory64Store;
import dev.memory64.TensorInfo;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Split models as llama.cpp's gguf-split cuts them and its loader checks them. */
class GgufSplitTest {
    @TempDir Path dir;

    private static final Map<String, GgufValue> METADATA = new LinkedHashMap<>();

    static {
        METADATA.put("general.architecture", GgufValue.string("llama"));
        METADATA.put("llama.block_count", GgufValue.uint32(2));
    }

    /** Every layer two tensors (the output layers one each), so that cuts of 2 fall between. */
    private static List<GgufSplitter.Spec> model() {
        List<GgufSplitter.Spec> specs = new ArrayList<>();
        specs.add(spec("token_embd.weight", 64, 1));
        specs.add(spec("token_embd.scale", 8, 2));
        specs.add(spec("blk.0.attn_q.weight", 32, 3));
        specs.add(spec("blk.0.ffn_up.weight", 40, 4));
        specs.add(spec("blk.1.attn_q.weight", 32, 5));
        specs.add(spec("blk.1.ffn_up.weight", 40, 6));
        specs.add(spec("output_norm.weight", 8, 7));
        specs.add(spec("output.weight", 64, 8));
        return specs;
    }

    private static GgufSplitter.Spec spec(String name, int floats, int seed) {
        return new GgufSplitter.Spec(
                name, GgmlType.F32, new long[] {floats}, TestModels.data(floats * 4, seed));
    }

    /** Every tensor's bytes, read through the store by name, equal the bytes written. */
    private static void assertTensors(GgufModel model, List<GgufSplitter.Spec> specs)
            throws Exception {
        Memory64Store store = model.store();
        assertEquals(specs.size(), store.tensors().size());
        for (GgufSplitter.Spec spec : specs) {
            TensorInfo info = store.tensor(spec.name());
            byte[] got = new byte[spec.data().length];
            store.readLayer(
                    info.layerId(),
                    info.offsetInLayer(),
                    java.lang.foreign.MemorySegment.ofArray(got));
            assertArrayEquals(spec.data(), got, spec.name());
        }
    }

    @Test
    void opensASplitCutEveryTwoTensorsFromAnyPart() throws Exception {
        openFromEveryPart(
                "m",
                2,
                4,
                (model, parts) -> {
                    assertEquals(parts, model.paths());
                    assertEquals(4, model.store().layout().regionCount());
                    assertEquals("llama", model.file().architecture().orElseThrow());
                });
    }

    /** A check of a model opened from one part of the split {@code parts}. */
    private interface PartCheck {
        void check(GgufModel model, List<Path> parts) throws Exception;
    }

    /**
     * Cuts the model every {@code tensors} tensors into {@code count} parts named after {@code
     * name}, opens it from each part in turn, checks its tensors and runs {@code check} on it.
     */
    private void openFromEveryPart(String name, int tensors, int count, PartCheck check)
            throws Exception {
        List<Path> parts = GgufSplitter.byTensors(dir, name, METADATA, model(), tensors);
        assertEquals(count, parts.size());
        for (Path part : parts) {
            try (GgufModel model = GgufModel.open(part)) {
                assertTensors(model, model());
                check.check(model, parts);
            }
        }
    }

    @Test
    void opensEveryPartGivenInAnyOrder() throws Exception {
        List<Path> parts = GgufSplitter.byTensors(dir, "m", METADATA, model(), 2);
        List<Path> shuffled = new ArrayList<>(parts);
        Collections.reverse(shuffled);
        try (GgufModel model = GgufModel.open(shuffled.toArray(Path[]::new))) {
            assertEquals(parts, model.paths());
            assertTensors(model, model());
        }
    }

    @Test
    void opensASplitCutBySize() throws Exception {
        // Parts of 256 + 32 bytes, 128 + 160, 128 + 160 + 32, then 256: at most 320 each.
        List<Path> parts = GgufSplitter.bySize(dir, "s", METADATA, model(), 320);
        assertEquals(4, parts.size());
        assertEquals(2, GgufFile.read(parts.get(1)).tensors().size());
        try (GgufModel model = GgufModel.open(parts.get(3))) {
            assertTensors(model, model());
        }
    }

    @Test
    void opensBlocksStraddlingTwoPartsAsTheirTensorsInFileOrder() throws Exception {
        // gguf-split's cut every 3 tensors puts blk.0's tensors in parts 1 and 2, and blk.1's in
        // parts 2 and 3: each is two extents, one per part, and reads as its tensors in order.
        openFromEveryPart(
                "x",
                3,
                3,
                (model, parts) -> {
                    Memory64Store store = model.store();
                    dev.memory64.Layer block0 = store.layer("blk.0");
                    assertEquals(2, block0.extents().size());
                    assertEquals(1, store.layout().regionIndex(block0.extents().get(1).offset()));
                    assertEquals(0, store.layout().regionIndex(block0.extents().get(0).offset()));
                    byte[] whole = new byte[(int) block0.size()];
                    store.readLayer(block0.id(), 0, java.lang.foreign.MemorySegment.ofArray(whole));
                    byte[] q = model().get(2).data();
                    byte[] up = model().get(3).data();
                    assertArrayEquals(q, java.util.Arrays.copyOfRange(whole, 0, q.length));
                    long upAt = store.tensor("blk.0.ffn_up.weight").offsetInLayer();
                    assertArrayEquals(
                            up,
                            java.util.Arrays.copyOfRange(
                                    whole, (int) upAt, (int) upAt + up.length));
                });
    }

    @Test
    void opensASplitCutBySizeThroughBlocks() throws Exception {
        // 450-byte parts cut blocks wherever the size falls, as gguf-split --split-max-size does:
        // token_embd and blk.0's first tensor fill part 1, and blk.0 goes on in part 2.
        List<Path> parts = GgufSplitter.bySize(dir, "z", METADATA, model(), 450);
        assertTrue(parts.size() >= 3, "parts: " + parts.size());
        try (GgufModel model = GgufModel.open(parts.getLast())) {
            assertTensors(model, model());
            boolean straddles = false;
            for (dev.memory64.Layer layer : model.store().layers()) {
                straddles |= !layer.isContiguous();
            }
            assertTrue(straddles, "some block straddles two parts");
        }
    }

    @Test
    void refusesAPartMissingATensorAsACorruptedModel() throws Exception {
        List<GgufSplitter.Spec> specs = model();
        List<Path> parts = GgufSplitter.byTensors(dir, "c", METADATA, specs, 2);
        // Part 3 rewritten with one tensor fewer, as a truncated download would leave it.
        splitPart(2, 4, 8)
                .addTensor("blk.1.attn_q.weight", GgmlType.F32, new long[] {32}, new byte[128])
                .build()
                .write(parts.get(2));
        GgufFormatException e =
                assertThrows(GgufFormatException.class, () -> GgufModel.open(parts.get(1)));
        assertEquals(GgufSplit.KEY_TENSORS_COUNT, e.field());
        assertEquals("8", e.value());
        assertEquals(
                "GGUF split.tensors.count=8 at offset "
                        + e.fileOffset()
                        + " in "
                        + parts.get(0)
                        + " declares 8 tensors, but the 4 part(s) hold 7: a corrupted model",
                e.getMessage());
        assertTrue(e.fileOffset() > 0);
    }

    @Test
    void refusesASingleFileWhoseTensorCountDisagrees() throws Exception {
        // No split.count, so a whole model, but its split.tensors.count is checked all the same.
        Path file = dir.resolve("single.gguf");
        GgufWriter.builder()
                .addMetadata(GgufSplit.KEY_TENSORS_COUNT, GgufValue.int32(2))
                .addTensor("blk.0.w", GgmlType.F32, new long[] {4}, new byte[16])
                .build()
                .write(file);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufModel.open(file));
        assertEquals(GgufSplit.KEY_TENSORS_COUNT, e.field());
        assertTrue(e.getMessage().contains("declares 2 tensors"), e.getMessage());
    }

    @Test
    void refusesASplitWithoutItsTensorCount() throws Exception {
        Path a = dir.resolve("n-00001-of-00002.gguf");
        Path b = dir.resolve("n-00002-of-00002.gguf");
        for (int i = 0; i < 2; i++) {
            GgufWriter.builder()
                    .addMetadata(GgufSplit.KEY_NO, GgufValue.uint16(i))
                    .addMetadata(GgufSplit.KEY_COUNT, GgufValue.uint16(2))
                    .addTensor("blk." + i + ".w", GgmlType.F32, new long[] {4}, new byte[16])
                    .build()
                    .write(i == 0 ? a : b);
        }
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufModel.open(b));
        assertEquals(GgufSplit.KEY_TENSORS_COUNT, e.field());
        assertTrue(e.getMessage().contains("is missing in " + a), e.getMessage());
    }

    @Test
    void refusesAMissingPartNamingIt() throws Exception {
        List<Path> parts = GgufSplitter.byTensors(dir, "m", METADATA, model(), 2);
        Files.delete(parts.get(2));
        NoSuchFileException e =
                assertThrows(NoSuchFileException.class, () -> GgufModel.open(parts.get(0)));
        assertEquals(parts.get(2).toString(), e.getFile());
        assertTrue(e.getMessage().contains("part 3 of 4"), e.getMessage());
    }

    @Test
    void refusesARepeatedOrOutOfRangeSplitNumber() throws Exception {
        List<Path> parts = GgufSplitter.byTensors(dir, "w", METADATA, model(), 4);
        assertEquals(2, parts.size());
        rewriteSplitNo(parts.get(1), 0);
        GgufFormatException repeated =
                assertThrows(GgufFormatException.class, () -> GgufModel.open(parts.get(0)));
        assertEquals(GgufSplit.KEY_NO, repeated.field());
        assertEquals("0", repeated.value());
        assertTrue(
                repeated.getMessage().contains("is also the split.no of " + parts.get(0)),
                repeated.getMessage());

        rewriteSplitNo(parts.get(1), 7);
        GgufFormatException range =
                assertThrows(GgufFormatException.class, () -> GgufModel.open(parts.get(0)));
        assertEquals(GgufSplit.KEY_NO, range.field());
        assertEquals("7", range.value());
        assertTrue(range.getMessage().contains("in " + parts.get(1)), range.getMessage());
        assertTrue(range.getMessage().contains("not a part number in [0, 2)"));
    }

    /** A writer of a part with gguf-split's keys: its number, the part count, the tensor count. */
    private static GgufWriter.Builder splitPart(int no, int count, int tensors) {
        return GgufWriter.builder()
                .addMetadata(GgufSplit.KEY_NO, GgufValue.uint16(no))
                .addMetadata(GgufSplit.KEY_COUNT, GgufValue.uint16(count))
                .addMetadata(GgufSplit.KEY_TENSORS_COUNT, GgufValue.int32(tensors));
    }

    /** Rewrites the second half of {@link #model()} (4 tensors) as a part with another number. */
    private static void rewriteSplitNo(Path part, int no) throws Exception {
        GgufWriter.Builder builder = splitPart(no, 2, 8);
        for (GgufSplitter.Spec spec : model().subList(4, 8)) {
            builder.addTensor(spec.name(), spec.type(), spec.dims(), spec.data());
        }
        builder.build().write(part);
    }

    @Test
    void refusesASplitCountThatDisagreesWithTheName() throws Exception {
        Path odd = dir.resolve("o-00001-of-00003.gguf");
        splitPart(0, 2, 1)
                .addTensor("blk.0.w", GgmlType.F32, new long[] {4}, new byte[16])
                .build()
                .write(odd);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufModel.open(odd));
        assertEquals(GgufSplit.KEY_COUNT, e.field());
        assertTrue(e.getMessage().contains("does not match the 3 parts in its name"));
    }

    @Test
    void opensAMergedModelWhoseSplitCountIsZero() throws Exception {
        // gguf-split --merge keeps the first part's keys and sets split.count to 0.
        Path merged = dir.resolve("merged.gguf");
        GgufWriter.Builder builder = splitPart(0, 0, 8);
        for (GgufSplitter.Spec spec : model()) {
            builder.addTensor(spec.name(), spec.type(), spec.dims(), spec.data());
        }
        builder.build().write(merged);
        try (GgufModel model = GgufModel.open(merged)) {
            assertTensors(model, model());
            assertEquals(1, model.store().layout().regionCount());
        }
    }

    @Test
    void opensASplitUnderALocaleWithOtherDigits() throws Exception {
        List<Path> parts = GgufSplitter.byTensors(dir, "m", METADATA, model(), 2);
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("ar-EG-u-nu-arab"));
        try {
            // The default locale formats 1 as U+0661 here: a name built with it is not the file's.
            assertEquals("\u0661", String.format("%d", 1));
            try (GgufModel model = GgufModel.open(parts.get(0))) {
                assertEquals(parts, model.paths());
                assertEquals("part-00002-of-00004", model.store().layout().region(1).name());
            }
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void refusesADirectoryNamingIt() {
        FileSystemException e = assertThrows(FileSystemException.class, () -> GgufModel.open(dir));
        assertEquals(dir.toString(), e.getFile());
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    /** Pieces of file names around the part suffix, for the property below. */
    private static final String[] FILE_NAME_PIECES = {
        "model",
        "-",
        "00001",
        "00002",
        "-of-",
        ".gguf",
        "0",
        "12345",
        "x",
        "\n",
        "\r",
        "\u2028",
        "\u0085",
        "\u0660",
        "é",
        ".",
        "-00003-of-00003.gguf"
    };

    @Test
    void partFileNamesParseAsLlamaCppsPatternMatches() {
        Pattern pattern = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");
        qt().withExamples(3000)
                .forAll(NamePieces.joined(FILE_NAME_PIECES, 0, 8))
                .checkAssert(
                        name -> {
                            Matcher m = pattern.matcher(name);
                            assertEquals(
                                    m.matches() ? m.group(1) : null,
                                    GgufSplit.partPrefix(name),
                                    name);
                        });
    }
}
