package dev.memory64.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.safetensors.SafetensorsDtype;
import dev.memory64.safetensors.SafetensorsWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end on small models: the C guest under Chicory, checked against the host. */
class DemoTest {

    @TempDir Path dir;

    static DemoOutcome demo(String... args) {
        return DemoOutcome.run(DemoSampleTest.TINY, args);
    }

    static void assertLine(String text, String regex) {
        assertTrue(
                text.lines().anyMatch(line -> line.matches(regex)),
                "no line matches " + regex + " in:\n" + text);
    }

    @Test
    void writesTheSampleStreamsEveryLayerAndPrintsTheTable() {
        DemoOutcome o = demo("--dir", dir.toString(), "--progress", "lines");
        assertEquals(0, o.exit(), o.err());
        assertLine(
                o.out(), "memory64 demo: sample-v1-test\\.gguf, .* on disk, mapped read-only .*");
        assertLine(
                o.out(),
                "guest: layer_checksum\\.wasm, Chicory .* compiler, WASI, SegmentMemory .*");
        assertLine(o.out(), "  layers +6 streamed by id; every checksum matches the host's");
        assertLine(o.out(), "  guest run +\\d+\\.\\d\\d +\\d+\\.\\d\\d .*");
        assertLine(
                o.out(),
                "    loads +\\d+\\.\\d\\d +\\d+\\.\\d\\d +inside memory64_load_layer_range \\(6 calls\\)");
        assertLine(o.out(), "  plain copy +\\d+\\.\\d\\d +\\d+\\.\\d\\d .*");
        assertLine(o.out(), "  host loop +\\d+\\.\\d\\d +\\d+\\.\\d\\d .*");
        assertLine(
                o.out(),
                "  loads / copy +\\d+\\.\\d\\d from the host loop, \\d+\\.\\d\\d inside the guest run .*");
        // The host loop's loads come after the guest run: the stats are the guest's alone.
        assertLine(o.out(), "  store stats +reads 6, bytes read .*, errors 0 .*");
        assertLine(o.out(), "  peak resident +\\d.* \\(VmHWM\\).*");
        assertLine(o.err(), "writing the sample model: .* in .* s .*");
        assertLine(o.err(), "guest run: .* in .* s .*");
        assertLine(o.err(), "note: the sample model was written by this run; .*");
        assertTrue(Files.isRegularFile(dir.resolve("sample-v1-test.gguf")));
    }

    @Test
    void reusesTheSampleOnTheSecondRun() {
        assertEquals(0, demo("--dir", dir.toString(), "--progress", "none").exit());
        DemoOutcome o = demo("--dir", dir.toString(), "--progress", "lines");
        assertEquals(0, o.exit(), o.err());
        assertLine(o.err(), "reusing the sample model .*sample-v1-test\\.gguf");
        assertTrue(
                o.err()
                        .lines()
                        .noneMatch(line -> line.startsWith("writing") || line.startsWith("note")),
                o.err());
    }

    @Test
    void streamsOnlyTheLayersBelowTheLimit() {
        DemoOutcome o = demo("--dir", dir.toString(), "--progress", "none", "--layers", "2");
        assertEquals(0, o.exit(), o.err());
        assertEquals("", o.err());
        assertLine(o.out(), "  layers +2 streamed by id; every checksum matches the host's");
    }

    @Test
    void checksumsWhateverLayersAUserModelHas() throws Exception {
        Random random = new Random(7);
        byte[] a = new byte[4 * 1000];
        byte[] b = new byte[4 * 333];
        byte[] c = new byte[4 * 64];
        random.nextBytes(a);
        random.nextBytes(b);
        random.nextBytes(c);
        Path model = dir.resolve("mine.gguf");
        // Blocks 0 and 2 but no block 1, and a prefix of its own: layer ids 1, 3 and 6.
        GgufWriter.builder()
                .addTensor("blk.0.w", GgmlType.F32, new long[] {1000}, a)
                .addTensor("blk.2.w", GgmlType.F32, new long[] {333}, b)
                .addTensor("rope_freqs.weight", GgmlType.F32, new long[] {64}, c)
                .build()
                .write(model);
        DemoOutcome o = demo("--model", model.toString(), "--progress", "none");
        assertEquals(0, o.exit(), o.err());
        assertLine(o.out(), "memory64 demo: mine\\.gguf, .*");
        assertLine(o.out(), "  layers +3 streamed by id; every checksum matches the host's");
        assertLine(o.out(), "  bytes +5\\.59 kB .*");
    }

