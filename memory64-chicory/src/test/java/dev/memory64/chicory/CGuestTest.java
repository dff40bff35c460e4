package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.testkit.LayerChecksum;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The C example guest under WASI and memory64 together, checked against the host's checksums. */
class CGuestTest {

    record Run(int exitCode, String stdout, String stderr) {}

    static Run run(Memory64Store store, Guests.Mode mode, boolean enabled, String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (WasiPreview1 wasi = Guests.wasi(stdout, stderr, "layer_checksum", args)) {
            ImportValues imports =
                    ImportValues.builder()
                            .addFunction(wasi.toHostFunctions())
                            .addFunction(
                                    Memory64HostFunctions.builder(store)
                                            .withEnabled(enabled)
                                            .build()
                                            .toHostFunctions())
                            .build();
            int exit = Guests.runToExit(Guests.c("layer_checksum"), imports, mode, null);
            return new Run(
                    exit,
                    stdout.toString(StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8));
        }
    }

    static Memory64Store model(long... layerSizes) throws Exception {
        long total = 0;
        for (long size : layerSizes) {
            total += size;
        }
        long regionSize = (total + 65535) / 65536 * 65536;
        Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("w", regionSize).build());
        byte[] chunk = new byte[1 << 20];
        for (long offset = 0; offset < regionSize; offset += chunk.length) {
            for (int i = 0; i < chunk.length; i++) {
                long at = offset + i;
                chunk[i] = (byte) (at * 31 + (at >>> 13));
            }
            store.write(offset, chunk, 0, (int) Math.min(chunk.length, regionSize - offset));
        }
        long offset = 0;
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            // Leave id 2 out, so that the guest must skip a missing id.
            int id = i < 2 ? i : i + 1;
            layers.add(new Layer(id, "layer." + id, "block", offset, layerSizes[i]));
            offset += layerSizes[i];
        }
        store.registerLayers(layers);
        return store;
    }

    /** The guest, given this buffer size, prints the host's checksum of every layer and exits 0. */
    static Run assertChecksumsEveryLayer(Memory64Store store, Guests.Mode mode, String buffer)
            throws Exception {
        Run run = run(store, mode, true, buffer);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(expectedOutput(store), run.stdout());
        return run;
    }

    static String expectedOutput(Memory64Store store) throws Exception {
        StringBuilder sb = new StringBuilder();
        long bytes = 0;
        for (Layer layer : store.layers()) {
            sb.append("layer ")
                    .append(layer.id())
                    .append(" size ")
                    .append(layer.size())
                    .append(" checksum ")
                    .append(LayerChecksum.hex(HostChecksum.of(store, layer)))
                    .append('\n');
            bytes += layer.size();
        }
        sb.append("total layers ")
                .append(store.layers().size())
                .append(" bytes ")
                .append(bytes)
                .append('\n');
        return sb.toString();
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldChecksumEveryLayerAsTheHostDoes(Guests.Mode mode) throws Exception {
        try (Memory64Store store = model(1000, 4099, 65536, 3, 200_001)) {
            assertEquals("", assertChecksumsEveryLayer(store, mode, "8").stderr());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#fastestOnly")
    void shouldStreamALayerLargerThanItsBuffer(Guests.Mode mode) throws Exception {
        // Compiled, 40 MiB: several turns of the guest's 16 MiB buffer; interpreted, one turn and
        // a short tail: long enough to stream, short enough to interpret.
        long size = mode == Guests.Mode.COMPILER ? 40L << 20 : (16L << 20) + 12345;
        try (Memory64Store store = model(size, 12345)) {
            assertChecksumsEveryLayer(store, mode, "4");
        }
    }

    // Compiled only: 3 GiB take minutes to interpret.
    @ParameterizedTest(allowZeroInvocations = true)
    @MethodSource("dev.memory64.chicory.Guests#compilerOnly")
    void shouldStreamASparseThreeGibLayerOfAGgufModelByRange(Guests.Mode mode, @TempDir Path dir)
            throws Exception {
        // A 3 GiB F32 token_embd written sparse (its bytes read as zero but for a written head),
        // then two small blocks: the guest streams the big layer through its 16 MiB buffer.
        Path file = dir.resolve("big.gguf");
        GgufWriter.builder()
                .addSparseTensor("token_embd.weight", GgmlType.F32, new long[] {4096, 196_608})
                .addTensor("blk.0.a", GgmlType.F32, new long[] {64}, new byte[256])
                .addTensor("blk.0.b", GgmlType.F32, new long[] {16}, new byte[64])
                .build()
                .write(file);
        try (GgufModel model = GgufModel.open(file)) {
            Memory64Store store = model.store();
            assertEquals(3L << 30, store.layer(0).size());
            assertChecksumsEveryLayer(store, mode, "2");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldChecksumALayerOfSeveralExtentsAsItsLogicalBytes(Guests.Mode mode) throws Exception {
        try (Memory64Store store = model(70_000, 30_000)) {
            // A third layer made of the second half of layer 1 and then the start of layer 0.
            store.registerLayers(
                    List.of(
                            new Layer(
                                    2,
                                    "layer.2",
                                    "block",
                                    List.of(
                                            new Layer.Extent(85_000, 15_000),
                                            new Layer.Extent(0, 20_001)))));
            assertEquals("", assertChecksumsEveryLayer(store, mode, "3").stderr());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.memory64.chicory.Guests#modes")
    void shouldExitTwoWhenTheHostIsDisabled(Guests.Mode mode) throws Exception {
        try (Memory64Store store = model(100)) {
            Run run = run(store, mode, false, "1");
            assertEquals(2, run.exitCode());
            assertEquals("memory64 disabled\n", run.stderr());
        }
    }
}
