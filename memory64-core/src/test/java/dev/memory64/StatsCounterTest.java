package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StatsCounterTest {

    @Test
    void shouldKeepItsCellsFixedWhileManyShortLivedThreadsCount() throws InterruptedException {
        StatsCounter counter = new StatsCounter(2);
        int cells = counter.cellCount();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int bytes = i;
            threads.add(
                    Thread.ofVirtual()
                            .start(
                                    () -> {
                                        counter.read(bytes);
                                        counter.write(1);
                                        counter.error();
                                    }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(cells, counter.cellCount());
        assertEquals(
                new Memory64Stats(10_000, 10_000, 10_000L * 9_999 / 2, 10_000, 10_000),
                counter.snapshot(0));
    }

    @Test
    void shouldNeverShowAnOperationWithoutItsBytes() throws InterruptedException {
        StatsCounter counter = new StatsCounter(1); // two cells for four writers: contended
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Memory64Stats> torn = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            writers.add(
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        for (int i = 0; i < 200_000; i++) {
                                            counter.read(8);
                                            counter.write(3);
                                        }
                                    }));
        }
        Thread reader =
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    while (!stop.get()) {
                                        Memory64Stats s = counter.snapshot(0);
                                        if (s.bytesRead() != 8 * s.reads()
                                                || s.bytesWritten() != 3 * s.writes()) {
                                            torn.set(s);
                                        }
                                    }
                                });
        for (Thread t : writers) {
            t.join();
        }
        stop.set(true);
        reader.join();
        assertEquals(null, torn.get());
        Memory64Stats end = counter.snapshot(0);
        assertEquals(new Memory64Stats(800_000, 800_000, 6_400_000, 2_400_000, 0), end);
    }

    @Test
    void shouldPadEveryCellToTwoCacheLines() {
        assertTrue(StatsCounter.STRIDE * Long.BYTES >= 128);
        assertTrue(new StatsCounter(64).cellCount() <= 64);
    }
}