    @Test
    void streamsASafetensorsCheckpointByItsIndex() throws Exception {
        Random random = new Random(11);
        SafetensorsWriter writer = SafetensorsWriter.create();
        for (String name :
                List.of(
                        "model.embed_tokens.weight",
                        "model.layers.0.mlp.up_proj.weight",
                        "model.layers.1.mlp.up_proj.weight",
                        "lm_head.weight")) {
            byte[] bytes = new byte[2 * 700];
            random.nextBytes(bytes);
            writer.add(
                    name, SafetensorsDtype.BF16, new long[] {7, 100}, MemorySegment.ofArray(bytes));
        }
        writer.writeSharded(dir, "model", 2);
        Path index = dir.resolve("model.safetensors.index.json");
        DemoOutcome o = demo("--model", index.toString(), "--progress", "none");
        assertEquals(0, o.exit(), o.err());
        assertLine(o.out(), "  layers +4 streamed by id; every checksum matches the host's");
        o = demo("--model", dir.resolve("model-00002-of-00002.safetensors").toString());
        assertEquals(0, o.exit(), o.err());
        refusesNotWeights("bad.safetensors", "is not a safetensors checkpoint this demo");
    }

    @Test
    void saysTheSizeOfASparseModelApartFromWhatItTakesOnDisk() throws Exception {
        Path model = dir.resolve("sparse.gguf");
        // 16 MiB of holes: the file's size is 16.78 MB, next to nothing of it on disk.
        GgufWriter.builder()
                .addTensor("blk.0.w", GgmlType.F32, new long[] {64}, new byte[4 * 64])
                .addSparseTensor("blk.1.w", GgmlType.F32, new long[] {4L << 20})
                .build()
                .write(model);
        DemoOutcome o = demo("--model", model.toString(), "--progress", "none");
        assertEquals(0, o.exit(), o.err());
        assertLine(
                o.out(),
                "memory64 demo: sparse\\.gguf, 16\\.78 MB, \\d+\\.\\d\\d kB of it allocated on disk"
                        + " \\(sparse\\), mapped read-only .*");
        assertLine(o.out(), "  layers +2 streamed by id; every checksum matches the host's");
    }

    @Test
    void failsWithOneLineAndExitOneOnAFileThatIsNotGguf() throws Exception {
        DemoOutcome o = refusesNotWeights("notes.gguf", "is not a GGUF model this demo can use: ");
        assertEquals("", o.out());
        assertEquals(1, o.err().lines().count(), o.err());
    }

    /**
     * Runs the demo on a file named {@code name} that holds a line of text, not weights, and checks
     * that it exits 1 with an error that names the file and then says {@code reason}.
     */
    private DemoOutcome refusesNotWeights(String name, String reason) throws Exception {
        Path model = Files.writeString(dir.resolve(name), "these are not weights\n");
        DemoOutcome o = demo("--model", model.toString(), "--progress", "none");
        assertEquals(1, o.exit());
        assertTrue(o.err().startsWith("demo: " + model + " " + reason), o.err());
        return o;
    }

    @Test
    void failsWhenNoLayerIsBelowTheLimit() throws Exception {
        Path model = dir.resolve("late.gguf");
        GgufWriter.builder()
                .addTensor("blk.5.w", GgmlType.F32, new long[] {8}, new byte[32])
                .build()
                .write(model);
        DemoOutcome o = demo("--model", model.toString(), "--progress", "none", "--layers", "3");
        assertEquals(1, o.exit());
        assertEquals(
                "demo: "
                        + model
                        + " has no layer with an id below 3 (its tensors: 1)"
                        + System.lineSeparator(),
                o.err());
    }

    @Test
    void namesTheLayerWhoseBytesChangedBetweenHostAndGuest() throws Exception {
        Path model = DemoSample.ensure(dir, DemoSampleTest.TINY, DemoSampleTest.quiet()).path();
        GgufTensor tensor = GgufFile.read(model).tensor("blk.1.ffn_up.weight").orElseThrow();
        DemoRun.Result result;
        try (DemoProgress progress = DemoSampleTest.quiet()) {
            // The file is mapped shared, so the guest sees a byte written after the host's
            // checksums.
            result =
                    DemoRun.run(
                            model,
                            Integer.MAX_VALUE,
                            progress,
                            () -> {
                                try (FileChannel channel =
                                        FileChannel.open(model, StandardOpenOption.WRITE)) {
                                    channel.write(
                                            ByteBuffer.wrap(new byte[] {0x5a, 0x5a}),
                                            tensor.fileOffset() + 100);
                                }
                            });
        }
        assertEquals(1, result.problems().size(), result.problems().toString());
        assertTrue(
                result.problems()
                        .get(0)
                        .startsWith("layer 2 (blk.1): checksum mismatch: the guest computed "),
                result.problems().get(0));
        assertLine(
                DemoTable.of(result),
                "  layers +6 streamed by id; 1 problem\\(s\\), see stderr: FAILED");
    }
}
