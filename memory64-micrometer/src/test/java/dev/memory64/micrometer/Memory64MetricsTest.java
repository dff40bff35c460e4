package dev.memory64.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.StoreClosedException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Memory64MetricsTest {

    private static final long PAGE = 65536;
    private static final long STORE_SIZE = 4 * PAGE;

    private static Memory64Store store(String name) throws IOException {
        return Memory64Store.builder(MemoryLayout.builder().addRegion("w", STORE_SIZE).build())
                .withDefaultBacking(RegionBacking.allocated())
                .withName(name)
                .build();
    }

    /** A registry with the store's meters bound to it. */
    private static MeterRegistry bound(Memory64Store store) {
        MeterRegistry registry = new SimpleMeterRegistry();
        Memory64Metrics.of(store).bindTo(registry);
        return registry;
    }

    private static double counter(MeterRegistry registry, String name, String store) {
        return registry.get(name).tag(Memory64Metrics.STORE_TAG, store).functionCounter().count();
    }

    /** The named counters of one store, in the order named. */
    private static List<Double> counters(MeterRegistry registry, String store, String... names) {
        return Arrays.stream(names).map(name -> counter(registry, name, store)).toList();
    }

    private static double gauge(MeterRegistry registry, String name, String store) {
        return registry.get(name).tag(Memory64Metrics.STORE_TAG, store).gauge().value();
    }

    @Test
    void countersReportExactReadsWritesBytesAndErrors() throws Exception {
        try (Memory64Store store = store("weights")) {
            MeterRegistry registry = bound(store);

            store.write(0, new byte[100]);
            store.write(PAGE, new byte[28]);
            store.read(0, new byte[40]);
            store.read(PAGE, new byte[40]);
            store.read(2 * PAGE, new byte[7]);
            assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> store.read(STORE_SIZE - 10, new byte[20]));
            assertThrows(
                    IndexOutOfBoundsException.class, () -> store.write(STORE_SIZE, new byte[1]));

            assertEquals(new Memory64Stats(3, 2, 87, 128, 2), store.stats());
            assertEquals(
                    List.of(3.0, 2.0, 87.0, 128.0, 2.0),
                    counters(
                            registry,
                            "weights",
                            Memory64Metrics.READS,
                            Memory64Metrics.WRITES,
                            Memory64Metrics.BYTES_READ,
                            Memory64Metrics.BYTES_WRITTEN,
                            Memory64Metrics.ERRORS));
        }
    }

    @Test
    void countersFollowTheStoreAfterBinding() throws Exception {
        try (Memory64Store store = store("live")) {
            MeterRegistry registry = bound(store);
            assertEquals(0.0, counter(registry, Memory64Metrics.READS, "live"));
            store.read(0, new byte[5]);
            assertEquals(
                    List.of(1.0, 5.0),
                    counters(registry, "live", Memory64Metrics.READS, Memory64Metrics.BYTES_READ));
        }
    }

    @Test
    void gaugesReportSizeAndLayerCount() throws Exception {
        try (Memory64Store store = store("gauged")) {
            MeterRegistry registry = bound(store);
            assertEquals((double) STORE_SIZE, gauge(registry, Memory64Metrics.SIZE, "gauged"));
            assertEquals(0.0, gauge(registry, Memory64Metrics.LAYERS, "gauged"));
            store.registerLayer(0, "blk.0", 0, PAGE);
            store.registerLayer(1, "blk.1", PAGE, 2 * PAGE);
            assertEquals(2.0, gauge(registry, Memory64Metrics.LAYERS, "gauged"));
        }
    }

    @Test
    void registersExactlyTheDocumentedMetersWithUnitsAndTags() throws Exception {
        try (Memory64Store store = store("named")) {
            MeterRegistry registry = new SimpleMeterRegistry();
            Memory64Metrics.of(store, Tags.of("model", "tiny", "host", "a")).bindTo(registry);

            Map<String, String> units = new TreeMap<>();
            Map<String, Meter.Type> types = new TreeMap<>();
            for (Meter meter : registry.getMeters()) {
                Meter.Id id = meter.getId();
                units.put(id.getName(), String.valueOf(id.getBaseUnit()));
                types.put(id.getName(), id.getType());
                assertEquals(
                        List.of(
                                Tag.of("host", "a"),
                                Tag.of("model", "tiny"),
                                Tag.of("store", "named")),
                        id.getTags(),
                        id.getName());
            }
            assertEquals(
                    Map.of(
                            "memory64.bytes.read", "bytes",
                            "memory64.bytes.written", "bytes",
                            "memory64.errors", "null",
                            "memory64.layers", "null",
                            "memory64.reads", "null",
                            "memory64.residency.bytes.prefetched", "bytes",
                            "memory64.residency.bytes.released", "bytes",
                            "memory64.residency.window", "bytes",
                            "memory64.size", "bytes",
                            "memory64.writes", "null"),
                    units);
            assertEquals(
                    Set.of(Meter.Type.COUNTER),
                    types.entrySet().stream()
                            .filter(e -> !e.getKey().equals("memory64.size"))
                            .filter(e -> !e.getKey().equals("memory64.layers"))
                            .filter(e -> !e.getKey().equals("memory64.residency.window"))
                            .map(Map.Entry::getValue)
                            .collect(Collectors.toSet()));
            assertEquals(Meter.Type.GAUGE, types.get("memory64.size"));
            assertEquals(Meter.Type.GAUGE, types.get("memory64.layers"));
            assertEquals(Meter.Type.GAUGE, types.get("memory64.residency.window"));
        }
    }

    @Test
    void residencyMetersFollowTheStoresWindow(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        int layer = 1 << 20;
        Path file = dir.resolve("model.bin");
        java.nio.file.Files.write(file, new byte[4 * layer]);
        MemoryLayout layout = MemoryLayout.builder().addRegion("model", 4L * layer).build();
        try (Memory64Store store =
                Memory64Store.builder(layout)
                        .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                        .withName("resident")
                        .withResidency(dev.memory64.ResidencyPolicy.layers(0, 0))
                        .build()) {
            for (int i = 0; i < 4; i++) {
                store.registerLayer(i, "l" + i, (long) i * layer, layer);
            }
            MeterRegistry registry = bound(store);
            byte[] buffer = new byte[layer];
            for (int i = 0; i < 4; i++) {
                store.readLayer(i, 0, java.lang.foreign.MemorySegment.ofArray(buffer));
            }
            dev.memory64.Memory64Stats stats = store.stats();
            assertEquals(3.0 * layer, (double) stats.bytesReleased());
            assertEquals(
                    (double) stats.bytesReleased(),
                    counter(registry, Memory64Metrics.BYTES_RELEASED, "resident"));
            assertEquals(
                    (double) stats.bytesPrefetched(),
                    counter(registry, Memory64Metrics.BYTES_PREFETCHED, "resident"));
            assertEquals(
                    (double) stats.windowBytes(),
                    gauge(registry, Memory64Metrics.WINDOW, "resident"));
            assertEquals((double) layer, gauge(registry, Memory64Metrics.WINDOW, "resident"));
        }
    }

    @Test
    void twoStoresInOneRegistryKeepSeparateSeries() throws Exception {
        try (Memory64Store first = store("first");
                Memory64Store second = store("second")) {
            MeterRegistry registry = new SimpleMeterRegistry();
            Memory64Metrics.of(first).bindTo(registry);
            Memory64Metrics.of(second).bindTo(registry);
            first.write(0, new byte[10]);
            second.write(0, new byte[3]);
            second.write(0, new byte[3]);
            assertEquals(10.0, counter(registry, Memory64Metrics.BYTES_WRITTEN, "first"));
            assertEquals(6.0, counter(registry, Memory64Metrics.BYTES_WRITTEN, "second"));
            assertEquals(2.0, counter(registry, Memory64Metrics.WRITES, "second"));
            assertEquals(20, registry.getMeters().size()); // ten meters per store
        }
    }

    @Test
    void aGivenStoreTagReplacesTheStoreName() throws Exception {
        try (Memory64Store store = store("internal-name")) {
            MeterRegistry registry = new SimpleMeterRegistry();
            Memory64Metrics.of(store, Tags.of("store", "public-name")).bindTo(registry);
            store.read(0, new byte[1]);
            assertEquals(1.0, counter(registry, Memory64Metrics.READS, "public-name"));
            assertNull(
                    registry.find(Memory64Metrics.READS)
                            .tag(Memory64Metrics.STORE_TAG, "internal-name")
                            .functionCounter());
        }
    }

    @Test
    void aClosedStoreKeepsReportingItsFinalCounters() throws Exception {
        Memory64Store store = store("closing");
        MeterRegistry registry = new SimpleMeterRegistry();
        Memory64Metrics.of(store).bindTo(registry);
        store.write(0, new byte[9]);
        store.close();
        assertThrows(StoreClosedException.class, () -> store.read(0, new byte[1]));
        assertEquals(1.0, counter(registry, Memory64Metrics.WRITES, "closing"));
        assertEquals(9.0, counter(registry, Memory64Metrics.BYTES_WRITTEN, "closing"));
        assertEquals(1.0, counter(registry, Memory64Metrics.ERRORS, "closing"));
        assertEquals((double) STORE_SIZE, gauge(registry, Memory64Metrics.SIZE, "closing"));
    }

    @Test
    void rejectsNullArgumentsNamingThem() throws Exception {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> Memory64Metrics.of(null));
        assertEquals("Memory64Metrics.of: store is null", e.getMessage());
        try (Memory64Store store = store("nulls")) {
            e = assertThrows(NullPointerException.class, () -> Memory64Metrics.of(store, null));
            assertEquals("Memory64Metrics.of: tags is null", e.getMessage());
            Memory64Metrics metrics = Memory64Metrics.of(store);
            e = assertThrows(NullPointerException.class, () -> metrics.bindTo(null));
            assertEquals("Memory64Metrics.bindTo: registry is null", e.getMessage());
        }
    }

    @Test
    void theCoreModuleDoesNotDependOnMicrometer() {
        ModuleDescriptor core = Memory64Store.class.getModule().getDescriptor();
        assertEquals("dev.memory64", core.name());
        Set<String> required =
                core.requires().stream()
                        .map(ModuleDescriptor.Requires::name)
                        .collect(Collectors.toSet());
        assertEquals(
                Set.of(),
                required.stream()
                        .filter(name -> name.contains("micrometer"))
                        .collect(Collectors.toSet()),
                "modules the core requires: " + required);
    }

    /** docs/GUIDE.md's table of meters names exactly the meters the binder registers. */
    @Test
    void theGuidesMeterTableListsExactlyTheRegisteredMeters() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath();
        while (!java.nio.file.Files.isRegularFile(root.resolve("docs/GUIDE.md"))) {
            root = root.getParent();
        }
        String guide = java.nio.file.Files.readString(root.resolve("docs/GUIDE.md"));
        int from = guide.indexOf("## Micrometer metrics");
        String section = guide.substring(from, guide.indexOf("\n## ", from + 1));
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher row =
                java.util.regex.Pattern.compile("(?m)^\\| `(memory64\\.[a-z.]+)` \\|")
                        .matcher(section);
        while (row.find()) {
            documented.add(row.group(1));
        }
        try (Memory64Store store = store("documented")) {
            MeterRegistry registry = new SimpleMeterRegistry();
            Memory64Metrics.of(store).bindTo(registry);
            java.util.Set<String> registered = new java.util.TreeSet<>();
            registry.getMeters().forEach(m -> registered.add(m.getId().getName()));
            assertEquals(registered, documented);
        }
    }
}
