package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.testkit.RangeServer;
import dev.memory64.testkit.SmallModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A region backed by an object on an in-process HTTP server: bytes, cache, faults, retries. */
class RemoteStoreTest {
    private static final long CHUNK = 64 << 10;

    @TempDir Path cache;

    RemoteOptions fast() {
        return RemoteOptions.defaults()
                .withChunkSize(CHUNK)
                .withRetries(3, Duration.ofMillis(1))
                .withRequestTimeout(Duration.ofSeconds(20));
    }

    Memory64Store open(URI uri, long regionSize, RemoteOptions options) throws Exception {
        MemoryLayout layout = MemoryLayout.builder().addRegion("remote", regionSize).build();
        return Memory64Store.builder(layout)
                .withBacking("remote", RegionBacking.remote(uri, cache, options))
                .build();
    }

    @Test
    void readsExactBytesFetchingEachChunkOnceAndRefusesTheUnbackedTail() throws Exception {
        byte[] data = SmallModels.bytes(5 * (int) CHUNK + 123, 1);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 6 * CHUNK, fast())) {
            assertEquals(List.of("bytes=0-0"), server.ranges);
            byte[] got = new byte[100_000];
            store.read(70_000, got);
            assertArrayEquals(Arrays.copyOfRange(data, 70_000, 170_000), got);
            assertEquals(
                    List.of("bytes=0-0", "bytes=131072-196607", "bytes=65536-131071"),
                    server.ranges.stream().sorted().toList());
            store.read(70_000, got); // present: no request
            assertEquals(3, server.ranges.size());
            byte[] all = new byte[data.length];
            store.read(0, all);
            assertArrayEquals(data, all);
            assertEquals(7, server.ranges.size()); // 6 chunks, the last one short, and the probe
            assertTrue(server.ranges.contains("bytes=327680-327802"));
            assertThrows(StoreRangeException.class, () -> store.read(data.length, new byte[1]));
            assertThrows(IllegalStateException.class, () -> store.write(0, new byte[1]));
        }
    }

    @Test
    void concurrentReadersOfOneChunkWaitForOneFetch() throws Exception {
        byte[] data = SmallModels.bytes(2 * (int) CHUNK, 2);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 2 * CHUNK, fast())) {
            server.arrived.acquire(); // the probe
            CountDownLatch gate = new CountDownLatch(1);
            server.hold = gate;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<byte[]>> reads = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    reads.add(
                            pool.submit(
                                    () -> {
                                        byte[] b = new byte[1000];
                                        store.read(5000, b);
                                        return b;
                                    }));
                }
                server.arrived.acquire(); // the one fetch is at the server, held
                gate.countDown();
                for (Future<byte[]> read : reads) {
                    assertArrayEquals(Arrays.copyOfRange(data, 5000, 6000), read.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of("bytes=0-0", "bytes=0-65535"), server.ranges);
        }
    }

    @Test
    void retriesTransientFailuresThenFailsNamingUriRangeAndStatusAndWorksLater() throws Exception {
        byte[] data = SmallModels.bytes(3 * (int) CHUNK, 3);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 3 * CHUNK, fast())) {
            server.faults.addAll(List.of(503, 502));
            byte[] got = new byte[10];
            store.read(CHUNK, got);
            assertArrayEquals(Arrays.copyOfRange(data, (int) CHUNK, (int) CHUNK + 10), got);

            server.faults.addAll(List.of(503, 503, 503));
            byte[] untouched = new byte[10];
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class, () -> store.read(2 * CHUNK, untouched));
            assertEquals(503, e.status());
            assertEquals(server.uri(), e.uri());
            assertEquals(2 * CHUNK, e.offset());
            assertEquals(CHUNK, e.length());
            assertTrue(
                    e.getMessage().contains(server.uri() + " bytes=131072-196607"), e.getMessage());
            assertTrue(e.getMessage().contains("tried 3 times"), e.getMessage());
            assertArrayEquals(new byte[10], untouched);
            assertEquals(1, store.stats().errors());

            store.read(2 * CHUNK, got); // the server is back
            assertArrayEquals(Arrays.copyOfRange(data, 2 * (int) CHUNK, 2 * (int) CHUNK + 10), got);
        }
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        try (RangeServer server = new RangeServer(SmallModels.bytes((int) CHUNK, 4));
                Memory64Store store = open(server.uri(), CHUNK, fast())) {
            server.faults.add(403);
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(0, new byte[1]));
            assertEquals(403, e.status());
            assertEquals(2, server.ranges.size());
        }
    }

    @Test
    void aSlowAnswerTimesOut() throws Exception {
        try (RangeServer server = new RangeServer(SmallModels.bytes((int) CHUNK, 5));
                Memory64Store store =
                        open(
                                server.uri(),
                                CHUNK,
                                fast().withRetries(2, Duration.ofMillis(1))
                                        .withRequestTimeout(Duration.ofMillis(500)))) {
            server.hold = new CountDownLatch(1);
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(0, new byte[1]));
            assertEquals(RemoteFetchException.NO_STATUS, e.status());
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(e.getMessage().contains("bytes=0-65535"), e.getMessage());
        }
    }

    @Test
    void aChangedObjectIsRefusedNotMixed() throws Exception {
        byte[] data = SmallModels.bytes(2 * (int) CHUNK, 6);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 2 * CHUNK, fast())) {
            store.read(0, new byte[1]);
            server.replace(SmallModels.bytes(2 * (int) CHUNK, 7));
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(CHUNK, new byte[1]));
            assertEquals(200, e.status());
            assertTrue(e.getMessage().contains("changed since it was opened"), e.getMessage());
            byte[] first = new byte[16];
            store.read(0, first); // what was fetched before is still the pinned version
            assertArrayEquals(Arrays.copyOf(data, 16), first);
        }
    }

    @Test
    void aServerWithoutRangesAWrongContentRangeAndA404AreRefused() throws Exception {
        try (RangeServer server = new RangeServer(SmallModels.bytes((int) CHUNK, 8))) {
            server.ignoreRanges = true;
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class, () -> open(server.uri(), CHUNK, fast()));
            assertEquals(200, e.status());
            assertTrue(e.getMessage().contains("ignores range requests"), e.getMessage());
            server.ignoreRanges = false;

            try (Memory64Store store = open(server.uri(), CHUNK, fast())) {
                server.wrongContentRange = true;
                e = assertThrows(RemoteFetchException.class, () -> store.read(0, new byte[1]));
                assertTrue(e.getMessage().contains("Content-Range"), e.getMessage());
            }
            server.faults.add(404);
            e = assertThrows(RemoteFetchException.class, () -> open(server.uri(), CHUNK, fast()));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains(server.uri().toString()), e.getMessage());
        }
    }

    @Test
    void anExpectedIdentityPinsTheVersionAcrossOpens() throws Exception {
        try (RangeServer server = new RangeServer(SmallModels.bytes((int) CHUNK, 9))) {
            RemoteIdentity seen;
            try (RemoteObject object = RemoteObject.open(server.uri(), fast())) {
                seen = object.identity();
            }
            assertEquals(CHUNK, seen.size());
            open(server.uri(), CHUNK, fast().withExpected(seen)).close();
            server.replace(SmallModels.bytes((int) CHUNK, 10));
            RemoteFetchException e =
                    assertThrows(
                            RemoteFetchException.class,
                            () -> open(server.uri(), CHUNK, fast().withExpected(seen)));
            assertTrue(e.getMessage().contains("not the expected"), e.getMessage());
        }
    }

    @Test
    void theRequestDecoratorSeesEveryRequest() throws Exception {
        try (RangeServer server = new RangeServer(SmallModels.bytes((int) CHUNK, 11))) {
            URI elsewhere = URI.create(server.uri() + "-nowhere");
            // A presigned-URL style decorator: the backing names one URI, requests go to another.
            try (Memory64Store store =
                    open(elsewhere, CHUNK, fast().withDecorator(b -> b.uri(server.uri())))) {
                byte[] got = new byte[4];
                store.read(0, got);
                assertArrayEquals(Arrays.copyOf(SmallModels.bytes((int) CHUNK, 11), 4), got);
            }
        }
    }

    /** Layers a and b, two chunks each, over a four-chunk store. */
    private static void registerTwoLayersOfTwoChunks(Memory64Store store) {
        store.registerLayers(
                List.of(
                        new Layer(0, "a", "block", 0, 2 * CHUNK),
                        new Layer(1, "b", "block", 2 * CHUNK, 2 * CHUNK)));
    }

    @Test
    void aPrefetchFetchesALayerSoThatItsLoadMakesNoRequest() throws Exception {
        byte[] data = SmallModels.bytes(4 * (int) CHUNK, 12);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 4 * CHUNK, fast())) {
            registerTwoLayersOfTwoChunks(store);
            store.prefetch(1).get();
            assertEquals(3, server.ranges.size());
            byte[] got = new byte[2 * (int) CHUNK];
            store.readLayer(1, 0, java.lang.foreign.MemorySegment.ofArray(got));
            assertArrayEquals(Arrays.copyOfRange(data, 2 * (int) CHUNK, 4 * (int) CHUNK), got);
            assertEquals(3, server.ranges.size());
        }
    }

    @Test
    void theResidencyWindowGivesBehindChunksBackAndTheyAreFetchedAgain() throws Exception {
        // Native access is on in these tests (the core's surefire argLine), so release punches.
        assertTrue(ChunkCache.punchesHoles());
        byte[] data = SmallModels.bytes(4 * (int) CHUNK, 13);
        try (RangeServer server = new RangeServer(data);
                Memory64Store store = open(server.uri(), 4 * CHUNK, fast())) {
            registerTwoLayersOfTwoChunks(store);
            store.useResidency(ResidencyPolicy.layers(0, 0));
            byte[] got = new byte[2 * (int) CHUNK];
            store.read(0, got);
            store.read(2 * CHUNK, got); // layer 0 is now behind the window: released
            assertEquals(5, server.ranges.size());
            assertEquals(2 * CHUNK, store.stats().bytesReleased());
            store.read(0, got); // fetched again, the same bytes
            assertArrayEquals(Arrays.copyOf(data, 2 * (int) CHUNK), got);
            assertEquals(7, server.ranges.size());
        }
    }

    @Test
    void aPinnedChunkIsNeverReleasedUnderItsReader() throws Exception {
        byte[] data = SmallModels.bytes(2 * (int) CHUNK, 14);
        MemoryLayout layout = MemoryLayout.builder().addRegion("r", 2 * CHUNK).build();
        RegionBacking.Remote backing =
                (RegionBacking.Remote) RegionBacking.remote(URI.create("http://x/"), cache, fast());
        try (RangeServer server = new RangeServer(data);
                Arena arena = Arena.ofShared();
                ChunkCache chunks =
                        ChunkCache.open(
                                arena,
                                layout.region(0),
                                new RegionBacking.Remote(server.uri(), cache, backing.options()))) {
            chunks.ensure(0, CHUNK);
            assertEquals(0, chunks.release(0, 2 * CHUNK)); // pinned, and absent
            chunks.unpin(0, CHUNK);
            assertEquals(CHUNK, chunks.release(0, 2 * CHUNK));
            assertEquals(2, server.ranges.size());

            // A reader and a releaser at once: every byte the reader sees is the object's.
            MemorySegment expected = MemorySegment.ofArray(Arrays.copyOf(data, (int) CHUNK));
            java.util.concurrent.atomic.AtomicBoolean done =
                    new java.util.concurrent.atomic.AtomicBoolean();
            Thread releaser =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        while (!done.get()) {
                                            chunks.release(0, CHUNK);
                                        }
                                    });
            try {
                for (int i = 0; i < 200; i++) {
                    chunks.ensure(0, CHUNK);
                    try {
                        assertEquals(
                                -1,
                                chunks.segment().asSlice(0, CHUNK).mismatch(expected),
                                "i=" + i);
                    } finally {
                        chunks.unpin(0, CHUNK);
                    }
                }
            } finally {
                done.set(true);
                releaser.join();
            }
        }
    }

    @Test
    void optionsRefuseBadValuesNamingThem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> RemoteOptions.defaults().withChunkSize(1000));
        assertTrue(e.getMessage().contains("chunkSize=1000"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> RegionBacking.remote(URI.create("file:///x"), Path.of("/tmp")));
        assertInstanceOf(
                RegionBacking.Remote.class,
                RegionBacking.remote(URI.create("https://example.org/m.gguf"), Path.of("/tmp")));
    }
}
