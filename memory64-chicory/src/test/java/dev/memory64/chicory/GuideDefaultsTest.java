package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defaults docs/GUIDE.md states are the code's: the host functions builder's options table, as
 * a default-built guest sees them, and the remote options the remote section names.
 */
class GuideDefaultsTest {
    static final long PAGE = 64 * 1024;

    @TempDir Path dir;

    private static String guide() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(root.resolve("docs/GUIDE.md"))) {
            root = root.getParent();
        }
        return Files.readString(root.resolve("docs/GUIDE.md"));
    }

    /** The default column of the options table's row for {@code option}. */
    private static String defaultOf(String guide, String option) {
        String row =
                guide.lines()
                        .filter(l -> l.startsWith("| `" + option + "` |"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no row for " + option));
        return row.split("\\|")[2].trim();
    }

    @Test
    void theHostFunctionsOptionsTableStatesTheBuildersDefaults() throws Exception {
        String guide = guide();
        assertEquals("`\"env\"`", defaultOf(guide, "withModuleName(String)"));
        assertEquals("`true`", defaultOf(guide, "withEnabled(boolean)"));
        assertEquals(
                "`AccessPolicy.allowAll()`", defaultOf(guide, "withAccessPolicy(AccessPolicy)"));
        assertEquals("`false`", defaultOf(guide, "withReadAhead(boolean)"));

        Path file = dir.resolve("m.bin");
        Files.write(file, new byte[(int) (32 * PAGE)]);
        try (Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("m", 32 * PAGE).build())
                        .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                        .build()) {
            store.registerLayers(
                    List.of(
                            new Layer(0, "a", "block", 0, 16 * PAGE),
                            new Layer(1, "b", "block", 16 * PAGE, 16 * PAGE)),
                    List.of());
            Memory64HostFunctions functions = Memory64HostFunctions.builder(store).build();
            for (HostFunction f : functions.toHostFunctions()) {
                assertEquals("env", f.module(), f.name()); // withModuleName's default
            }
            Instance guest =
                    Guests.instantiate(
                            Guests.wat("abi"), functions.toImportValues(), Guests.fastest(), null);
            assertEquals(1, Guests.call(guest, "is_enabled")); // withEnabled's default
            assertEquals(1, Guests.call(guest, "grow", 15));
            // Every layer granted (allowAll), and no read-ahead: after loading layer 0 and waiting
            // for a prefetch of layer 1 of the host's own, only that prefetch's bytes are counted.
            assertEquals(16 * PAGE, Guests.call(guest, "load_layer", 0, 0, 16 * PAGE));
            store.prefetch(1).get(30, TimeUnit.SECONDS);
            assertEquals(16 * PAGE, store.stats().bytesPrefetched());
        }
    }

    @Test
    void theRemoteSectionStatesTheRemoteOptionsDefaults() throws Exception {
        String guide = guide().replaceAll("\\s+", " ");
        RemoteOptions defaults = RemoteOptions.defaults();
        assertTrue(guide.contains("(`RemoteOptions.chunkSize`, 4 MiB by default)"));
        assertEquals(4L << 20, defaults.chunkSize());
        assertTrue(guide.contains("(at most `parallelFetches`, 4 by default,"));
        assertEquals(4, defaults.parallelFetches());
        assertTrue(guide.contains("`attempts` (3 by default)"));
        assertEquals(3, defaults.attempts());
        assertTrue(guide.contains("a timeout of `requestTimeout`, 30 s by default"));
        assertEquals(java.time.Duration.ofSeconds(30), defaults.requestTimeout());
        assertTrue(guide.contains("a backoff that doubles (100 ms, 200 ms, …)"));
        assertEquals(java.time.Duration.ofMillis(100), defaults.backoff());
    }
}
