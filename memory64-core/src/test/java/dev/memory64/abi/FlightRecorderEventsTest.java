package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.testkit.HeapGuestMemory;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guest loads, host reads and prefetches are Flight Recorder events with their values. */
class FlightRecorderEventsTest {

    @TempDir Path dir;

    @Test
    void shouldRecordGuestLoadsHostReadsAndPrefetches() throws Exception {
        List<RecordedEvent> events;
        try (Memory64Store store =
                        Memory64Store.builder(
                                        MemoryLayout.builder().addRegion("a", 64 * 1024).build())
                                .withName("jfr-store")
                                .build();
                Recording recording = new Recording()) {
            store.registerLayer(0, "blk.0", 0, 4096);
            store.write(0, new byte[4096]);
            recording.enable("dev.memory64.GuestLoad");
            recording.enable("dev.memory64.HostRead");
            recording.enable("dev.memory64.Prefetch");
            recording.start();
            Memory64Abi abi = Memory64Abi.builder(store).build();
            HeapGuestMemory guest = new HeapGuestMemory(64 * 1024);
            assertEquals(4096, abi.loadLayer(guest, 0, 0, 8192));
            assertEquals(ErrorCode.LAYER_NOT_FOUND.code(), abi.loadLayer(guest, 5, 0, 8192));
            assertEquals(100, abi.loadLayerRange(guest, 0, 1000, 0, 100));
            assertEquals(16, abi.read(guest, 64, 0, 16));
            store.read(128, new byte[32]);
            store.prefetch(0).get();
            recording.stop();
            Path file = dir.resolve("events.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        List<RecordedEvent> loads = named(events, "dev.memory64.GuestLoad");
        assertEquals(4, loads.size());
        RecordedEvent whole = loads.get(0);
        assertEquals("memory64_load_layer", whole.getString("function"));
        assertEquals(0, whole.getInt("layerId"));
        assertEquals(4096, whole.getInt("result"));
        assertEquals(-2, loads.get(1).getInt("result"));
        assertEquals(5, loads.get(1).getInt("layerId"));
        assertEquals("memory64_load_layer_range", loads.get(2).getString("function"));
        assertEquals(1000, loads.get(2).getLong("offset"));
        assertEquals(100, loads.get(2).getLong("bytes"));
        assertEquals(-1, loads.get(3).getInt("layerId"));

        List<RecordedEvent> reads = named(events, "dev.memory64.HostRead");
        assertEquals(1, reads.size(), "guest loads are not host reads");
        assertEquals("jfr-store", reads.get(0).getString("store"));
        assertEquals(128, reads.get(0).getLong("offset"));
        assertEquals(32, reads.get(0).getLong("bytes"));
        assertTrue(reads.get(0).getBoolean("succeeded"));

        List<RecordedEvent> prefetches = named(events, "dev.memory64.Prefetch");
        assertEquals(1, prefetches.size());
        assertEquals(4096, prefetches.get(0).getLong("bytes"));
        assertTrue(prefetches.get(0).getBoolean("completed"));
        assertFalse(prefetches.get(0).getDuration().isNegative());
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(name))
                .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                .toList();
    }
}
