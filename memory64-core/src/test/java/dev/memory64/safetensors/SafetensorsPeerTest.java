package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.TensorInfo;
import dev.memory64.testkit.Forked;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers agree: Hugging Face's own JavaScript reader ({@code @huggingface/hub}'s {@code
 * parseSafetensorsMetadata}, pinned) reads the checkpoints our writer writes (a single file, a
 * sharded one by its index, every dtype) and a checkpoint written by JavaScript itself ({@code
 * JSON.stringify}, unpadded, offsets out of header order) is opened by us; for every tensor the
 * file, name, dtype, shape, data offsets and the SHA-256 of its bytes (the peer's sliced from the
 * file, ours read through the store) must be equal. Skipped where node or npm is absent or the
 * package cannot be installed.
 */
class SafetensorsPeerTest {

    static final String PACKAGE = "@huggingface/hub@2.17.5";

    private static Path nodeModules;
    private static Path script;

    @TempDir Path dir;

    @BeforeAll
    static void install() throws Exception {
        Assumptions.assumeTrue(
                runs("node", "--version"), "node is not installed: peer test skipped");
        Assumptions.assumeTrue(runs("npm", "--version"), "npm is not installed: peer test skipped");
        Path prefix = Path.of("target", "npm-hf").toAbsolutePath();
        nodeModules = prefix.resolve("node_modules");
        Path installed = nodeModules.resolve("@huggingface/hub/package.json");
        if (!Files.isRegularFile(installed)
                || !Files.readString(installed).contains("\"version\": \"2.17.5\"")) {
            Files.createDirectories(prefix);
            Assumptions.assumeTrue(
                    runs(
                            "npm",
                            "install",
                            "--prefix",
                            prefix.toString(),
                            "--no-audit",
                            "--no-fund",
                            PACKAGE),
                    "npm install " + PACKAGE + " failed: peer test skipped");
        }
        script = Files.createTempFile("memory64-peer", ".mjs");
        try (InputStream in = SafetensorsPeerTest.class.getResourceAsStream("peer.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> node(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("node", script.toString(), nodeModules.toString()));
        command.addAll(List.of(args));
        String out = Forked.run(command, 120, "node").out();
        return out.lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    /** Our view: one line per tensor, as the peer prints them, the bytes read through the store. */
    private static List<String> ours(SafetensorsModel model) throws Exception {
        List<String> lines = new ArrayList<>();
        for (SafetensorsFile part : model.parts()) {
            for (SafetensorsTensor t : part.tensors()) {
                byte[] bytes = new byte[Math.toIntExact(t.size())];
                if (t.size() > 0) {
                    TensorInfo info = model.store().tensor(t.name());
                    model.store()
                            .readLayer(
                                    info.layerId(),
                                    info.offsetInLayer(),
                                    MemorySegment.ofArray(bytes));
                }
                List<String> dims = new ArrayList<>();
                for (long d : t.shape()) {
                    dims.add(Long.toString(d));
                }
                lines.add(
                        String.join(
                                " ",
                                part.name(),
                                t.name(),
                                t.dtype().name(),
                                String.join("x", dims),
                                Long.toString(t.begin()),
                                Long.toString(t.end()),
                                HexFormat.of()
                                        .formatHex(
                                                MessageDigest.getInstance("SHA-256")
                                                        .digest(bytes))));
            }
        }
        return lines.stream().sorted().toList();
    }

    private int compare(Path root, String path, Path open) throws Exception {
        List<String> peer = node("read", root.toString(), path);
        try (SafetensorsModel model = SafetensorsModel.open(open)) {
            List<String> ours = ours(model);
            assertEquals(peer, ours, path);
            return ours.size();
        }
    }

    @Test
    void thePeerReadsWhatWeWriteAndWeReadWhatThePeerWrites() throws Exception {
        int tensors = 0;
        int files = 0;
        Path single = Files.createDirectory(dir.resolve("single"));
        Checkpoints.single(single, Checkpoints.llama(2));
        tensors += compare(single, "model.safetensors", single.resolve("model.safetensors"));
        files++;

        Path sharded = Files.createDirectory(dir.resolve("sharded"));
        Checkpoints.writer(Checkpoints.llama(5)).writeSharded(sharded, "model", 4);
        tensors +=
                compare(
                        sharded,
                        "model.safetensors.index.json",
                        sharded.resolve("model.safetensors.index.json"));
        files += 4;

        Path dtypes = Files.createDirectory(dir.resolve("dtypes"));
        List<Checkpoints.Tensor> all = new ArrayList<>();
        int seed = 1;
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            all.add(
                    Checkpoints.tensor(
                            seed++, "t." + dtype.name().toLowerCase(Locale.ROOT), dtype, 3, 1, 8));
        }
        Checkpoints.single(dtypes, all);
        tensors += compare(dtypes, "model.safetensors", dtypes.resolve("model.safetensors"));
        files++;

        Path peer = Files.createDirectory(dir.resolve("peer"));
        node("write", peer.resolve("model.safetensors").toString());
        int written = compare(peer, "model.safetensors", peer.resolve("model.safetensors"));
        assertEquals(6, written);
        tensors += written;
        files++;
        System.out.println(
                "peer: "
                        + tensors
                        + " tensors in "
                        + files
                        + " files agree on name, dtype, shape, offsets and bytes");
        assertTrue(tensors > 100, "compared " + tensors);
    }
}
