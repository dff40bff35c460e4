package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import dev.memory64.AlreadyClosedException;
import dev.memory64.chicory.SegmentMemory.Backing;
import dev.memory64.testkit.ProcStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What only {@link SegmentMemory} does: backings, lifecycle, the segment, and refusals. */
class SegmentMemoryTest {

    private static final int PAGE = Memory.PAGE_SIZE;
    private static final long MIB = 1 << 20;

    @ParameterizedTest
    @EnumSource(Backing.class)
    void acceptsSharedMemoriesWhoseBytesNeverMove(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 4, true), backing)) {
            assertTrue(memory.shared());
            assertTrue(memory.toString().contains("shared"), memory.toString());
            MemorySegment before = memory.segment();
            memory.writeI32(8, 42);
            assertEquals(1, memory.grow(3));
            assertEquals(before.address(), memory.segment().address());
            assertEquals(4L * PAGE, memory.segment().byteSize());
            assertEquals(42, before.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void atomicsOfEveryWidthLoseNoUpdateUnderContention(Backing backing) throws Exception {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1, true), backing)) {
            int threads = 4;
            int n = 5000;
            CountDownLatch gate = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                started.add(
                        Thread.ofPlatform()
                                .start(
                                        () -> {
                                            try {
                                                gate.await();
                                                for (int i = 0; i < n; i++) {
                                                    // Four lanes of the word at 16, and wider ones.
                                                    memory.atomicAddByte(16, (byte) 1);
                                                    memory.atomicXorByte(17, (byte) 1);
                                                    memory.atomicAddShort(18, (short) 3);
                                                    memory.atomicAddInt(24, 1);
                                                    memory.atomicAddLong(32, 1L << 33);
                                                    long old;
                                                    do {
                                                        old = memory.atomicReadLong(40);
                                                    } while (memory.atomicCmpxchgLong(
                                                                    40, old, old + 1)
                                                            != old);
                                                }
                                            } catch (Throwable e) {
                                                failure.compareAndSet(null, e);
                                            }
                                        }));
            }
            gate.countDown();
            for (Thread thread : started) {
                thread.join();
            }
            assertEquals(null, failure.get());
            int total = threads * n;
            assertEquals((byte) total, memory.atomicReadByte(16));
            assertEquals(0, memory.atomicReadByte(17));
            assertEquals((short) (3 * total), memory.atomicReadShort(18));
            assertEquals(total, memory.atomicReadInt(24));
            assertEquals((long) total << 33, memory.atomicReadLong(32));
            assertEquals(total, memory.atomicReadLong(40));
            assertEquals(0, memory.readInt(20));
        }
    }

    @Test
    void atomicsAtUnalignedAddressesWorkForTheHost() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1))) {
            memory.atomicWriteInt(1, 0x01020304);
            assertEquals(0x01020304, memory.atomicAddInt(1, 1));
            assertEquals(0x01020305, memory.readInt(1));
            assertEquals((short) 0x0305, memory.atomicCmpxchgShort(1, (short) 0x0305, (short) 7));
            assertEquals(7, memory.atomicReadShort(1));
            assertEquals(0, memory.atomicXchgLong(PAGE - 9, -1L));
            assertEquals(-1L, memory.readLong(PAGE - 9));
            MemoryContractTest.assertOutOfBounds(() -> memory.atomicReadInt(PAGE - 3));
        }
    }

    @Test
    void notifyOnASharedMemoryChecksTheAddress() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 2, true))) {
            assertEquals(0, memory.atomicNotify(PAGE - 4, 1));
            assertEquals(
                    MemoryContractTest.outOfBoundsMessage(PAGE, PAGE, 4),
                    MemoryContractTest.assertOutOfBounds(() -> memory.atomicNotify(PAGE, 1))
                            .getMessage());
            MemoryContractTest.assertOutOfBounds(() -> memory.atomicWait(PAGE, 0, 0L));
        }
    }

    /**
     * Starts a thread that runs a wait: what the wait throws goes to {@code failure}, and whether
     * its thread was interrupted then to {@code interrupted}.
     */
    private static Thread startWaiter(
            Runnable wait,
            AtomicReference<Throwable> failure,
            AtomicReference<Boolean> interrupted) {
        return Thread.ofPlatform()
                .start(
                        () -> {
                            try {
                                wait.run();
                            } catch (Throwable e) {
                                failure.set(e);
                                interrupted.set(Thread.currentThread().isInterrupted());
                            }
                        });
    }

    @Test
    void closingASharedMemoryWakesItsWaitersWithAlreadyClosed() throws Exception {
        SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1, true));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter =
                startWaiter(() -> memory.atomicWait(64, 0L, -1L), failure, new AtomicReference<>());
        // Closed before or during the wait, the waiter fails either way and never hangs.
        memory.close();
        waiter.join();
        AlreadyClosedException e = assertInstanceOf(AlreadyClosedException.class, failure.get());
        assertEquals("atomicWait address=64 size=8: this SegmentMemory is closed", e.getMessage());
    }

    @Test
    void anInterruptedWaitFailsAsTheRuntimeDoesAndKeepsTheInterrupt() throws Exception {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1, true))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> interrupted = new AtomicReference<>();
            Thread waiter = startWaiter(() -> memory.atomicWait(0, 0, -1L), failure, interrupted);
            // Interrupted before or during the wait, the wait ends either way.
            waiter.interrupt();
            waiter.join();
            assertInstanceOf(ChicoryInterruptedException.class, failure.get());
            assertEquals(Boolean.TRUE, interrupted.get());
            assertEquals(0, memory.atomicNotify(0, 1));
        }
    }

    @Test
    void rejectsInitialPagesBeyondTheRuntimeMaximum() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SegmentMemory.of(new MemoryLimits(40_000, 65_536)));
        assertTrue(e.getMessage().contains("40000"), e.getMessage());
        assertTrue(e.getMessage().contains("32767"), e.getMessage());
    }

    @Test
    void rejectsNullArguments() {
        assertThrows(NullPointerException.class, () -> SegmentMemory.of(null));
        assertThrows(
                NullPointerException.class, () -> SegmentMemory.of(new MemoryLimits(1, 1), null));
        assertThrows(NullPointerException.class, () -> SegmentMemory.factory(null));
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void createsTheBackingAskedFor(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 4), backing)) {
            assertEquals(backing, memory.backing());
            assertTrue(memory.toString().contains("pages=1"), memory.toString());
            assertTrue(memory.toString().contains(backing.name().toLowerCase()), memory.toString());
        }
    }

    @Test
    void factoryCreatesSegmentMemories() {
        Memory memory = SegmentMemory.factory(Backing.ALLOCATED).apply(new MemoryLimits(2, 3));
        try (SegmentMemory segmentMemory = (SegmentMemory) memory) {
            assertEquals(Backing.ALLOCATED, segmentMemory.backing());
            assertEquals(2, segmentMemory.pages());
        }
    }

    @Test
    void fallsBackToAllocatedWhenNoDirectoryCanHoldTheReservation(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        try (SegmentMemory memory =
                SegmentMemory.create(new MemoryLimits(1, 2), null, List.of(missing))) {
            assertEquals(Backing.ALLOCATED, memory.backing());
            assertEquals(1, memory.grow(1));
            memory.writeLong(2 * PAGE - 8, 42);
            assertEquals(42, memory.readLong(2 * PAGE - 8));
        }
    }

    @Test
    void reservedFailsWhenNoDirectoryCanHoldTheReservation(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        UncheckedIOException e =
                assertThrows(
                        UncheckedIOException.class,
                        () ->
                                SegmentMemory.create(
                                        new MemoryLimits(1, 2),
                                        Backing.RESERVED,
                                        List.of(missing)));
        assertTrue(e.getMessage().contains(String.valueOf(2 * PAGE)), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertEquals(1, e.getCause().getSuppressed().length);
    }

    @Test
    void aReservationLeavesNoFileBehind(@TempDir Path dir) throws IOException {
        try (SegmentMemory memory =
                SegmentMemory.create(new MemoryLimits(1, 16), Backing.RESERVED, List.of(dir))) {
            memory.writeI32(0, 1);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
            memory.zero();
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void segmentIsExactlyTheCurrentPagesAndSharesTheirBytes(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 4), backing)) {
            assertEquals(PAGE, memory.segment().byteSize());
            memory.writeI32(PAGE - 4, 0x01020304);
            assertEquals(1, memory.grow(2));
            MemorySegment segment = memory.segment();
            assertEquals(3L * PAGE, segment.byteSize());
            assertEquals((byte) 0x04, segment.get(ValueLayout.JAVA_BYTE, PAGE - 4));
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 3L * PAGE - 8, -7L);
            assertEquals(-7L, memory.readLong(3 * PAGE - 8));
            assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> segment.get(ValueLayout.JAVA_BYTE, 3L * PAGE));
        }
    }

    @Test
    void reservedGrowMovesOnlyTheLimit() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 64), Backing.RESERVED)) {
            MemorySegment before = memory.segment();
            before.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 99);
            assertEquals(1, memory.grow(63));
            assertEquals(before.address(), memory.segment().address());
            assertEquals(99, before.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        }
    }

    @Test
    void allocatedGrowMayReleaseAnOlderSegmentWhichThenThrows() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 4), Backing.ALLOCATED)) {
            MemorySegment before = memory.segment();
            memory.writeI32(8, 5);
            assertEquals(1, memory.grow(1));
            assertEquals(5, memory.readInt(8));
            assertThrows(IllegalStateException.class, () -> before.get(ValueLayout.JAVA_INT, 8));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void aHostCopyIntoTheSegmentIsReadByTheMemory(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(2, 2), backing);
                Arena arena = Arena.ofConfined()) {
            MemorySegment layer = arena.allocate(PAGE);
            for (int i = 0; i < PAGE; i++) {
                layer.set(ValueLayout.JAVA_BYTE, i, MemoryContractTest.pattern(i));
            }
            MemorySegment.copy(layer, 0, memory.segment(), PAGE / 2, PAGE);
            assertArrayEquals(
                    layer.toArray(ValueLayout.JAVA_BYTE), memory.readBytes(PAGE / 2, PAGE));
        }
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void anEmptyMemoryWithNoRoomToGrowWorks(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(0, 0), backing)) {
            assertEquals(0, memory.pages());
            assertEquals(0, memory.segment().byteSize());
            assertEquals(-1, memory.grow(1));
            assertEquals(0, memory.grow(0));
            memory.zero();
            MemoryContractTest.assertOutOfBounds(() -> memory.read(0));
            assertArrayEquals(new byte[0], memory.readBytes(0, 0));
        }
    }

    static List<Consumer<SegmentMemory>> everyAccess() {
        return List.of(
                m -> m.read(0),
                m -> m.writeByte(0, (byte) 1),
                m -> m.readShort(0),
                m -> m.readU16(0),
                m -> m.writeShort(0, (short) 1),
                m -> m.readInt(0),
                m -> m.writeI32(0, 1),
                m -> m.readLong(0),
                m -> m.writeLong(0, 1),
                m -> m.readFloat(0),
                m -> m.readF32(0),
                m -> m.writeF32(0, 1),
                m -> m.readDouble(0),
                m -> m.readF64(0),
                m -> m.writeF64(0, 1),
                m -> m.readBytes(0, 4),
                m -> m.write(0, new byte[4]),
                m -> m.fill((byte) 1, 0, 4),
                m -> m.copy(4, 0, 4),
                m -> m.zero(),
                m -> m.grow(1),
                m -> m.segment(),
                m -> m.initialize(null, new DataSegment[0]),
                m -> m.atomicAddInt(0, 1),
                m -> m.atomicReadLong(8),
                m -> m.atomicWriteShort(2, (short) 1),
                m -> m.atomicCmpxchgByte(1, (byte) 0, (byte) 1),
                m -> m.atomicXorLong(3, 1),
                m -> m.atomicNotify(0, 1),
                m -> m.atomicWait(0, 0, 0L),
                m -> m.readInt(PAGE),
                m -> m.fill((byte) 1, 0, PAGE + 1));
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void everyAccessAfterCloseFailsWithAlreadyClosed(Backing backing) {
        SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 2), backing);
        memory.close();
        assertTrue(memory.isClosed());
        List<Consumer<SegmentMemory>> accesses = everyAccess();
        for (int i = 0; i < accesses.size(); i++) {
            Consumer<SegmentMemory> access = accesses.get(i);
            AlreadyClosedException e =
                    assertThrows(
                            AlreadyClosedException.class,
                            () -> access.accept(memory),
                            "access " + i);
            assertTrue(e.getMessage().contains("closed"), "access " + i + ": " + e.getMessage());
        }
        assertEquals(
                "readLong address=65528 size=8: this SegmentMemory is closed",
                assertThrows(AlreadyClosedException.class, () -> memory.readLong(PAGE - 8))
                        .getMessage());
        assertEquals(
                "fill address=16 size=4: this SegmentMemory is closed",
                assertThrows(AlreadyClosedException.class, () -> memory.fill((byte) 0, 16, 20))
                        .getMessage());
        assertEquals(1, memory.pages());
        assertEquals(2, memory.maximumPages());
        assertTrue(memory.toString().contains("closed"), memory.toString());
    }

    @Test
    void closeIsIdempotent() {
        SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1));
        assertFalse(memory.isClosed());
        memory.close();
        memory.close();
        assertTrue(memory.isClosed());
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void closingWhileAnotherThreadAccessesMakesThatThreadFailCleanly(Backing backing)
            throws InterruptedException {
        SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1), backing);
        CountDownLatch accessing = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader =
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    try {
                                        for (long i = 0; ; i++) {
                                            memory.writeLong(8, i);
                                            memory.readLong(8);
                                            memory.copy(1024, 0, 4096);
                                            accessing.countDown();
                                        }
                                    } catch (Throwable t) {
                                        failure.set(t);
                                    }
                                });
        accessing.await();
        memory.close();
        reader.join();
        assertTrue(failure.get() instanceof AlreadyClosedException, String.valueOf(failure.get()));
        assertTrue(failure.get().getMessage().contains("closed"), failure.get().getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backing.class)
    void bulkAccessesWhoseEndPassesTheIntRangeAreOutOfBoundsAndChangeNothing(Backing backing) {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 2), backing)) {
            MemoryContractTest.writePattern(memory, 0, PAGE);
            memory.initialize(null, new DataSegment[] {new PassiveDataSegment(new byte[16])});
            byte[] before = MemoryContractTest.snapshot(memory);
            int huge = Integer.MAX_VALUE;
            MemoryContractTest.assertOutOfBounds(() -> memory.fill((byte) 0, 100, 100 + huge));
            MemoryContractTest.assertOutOfBounds(() -> memory.copy(100, 200, huge - 50));
            MemoryContractTest.assertOutOfBounds(() -> memory.readBytes(100, huge - 50));
            MemoryContractTest.assertOutOfBounds(() -> memory.initPassiveSegment(0, 100, 8, huge));
            assertArrayEquals(before, MemoryContractTest.snapshot(memory));
        }
    }

    @Test
    void outOfBoundsMessagesPrintAddressesAndSizesUnsigned() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1))) {
            assertEquals(
                    MemoryContractTest.outOfBoundsMessage(4294967292L, PAGE, 4),
                    MemoryContractTest.assertOutOfBounds(() -> memory.readInt(-4)).getMessage());
            assertEquals(
                    MemoryContractTest.outOfBoundsMessage(0, PAGE, 4294967295L),
                    MemoryContractTest.assertOutOfBounds(() -> memory.readBytes(0, -1))
                            .getMessage());
        }
    }

    @Test
    void aDataSegmentOfNoInitializedModuleIsUnknown() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1))) {
            WasmRuntimeException e =
                    assertThrows(
                            WasmRuntimeException.class,
                            () -> memory.initPassiveSegment(0, 0, 0, 0));
            assertTrue(e.getMessage().contains("unknown data segment 0"), e.getMessage());
            assertThrows(WasmRuntimeException.class, () -> memory.drop(0));
        }
    }

    @Test
    @SuppressWarnings("removal")
    void deprecatedWaitAndNotifyBehaveAsTheAtomicOnes() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1))) {
            assertThrows(ChicoryException.class, () -> memory.waitOn(0, 0, 0L));
            assertThrows(ChicoryException.class, () -> memory.waitOn(0, 0L, 0L));
            assertEquals(0, memory.notify(0, 3));
            assertSame(memory.lock(0), memory.lock(PAGE - 4));
        }
    }

    @Test
    void aOneGibMaximumCostsAlmostNothingUntilTouched() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
        long start = ProcStatus.residentBytes();
        try (SegmentMemory memory =
                SegmentMemory.of(new MemoryLimits(1, 16_384), Backing.RESERVED)) {
            assertEquals(1, memory.grow(16_383));
            assertEquals(1L << 30, memory.segment().byteSize());
            memory.writeLong((1 << 30) - 8, 1);
            long reserved = ProcStatus.residentBytes();
            assertTrue(
                    reserved - start < 32 * MIB,
                    "1 GiB reserved, grown and touched at both ends cost "
                            + (reserved - start)
                            + " resident bytes");

            // The measure can see a cost: touching 64 MiB shows up.
            memory.fill((byte) 1, 0, (int) (64 * MIB));
            long touched = ProcStatus.residentBytes();
            assertTrue(
                    touched - reserved > 48 * MIB,
                    "touching 64 MiB cost only " + (touched - reserved) + " resident bytes");

            memory.zero();
            long zeroed = ProcStatus.residentBytes();
            assertTrue(
                    touched - zeroed > 48 * MIB,
                    "zero() released only " + (touched - zeroed) + " of 64 MiB resident bytes");
            assertEquals(0, memory.read(0));
            assertEquals(0, memory.readLong((1 << 30) - 8));
        }
    }

    @Test
    void zeroOnTheReservedBackingReplacesTheSegment() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 1), Backing.RESERVED)) {
            MemorySegment before = memory.segment();
            memory.writeI32(0, 7);
            memory.zero();
            assertNotEquals(before.address(), memory.segment().address());
            assertThrows(IllegalStateException.class, () -> before.get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, memory.readInt(0));
        }
    }
}
