package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.RemoteOptions;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.RangeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A guest's load from a remote region that cannot be served: HOST_RANGE, nothing written. */
class RemoteLoadAbiTest {
    private static final int CHUNK = 64 << 10;

    @TempDir Path cache;

    @Test
    void anUnservableLoadIsHostRangeWithNothingWrittenAndALaterLoadWorks() throws Exception {
        byte[] data = new byte[4 * CHUNK];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13 + (i >>> 9));
        }
        RemoteOptions options =
                RemoteOptions.defaults().withChunkSize(CHUNK).withRetries(2, Duration.ofMillis(1));
        MemoryLayout layout = MemoryLayout.builder().addRegion("r", data.length).build();
        try (RangeServer server = new RangeServer(data);
                Memory64Store store =
                        Memory64Store.builder(layout)
                                .withBacking(
                                        "r", RegionBacking.remote(server.uri(), cache, options))
                                .build()) {
            // Three chunks: the first present, the second failing, so a chunked copy would have
            // written the first before meeting the second.
            store.registerLayer(0, "spans", CHUNK / 2, 2 * CHUNK);
            store.read(0, new byte[CHUNK]);
            Memory64Abi abi = Memory64Abi.builder(store).build();
            HeapGuestMemory guest = new HeapGuestMemory(3 * CHUNK);
            Arrays.fill(guest.bytes, (byte) 0x5A);
            server.faults.addAll(List.of(503, 503, 503, 503));
            assertEquals(ErrorCode.HOST_RANGE.code(), abi.loadLayer(guest, 0, 4096, 2 * CHUNK));
            byte[] untouched = new byte[3 * CHUNK];
            Arrays.fill(untouched, (byte) 0x5A);
            assertArrayEquals(untouched, guest.bytes);
            assertEquals(1, store.stats().errors());

            server.faults.clear();
            assertEquals(2 * CHUNK, abi.loadLayer(guest, 0, 4096, 2 * CHUNK));
            assertArrayEquals(
                    Arrays.copyOfRange(data, CHUNK / 2, CHUNK / 2 + 2 * CHUNK),
                    Arrays.copyOfRange(guest.bytes, 4096, 4096 + 2 * CHUNK));
        }
    }
}
