package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgufModel;
import dev.memory64.internal.RemoteUris;
import dev.memory64.testkit.MemoryTransport;
import dev.memory64.testkit.MemoryTransport.Fault;
import dev.memory64.testkit.SmallModels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the core does around any {@link RemoteTransport}, through one that holds its objects in
 * memory: attempts and backoff, the check that an answer fills its range, the pinned version, and
 * the refusal of a scheme that nothing serves.
 */
class RemoteTransportTest {
    private static final long CHUNK = 64 << 10;
    private static final URI OBJECT = URI.create("mem://bucket/object");

    @TempDir Path cache;

    final MemoryTransport transport = new MemoryTransport();

    RemoteOptions options() {
        return RemoteOptions.defaults()
                .withChunkSize(CHUNK)
                .withRetries(3, Duration.ofMillis(1))
                .withTransport(transport);
    }

    Memory64Store open(URI uri) throws Exception {
        MemoryLayout layout = MemoryLayout.builder().addRegion("remote", 2 * CHUNK).build();
        return Memory64Store.builder(layout)
                .withBacking("remote", RegionBacking.remote(uri, cache, options()))
                .build();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                // fault before the fetch, attempts the fetch takes, whether it then succeeds
                Arguments.of("a transient failure is tried again", List.of(Fault.TRANSIENT), 2),
                Arguments.of("an answer that ends early is tried again", List.of(Fault.SHORT), 2),
                Arguments.of("an answer past its range is tried again", List.of(Fault.LONG), 2),
                Arguments.of(
                        "two transient failures, then the third attempt",
                        List.of(Fault.TRANSIENT, Fault.SHORT),
                        3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aTransientFailureIsTriedAgainAndTheBytesAreExact(
            String rule, List<Fault> faults, int attempts) throws Exception {
        byte[] data = SmallModels.bytes((int) (2 * CHUNK), 3);
        transport.put(OBJECT, data);
        try (Memory64Store store = open(OBJECT)) {
            int before = transport.attempts.get();
            transport.faults.addAll(faults);
            byte[] got = new byte[(int) CHUNK];
            store.read(CHUNK, got);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) CHUNK, data.length), got);
            assertEquals(attempts, transport.attempts.get() - before, rule);
        }
    }

    @Test
    void transientFailuresThroughEveryAttemptFailNamingTheLastAndTheCount() throws Exception {
        transport.put(OBJECT, new byte[(int) CHUNK]);
        try (Memory64Store store = open(OBJECT)) {
            int before = transport.attempts.get();
            transport.faults.addAll(List.of(Fault.TRANSIENT, Fault.TRANSIENT, Fault.TRANSIENT));
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(0, new byte[1]));
            assertEquals(3, transport.attempts.get() - before);
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("tried 3 times"), e.getMessage());
            assertTrue(e.getMessage().contains(OBJECT.toString()), e.getMessage());
        }
    }

    @Test
    void aFatalFailureIsNotTriedAgain() throws Exception {
        transport.put(OBJECT, new byte[(int) CHUNK]);
        try (Memory64Store store = open(OBJECT)) {
            int before = transport.attempts.get();
            transport.faults.add(Fault.FATAL);
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(0, new byte[1]));
            assertEquals(1, transport.attempts.get() - before);
            assertEquals(403, e.status());
            byte[] one = new byte[1];
            store.read(0, one); // the chunk stayed absent: fetched again, now it answers
            assertEquals(2, transport.attempts.get() - before);
        }
        transport.faults.add(Fault.FATAL);
        assertThrows(RemoteFetchException.class, () -> open(OBJECT));
        assertThrows(RemoteFetchException.class, () -> open(URI.create("mem://bucket/none")));
    }

    @Test
    void theProbeIsTriedAgainAndAnExpectedVersionIsHeldToIt() throws Exception {
        transport.put(OBJECT, new byte[(int) CHUNK]);
        transport.faults.addAll(List.of(Fault.TRANSIENT, Fault.TRANSIENT));
        open(OBJECT).close();
        assertEquals(3, transport.attempts.get());
        RemoteIdentity pinned;
        try (RemoteObject object = RemoteObject.open(OBJECT, options())) {
            pinned = object.identity();
        }
        transport.put(OBJECT, new byte[(int) CHUNK]);
        MemoryLayout layout = MemoryLayout.builder().addRegion("remote", CHUNK).build();
        RemoteFetchException e =
                assertThrows(
                        RemoteFetchException.class,
                        () ->
                                Memory64Store.builder(layout)
                                        .withBacking(
                                                "remote",
                                                RegionBacking.remote(
                                                        OBJECT,
                                                        cache,
                                                        options().withExpected(pinned)))
                                        .build());
        assertTrue(e.getMessage().contains("not the expected"), e.getMessage());
    }

    @Test
    void anObjectReplacedAfterOpenIsRefusedNotMixed() throws Exception {
        transport.put(OBJECT, new byte[(int) (2 * CHUNK)]);
        try (Memory64Store store = open(OBJECT)) {
            store.read(0, new byte[1]);
            transport.put(OBJECT, new byte[(int) (2 * CHUNK)]);
            RemoteFetchException e =
                    assertThrows(RemoteFetchException.class, () -> store.read(CHUNK, new byte[1]));
            assertEquals(412, e.status());
        }
    }

    @Test
    void aSchemeNothingServesIsRefusedNamingTheModuleThatWould() {
        URI s3 = URI.create("s3://bucket/model.gguf");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RegionBacking.remote(s3, cache));
        assertTrue(e.getMessage().contains("memory64-s3 (module dev.memory64.s3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GgufModel.open(s3));
        assertTrue(e.getMessage().contains("open remote " + s3), e.getMessage());
        assertTrue(e.getMessage().contains("memory64-s3"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> RegionBacking.remote(URI.create("gopher://h/x"), cache));
        assertTrue(e.getMessage().contains("no RemoteTransportProvider"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GgufModel.open(URI.create("x")));
        assertTrue(e.getMessage().contains("no scheme"), e.getMessage());
    }

    static Stream<Arguments> shownUris() {
        return Stream.of(
                Arguments.of("https://h/m.gguf", "https://h/m.gguf"),
                Arguments.of("s3://bucket/dir/m.gguf", "s3://bucket/dir/m.gguf"),
                Arguments.of(
                        "https://h:9000/b/m.gguf?X-Amz-Credential=AKID%2F20261207&X-Amz-Signature=ab12",
                        "https://h:9000/b/m.gguf?X-Amz-Credential=…&X-Amz-Signature=…"),
                Arguments.of("https://user:pw@h/m.gguf?flag", "https://…@h/m.gguf?flag"));
    }

    @ParameterizedTest(name = "{0} is shown as {1}")
    @MethodSource("shownUris")
    void aQuerysValuesAndUserInfoNeverReachAMessageOrALog(String uri, String shown) {
        assertEquals(shown, RemoteUris.shown(URI.create(uri)));
        RemoteFetchException e =
                new RemoteFetchException(URI.create(uri), 0, 1, 403, "access is denied", null);
        assertTrue(e.getMessage().startsWith("fetch " + shown + " bytes=0-0"), e.getMessage());
        assertEquals(URI.create(uri), e.uri());
        assertTrue(
                RegionBacking.remote(URI.create(uri), cache, options()).toString().contains(shown));
    }
}
