package dev.memory64.micrometer;

import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Publishes a {@link Memory64Store}'s counters and size as Micrometer meters.
 *
 * <p>The counters are function counters over {@link Memory64Store#stats()}, so a scrape reads the
 * store's own counters and binding costs the store's operations nothing. Every meter carries the
 * tag {@code store=<store name>} and the caller's tags:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>base unit</th><th>value</th></tr>
 *   <tr><td>{@value #READS}</td><td>counter</td><td></td><td>{@link Memory64Stats#reads()}</td></tr>
 *   <tr><td>{@value #WRITES}</td><td>counter</td><td></td><td>{@link Memory64Stats#writes()}</td></tr>
 *   <tr><td>{@value #BYTES_READ}</td><td>counter</td><td>bytes</td>
 *       <td>{@link Memory64Stats#bytesRead()}</td></tr>
 *   <tr><td>{@value #BYTES_WRITTEN}</td><td>counter</td><td>bytes</td>
 *       <td>{@link Memory64Stats#bytesWritten()}</td></tr>
 *   <tr><td>{@value #ERRORS}</td><td>counter</td><td></td><td>{@link Memory64Stats#errors()}</td></tr>
 *   <tr><td>{@value #SIZE}</td><td>gauge</td><td>bytes</td><td>{@link Memory64Store#size()}</td></tr>
 *   <tr><td>{@value #LAYERS}</td><td>gauge</td><td></td><td>the number of registered layers</td></tr>
 * </table>
 *
 * <p>As with every Micrometer function meter, the meters hold the store weakly: keep a reference to
 * the store for as long as it should be measured. A closed store keeps reporting its final
 * counters.
 *
 * <pre>{@code
 * Memory64Metrics.of(store, Tags.of("model", "llama-7b")).bindTo(registry);
 * }</pre>
 */
public final class Memory64Metrics implements MeterBinder {

    /** The counter of successful read operations (host reads, layer loads and guest reads). */
    public static final String READS = "memory64.reads";

    /** The counter of successful write operations. */
    public static final String WRITES = "memory64.writes";

    /** The counter of bytes copied out of the store by successful reads. */
    public static final String BYTES_READ = "memory64.bytes.read";

    /** The counter of bytes copied into the store by successful writes. */
    public static final String BYTES_WRITTEN = "memory64.bytes.written";

    /** The counter of failed operations of every kind. */
    public static final String ERRORS = "memory64.errors";

    /** The gauge of the store's size: its layout's total bytes. */
    public static final String SIZE = "memory64.size";

    /** The gauge of the number of registered layers. */
    public static final String LAYERS = "memory64.layers";

    /** The counter of bytes of read-only mapped pages the residency window released. */
    public static final String BYTES_RELEASED = "memory64.residency.bytes.released";

    /** The counter of bytes the prefetcher (and the residency window) brought in ahead. */
    public static final String BYTES_PREFETCHED = "memory64.residency.bytes.prefetched";

    /** The gauge of the residency window: the bytes the windows of all readers span now. */
    public static final String WINDOW = "memory64.residency.window";

    /** The tag naming the store; its value is {@link Memory64Store#name()}. */
    public static final String STORE_TAG = "store";

    private final Memory64Store store;
    private final Tags tags;

    private Memory64Metrics(Memory64Store store, Tags tags) {
        this.store = store;
        this.tags = tags;
    }

    /**
     * Creates a binder for a store, with the tag {@code store=<store name>} only.
     *
     * @param store the store to measure
     * @return the binder
     * @throws NullPointerException if {@code store} is null
     */
    public static Memory64Metrics of(Memory64Store store) {
        return of(store, Tags.empty());
    }

    /**
     * Creates a binder for a store, with the tag {@code store=<store name>} and the given tags. A
     * given tag named {@value #STORE_TAG} replaces the store's name.
     *
     * @param store the store to measure
     * @param tags tags added to every meter
     * @return the binder
     * @throws NullPointerException if {@code store} or {@code tags} is null
     */
    public static Memory64Metrics of(Memory64Store store, Iterable<Tag> tags) {
        Objects.requireNonNull(store, "Memory64Metrics.of: store is null");
        Objects.requireNonNull(tags, "Memory64Metrics.of: tags is null");
        return new Memory64Metrics(store, Tags.of(STORE_TAG, store.name()).and(tags));
    }

    /**
     * Registers the store's meters in a registry.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "Memory64Metrics.bindTo: registry is null");
        counter(
                registry,
                READS,
                "successful reads: host reads, layer loads, guest reads",
                null,
                Memory64Stats::reads);
        counter(registry, WRITES, "successful writes", null, Memory64Stats::writes);
        counter(
                registry,
                BYTES_READ,
                "bytes copied out of the store by successful reads",
                BaseUnits.BYTES,
                Memory64Stats::bytesRead);
        counter(
                registry,
                BYTES_WRITTEN,
                "bytes copied into the store by successful writes",
                BaseUnits.BYTES,
                Memory64Stats::bytesWritten);
        counter(registry, ERRORS, "failed operations of every kind", null, Memory64Stats::errors);
        Gauge.builder(SIZE, store, Memory64Store::size)
                .description("total bytes of the store's layout")
                .baseUnit(BaseUnits.BYTES)
                .tags(tags)
                .register(registry);
        Gauge.builder(LAYERS, store, s -> s.layers().size())
                .description("registered layers")
                .tags(tags)
                .register(registry);
        counter(
                registry,
                BYTES_RELEASED,
                "bytes of read-only mapped pages released behind their readers",
                BaseUnits.BYTES,
                Memory64Stats::bytesReleased);
        counter(
                registry,
                BYTES_PREFETCHED,
                "bytes brought in ahead of their readers",
                BaseUnits.BYTES,
                Memory64Stats::bytesPrefetched);
        Gauge.builder(WINDOW, store, s -> s.stats().windowBytes())
                .description("bytes the residency windows of all readers span now")
                .baseUnit(BaseUnits.BYTES)
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry,
            String name,
            String description,
            String baseUnit,
            ToLongFunction<Memory64Stats> counter) {
        FunctionCounter.builder(name, store, s -> counter.applyAsLong(s.stats()))
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .register(registry);
    }
}
