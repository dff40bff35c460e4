package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every Chicory {@link Memory} shares, run over {@link SegmentMemory} (each backing)
 * and over Chicory's own {@code ByteBufferMemory} and {@code ByteArrayMemory}, so that every
 * assertion is also checked against Chicory's behaviour.
 */
abstract class MemoryContractTest {

    static final int PAGE = Memory.PAGE_SIZE;
    static final String OUT_OF_BOUNDS = "out of bounds memory access";

    private final List<Memory> created = new ArrayList<>();

    /** Creates the memory under test. */
    abstract Memory create(MemoryLimits limits);

    /** Whether the contract runs over shared memories (threads proposal). */
    boolean shared() {
        return false;
    }

    /** A memory of pages (at most two) holding the {@link #pattern} from address 0. */
    final Memory patterned(int pages) {
        Memory memory = memory(pages, 2);
        writePattern(memory, 0, pages * PAGE);
        return memory;
    }

    final Memory memory(int initialPages, int maximumPages) {
        Memory memory = create(new MemoryLimits(initialPages, maximumPages, shared()));
        created.add(memory);
        return memory;
    }

    @AfterEach
    void closeMemories() throws Exception {
        for (Memory memory : created) {
            if (memory instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    static WasmRuntimeException assertOutOfBounds(Executable access) {
        WasmRuntimeException e = assertThrows(WasmRuntimeException.class, access);
        assertTrue(e.getMessage().startsWith(OUT_OF_BOUNDS), e.getMessage());
        return e;
    }

    /** Asserts that the access fails naming Chicory's message for this address, limit and size. */
    static void assertOutOfBoundsAt(long address, long limit, long size, Executable access) {
        assertEquals(
                outOfBoundsMessage(address, limit, size), assertOutOfBounds(access).getMessage());
    }

    static String outOfBoundsMessage(long address, long limit, long size) {
        return OUT_OF_BOUNDS
                + ": attempted to access address: "
                + address
                + " but limit is: "
                + limit
                + " and size: "
                + size;
    }

    /** A recognisable, non-zero byte for address {@code i}. */
    static byte pattern(int i) {
        return (byte) (i * 31 + 7);
    }

    static void writePattern(Memory memory, int from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = pattern(from + i);
        }
        memory.write(from, bytes);
    }

    static byte[] snapshot(Memory memory) {
        return memory.readBytes(0, memory.pages() * PAGE);
    }

    /** One access width, with its write and its reads; values are the raw bits, zero-extended. */
    enum Width {
        BYTE(1),
        SHORT(2),
        INT(4),
        LONG(8),
        FLOAT(4),
        DOUBLE(8);

        final int bytes;

        Width(int bytes) {
            this.bytes = bytes;
        }

        void write(Memory memory, int address, long bits) {
            switch (this) {
                case BYTE -> memory.writeByte(address, (byte) bits);
                case SHORT -> memory.writeShort(address, (short) bits);
                case INT -> memory.writeI32(address, (int) bits);
                case LONG -> memory.writeLong(address, bits);
                case FLOAT -> memory.writeF32(address, Float.intBitsToFloat((int) bits));
                case DOUBLE -> memory.writeF64(address, Double.longBitsToDouble(bits));
            }
        }

        /** Reads with every reader of this width, checks they agree, returns the bits. */
        long read(Memory memory, int address) {
            long bits =
                    switch (this) {
                        case BYTE -> memory.read(address) & 0xFFL;
                        case SHORT -> memory.readShort(address) & 0xFFFFL;
                        case INT -> Integer.toUnsignedLong(memory.readInt(address));
                        case LONG -> memory.readLong(address);
                        case FLOAT ->
                                Integer.toUnsignedLong(
                                        Float.floatToRawIntBits(memory.readFloat(address)));
                        case DOUBLE -> Double.doubleToRawLongBits(memory.readDouble(address));
                    };
            // The other readers: unsigned and signed for the integers, the raw bits for floats.
            List<Long> others =
                    switch (this) {
                        case BYTE -> List.of(memory.readU8(address), memory.readI8(address));
                        case SHORT -> List.of(memory.readU16(address), memory.readI16(address));
                        case INT -> List.of(memory.readU32(address), memory.readI32(address));
                        case LONG -> List.of(memory.readI64(address));
                        case FLOAT -> List.of(memory.readF32(address));
                        case DOUBLE -> List.of(memory.readF64(address));
                    };
            List<Long> expected =
                    switch (this) {
                        case BYTE -> List.of(bits, (long) (byte) bits);
                        case SHORT -> List.of(bits, (long) (short) bits);
                        case INT -> List.of(bits, (long) (int) bits);
                        // readF32 sign-extends the bits
                        case FLOAT -> List.of((long) (int) bits);
                        case LONG, DOUBLE -> List.of(bits);
                    };
            assertEquals(expected, others, name() + " readers");
            return bits;
        }

        /**
         * Bits with the top bit of this width set (to catch sign extension) and, for floats, a
         * signalling NaN with a payload (to catch NaN canonicalisation).
         */
        long sample() {
            return switch (this) {
                case BYTE -> 0x81L;
                case SHORT -> 0x8281L;
                case INT -> 0x84838281L;
                case LONG -> 0x8887868584838281L;
                case FLOAT -> 0x7FA00001L;
                case DOUBLE -> 0x7FF4000000000001L;
            };
        }

        /** The little-endian bytes of {@link #sample()}. */
        byte[] sampleBytes() {
            byte[] bytes = new byte[this.bytes];
            for (int i = 0; i < this.bytes; i++) {
                bytes[i] = (byte) (sample() >>> (8 * i));
            }
            return bytes;
        }
    }

    @ParameterizedTest
    @EnumSource(Width.class)
    void roundTripsEveryWidthLittleEndianFromFirstToLastValidAddress(Width width) {
        Memory memory = memory(2, 4);
        int size = 2 * PAGE;
        int[] addresses = {0, 1, 12_345, PAGE - width.bytes / 2 - 1, PAGE - 1, size - width.bytes};
        for (int address : addresses) {
            width.write(memory, address, width.sample());
            assertEquals(width.sample(), width.read(memory, address), "at " + address);
            assertArrayEquals(
                    width.sampleBytes(), memory.readBytes(address, width.bytes), "at " + address);
        }
    }

    @ParameterizedTest
    @EnumSource(Width.class)
    void rejectsEveryWidthThatReachesPastTheEndAndWritesNothing(Width width) {
        Memory memory = memory(1, 2);
        writePattern(memory, PAGE - 16, 16);
        byte[] before = snapshot(memory);
        List<Integer> addresses = new ArrayList<>();
        for (int straddling = PAGE - width.bytes + 1; straddling < PAGE; straddling++) {
            addresses.add(straddling);
        }
        addresses.addAll(List.of(PAGE, PAGE + 1, 2 * PAGE, 1 << 30));
        for (int address : addresses) {
            assertOutOfBounds(() -> width.read(memory, address));
            assertOutOfBounds(() -> width.write(memory, address, width.sample()));
        }
        assertArrayEquals(before, snapshot(memory));
    }

    @ParameterizedTest
    @EnumSource(Width.class)
    void readsNegativeAddressesAsUnsignedAndRejectsThem(Width width) {
        Memory memory = memory(1, 1);
        byte[] before = snapshot(memory);
        int[] addresses = {-1, -width.bytes, -PAGE, Integer.MIN_VALUE, Integer.MAX_VALUE};
        for (int address : addresses) {
            assertOutOfBounds(() -> width.read(memory, address));
            assertOutOfBounds(() -> width.write(memory, address, width.sample()));
        }
        assertArrayEquals(before, snapshot(memory));
    }

    @Test
    void reportsAnAccessAtTheLimitWithChicorysMessage() {
        Memory memory = memory(1, 2);
        assertOutOfBoundsAt(PAGE, PAGE, 4, () -> memory.readInt(PAGE));
        assertOutOfBoundsAt(PAGE, PAGE, 8, () -> memory.writeLong(PAGE, 1));
        assertOutOfBoundsAt(PAGE, PAGE, 1, () -> memory.read(PAGE));
    }

    @Test
    void reportsItsLimits() {
        Memory memory = memory(2, 5);
        assertEquals(2, memory.initialPages());
        assertEquals(2, memory.pages());
        assertEquals(5, memory.maximumPages());
        assertEquals(shared(), memory.shared());
    }

    @Test
    void growReturnsThePreviousPageCount() {
        Memory memory = memory(1, 4);
        assertEquals(1, memory.grow(2));
        assertEquals(3, memory.pages());
        assertEquals(3, memory.grow(1));
        assertEquals(4, memory.pages());
    }

    @Test
    void growByZeroReturnsTheCurrentPageCount() {
        Memory memory = memory(2, 2);
        assertEquals(2, memory.grow(0));
        assertEquals(2, memory.pages());
    }

    @Test
    void growPastTheMaximumFailsAndChangesNothing() {
        Memory memory = memory(1, 3);
        writePattern(memory, 0, PAGE);
        byte[] before = snapshot(memory);
        assertEquals(-1, memory.grow(3));
        assertEquals(1, memory.pages());
        assertOutOfBounds(() -> memory.read(PAGE));
        assertArrayEquals(before, snapshot(memory));
        assertEquals(1, memory.grow(2));
        assertEquals(-1, memory.grow(1));
        assertEquals(3, memory.pages());
    }

    @Test
    void growByAnUnsignedHugeCountFails() {
        Memory memory = memory(1, 3);
        for (int pages : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 65_536}) {
            assertEquals(-1, memory.grow(pages), "grow(" + pages + ")");
        }
        assertEquals(1, memory.pages());
    }

    @Test
    void capsTheMaximumAtTheRuntimeMaximum() {
        // A shared memory must declare a maximum: the largest one.
        Memory memory = create(shared() ? new MemoryLimits(1, 65_536, true) : new MemoryLimits(1));
        created.add(memory);
        assertEquals(Memory.RUNTIME_MAX_PAGES, memory.maximumPages());
        assertEquals(-1, memory.grow(Memory.RUNTIME_MAX_PAGES));
        assertEquals(1, memory.pages());
    }

    @Test
    void newPagesAreZeroAndUsable() {
        Memory memory = memory(1, 3);
        writePattern(memory, 0, PAGE);
        assertEquals(1, memory.grow(2));
        assertArrayEquals(new byte[2 * PAGE], memory.readBytes(PAGE, 2 * PAGE));
        memory.writeLong(3 * PAGE - 8, -2L);
        assertEquals(-2L, memory.readLong(3 * PAGE - 8));
        memory.writeI32(PAGE - 2, 0x44332211);
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44}, memory.readBytes(PAGE - 2, 4));
    }

    @Test
    void zeroClearsEveryByteAndKeepsTheSize() {
        Memory memory = memory(2, 3);
        writePattern(memory, 0, 2 * PAGE);
        memory.zero();
        assertEquals(2, memory.pages());
        assertArrayEquals(new byte[2 * PAGE], snapshot(memory));
        memory.writeI32(2 * PAGE - 4, 7);
        assertEquals(7, memory.readInt(2 * PAGE - 4));
    }

    @Test
    void fillWritesExactlyTheRange() {
        Memory memory = patterned(2);
        byte[] expected = snapshot(memory);
        memory.fill((byte) 0xAB, PAGE - 10, PAGE + 10);
        Arrays.fill(expected, PAGE - 10, PAGE + 10, (byte) 0xAB);
        memory.fill((byte) 0x01, 2 * PAGE - 3, 2 * PAGE);
        Arrays.fill(expected, 2 * PAGE - 3, 2 * PAGE, (byte) 0x01);
        memory.fill((byte) 0x02, 2 * PAGE, 2 * PAGE);
        assertArrayEquals(expected, snapshot(memory));
    }

    @Test
    void fillOutOfBoundsWritesNothing() {
        Memory memory = patterned(1);
        byte[] before = snapshot(memory);
        assertOutOfBoundsAt(PAGE - 10, PAGE, 11, () -> memory.fill((byte) 1, PAGE - 10, PAGE + 1));
        assertOutOfBounds(() -> memory.fill((byte) 1, PAGE + 1, PAGE + 1));
        assertOutOfBounds(() -> memory.fill((byte) 1, 10, 5));
        assertOutOfBounds(() -> memory.fill((byte) 1, -1, 0));
        assertArrayEquals(before, snapshot(memory));
    }

    @Test
    void copyMovesBytesWithoutOverlap() {
        Memory memory = patterned(2);
        byte[] expected = snapshot(memory);
        memory.copy(PAGE + 100, 10, 300);
        System.arraycopy(expected, 10, expected, PAGE + 100, 300);
        assertArrayEquals(expected, snapshot(memory));
    }

    @Test
    void copyHandlesOverlapInBothDirectionsAcrossPages() {
        Memory memory = patterned(2);
        byte[] expected = snapshot(memory);
        memory.copy(PAGE - 50, PAGE - 100, 200);
        System.arraycopy(expected, PAGE - 100, expected, PAGE - 50, 200);
        assertArrayEquals(expected, snapshot(memory));
        memory.copy(PAGE - 130, PAGE - 80, 200);
        System.arraycopy(expected, PAGE - 80, expected, PAGE - 130, 200);
        assertArrayEquals(expected, snapshot(memory));
        memory.copy(2 * PAGE - 5, 2 * PAGE - 5, 5);
        memory.copy(2 * PAGE, 0, 0);
        assertArrayEquals(expected, snapshot(memory));
    }

    @Test
    void copyOutOfBoundsWritesNothing() {
        Memory memory = patterned(1);
        byte[] before = snapshot(memory);
        assertOutOfBoundsAt(PAGE - 4, PAGE, 8, () -> memory.copy(PAGE - 4, 0, 8));
        assertOutOfBoundsAt(PAGE - 4, PAGE, 8, () -> memory.copy(0, PAGE - 4, 8));
        assertOutOfBounds(() -> memory.copy(PAGE + 1, 0, 0));
        assertOutOfBounds(() -> memory.copy(0, 0, -1));
        assertOutOfBounds(() -> memory.copy(-8, 0, 4));
        assertArrayEquals(before, snapshot(memory));
    }

    @Test
    void writesAndReadsByteRanges() {
        Memory memory = memory(2, 2);
        byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
        memory.write(PAGE - 3, data, 2, 6);
        assertArrayEquals(
                "234567".getBytes(StandardCharsets.US_ASCII), memory.readBytes(PAGE - 3, 6));
        memory.write(2 * PAGE - data.length, data);
        assertArrayEquals(data, memory.readBytes(2 * PAGE - data.length, data.length));
        assertArrayEquals(new byte[0], memory.readBytes(2 * PAGE, 0));
        memory.write(2 * PAGE, data, 0, 0);
    }

    @Test
    void rejectsByteRangesOutOfBoundsAndWritesNothing() {
        Memory memory = patterned(1);
        byte[] before = snapshot(memory);
        byte[] data = new byte[8];
        assertOutOfBoundsAt(PAGE - 4, PAGE, 8, () -> memory.write(PAGE - 4, data));
        assertOutOfBoundsAt(PAGE - 4, PAGE, 8, () -> memory.readBytes(PAGE - 4, 8));
        assertOutOfBounds(() -> memory.readBytes(PAGE + 1, 0));
        assertOutOfBounds(() -> memory.readBytes(-1, 1));
        assertOutOfBounds(() -> memory.readBytes(0, -1));
        assertOutOfBounds(() -> memory.write(PAGE + 1, data, 0, 0));
        assertOutOfBounds(() -> memory.write(-4, data, 0, 4));
        assertArrayEquals(before, snapshot(memory));
    }

    @Test
    void rejectsASourceRangeOutsideTheArrayAsOutOfBounds() {
        Memory memory = memory(1, 1);
        byte[] data = new byte[4];
        assertOutOfBoundsAt(2, 4, 3, () -> memory.write(0, data, 2, 3));
        assertOutOfBounds(() -> memory.write(0, data, -1, 1));
        assertOutOfBounds(() -> memory.write(0, data, 0, -1));
        assertArrayEquals(new byte[PAGE], snapshot(memory));
    }

    @Test
    void writesAndReadsStrings() {
        Memory memory = memory(1, 1);
        String text = "Grüße, 世界";
        memory.writeString(100, text);
        int length = text.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(text, memory.readString(100, length));
        memory.writeString(300, "café", StandardCharsets.ISO_8859_1);
        assertEquals("café", memory.readString(300, 4, StandardCharsets.ISO_8859_1));
        memory.writeCString(500, text);
        assertEquals(text, memory.readCString(500));
        assertEquals(0, memory.read(500 + length));
        memory.writeCString(700, "café", StandardCharsets.ISO_8859_1);
        assertEquals("café", memory.readCString(700, StandardCharsets.ISO_8859_1));
    }

    @Test
    void rejectsStringsOutOfBounds() {
        Memory memory = memory(1, 1);
        assertOutOfBounds(() -> memory.writeString(PAGE - 2, "abc"));
        assertOutOfBounds(() -> memory.readString(PAGE - 2, 3));
        memory.fill((byte) 'a', PAGE - 10, PAGE);
        assertOutOfBounds(() -> memory.readCString(PAGE - 10));
    }

    static ActiveDataSegment active(int memoryIndex, int offset, byte[] data) {
        Instruction constant = new Instruction(-1, OpCode.I32_CONST, new long[] {offset});
        return new ActiveDataSegment(memoryIndex, List.of(constant), data);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void initializeWritesTheActiveSegmentsOfItsMemoryIndexOnly() {
        Memory memory = memory(1, 1);
        DataSegment[] segments = {
            active(0, 16, ascii("first")),
            new PassiveDataSegment(ascii("passive")),
            active(1, 32, ascii("other memory")),
            active(0, PAGE - 4, ascii("last")),
            active(0, PAGE, new byte[0]),
        };
        memory.initialize(null, segments);
        assertEquals("first", memory.readString(16, 5));
        assertEquals("last", memory.readString(PAGE - 4, 4));
        assertArrayEquals(new byte[12], memory.readBytes(32, 12));

        Memory second = memory(1, 1);
        second.initialize(null, segments, 1);
        assertEquals("other memory", second.readString(32, 12));
        assertArrayEquals(new byte[5], second.readBytes(16, 5));
    }

    @Test
    void initializeRejectsAnActiveSegmentOutOfBoundsAsUninstantiable() {
        Memory memory = memory(1, 1);
        DataSegment[] segments = {active(0, 8, ascii("kept")), active(0, PAGE - 2, ascii("abc"))};
        UninstantiableException e =
                assertThrows(
                        UninstantiableException.class, () -> memory.initialize(null, segments));
        assertEquals(outOfBoundsMessage(PAGE - 2, PAGE, 3), e.getMessage());
        assertEquals("kept", memory.readString(8, 4));
        assertArrayEquals(new byte[2], memory.readBytes(PAGE - 2, 2));
        assertThrows(
                UninstantiableException.class,
                () ->
                        memory.initialize(
                                null, new DataSegment[] {active(0, PAGE + 1, new byte[0])}));
        assertThrows(
                UninstantiableException.class,
                () -> memory.initialize(null, new DataSegment[] {active(0, -1, ascii("x"))}));
    }

    @Test
    void initializeAcceptsNoSegments() {
        Memory memory = memory(1, 1);
        memory.initialize(null, null);
        memory.initialize(null, new DataSegment[0]);
        assertArrayEquals(new byte[PAGE], snapshot(memory));
    }

    @Test
    void initPassiveSegmentCopiesARangeOfTheSegment() {
        Memory memory = memory(1, 1);
        DataSegment[] segments = {
            active(0, 0, ascii("a")), new PassiveDataSegment(ascii("memory64"))
        };
        memory.initialize(null, segments);
        memory.initPassiveSegment(1, 100, 2, 4);
        assertEquals("mory", memory.readString(100, 4));
        memory.initPassiveSegment(1, PAGE - 8, 0, 8);
        assertEquals("memory64", memory.readString(PAGE - 8, 8));
        memory.initPassiveSegment(1, PAGE, 8, 0);
    }

    @Test
    void initPassiveSegmentOutOfBoundsWritesNothing() {
        Memory memory = memory(1, 1);
        memory.initialize(null, new DataSegment[] {new PassiveDataSegment(ascii("memory64"))});
        assertOutOfBoundsAt(4, 8, 5, () -> memory.initPassiveSegment(0, 0, 4, 5));
        assertOutOfBounds(() -> memory.initPassiveSegment(0, 0, 9, 0));
        assertOutOfBounds(() -> memory.initPassiveSegment(0, PAGE - 4, 0, 8));
        assertOutOfBounds(() -> memory.initPassiveSegment(0, -1, 0, 1));
        assertArrayEquals(new byte[PAGE], snapshot(memory));
    }

    @Test
    void dropEmptiesASegment() {
        Memory memory = memory(1, 1);
        memory.initialize(null, new DataSegment[] {new PassiveDataSegment(ascii("memory64"))});
        memory.drop(0);
        memory.initPassiveSegment(0, 0, 0, 0);
        assertOutOfBounds(() -> memory.initPassiveSegment(0, 0, 0, 1));
        assertArrayEquals(new byte[PAGE], snapshot(memory));
    }

    @Test
    void atomicOperationsOfANonSharedMemoryReadModifyWrite() {
        Memory memory = memory(1, 1);
        memory.atomicWriteInt(8, 40);
        assertEquals(40, memory.atomicAddInt(8, 2));
        assertEquals(42, memory.atomicReadInt(8));
        assertEquals(42, memory.atomicCmpxchgInt(8, 42, 7));
        assertEquals(7, memory.atomicCmpxchgInt(8, 42, 9));
        assertEquals(7, memory.readInt(8));
        memory.atomicWriteLong(16, 0xF0F0L);
        assertEquals(0xF0F0L, memory.atomicOrLong(16, 0x0F0FL));
        assertEquals(0xFFFFL, memory.atomicXorLong(16, 0xFF00L));
        assertEquals(0x00FFL, memory.atomicReadLong(16));
        assertEquals(0, memory.atomicXchgShort(24, (short) -3));
        assertEquals(-3, memory.atomicReadShort(24));
        memory.atomicWriteByte(32, (byte) 0x3C);
        assertEquals(0x3C, memory.atomicAndByte(32, (byte) 0x0F));
        assertEquals(0x0C, memory.atomicReadByte(32));
        memory.atomicFence();
        assertOutOfBounds(() -> memory.atomicAddInt(PAGE, 1));
        assertOutOfBounds(() -> memory.atomicReadLong(PAGE - 4));
    }

    @Test
    void waitAndNotifyAnswerAsTheRuntimesOwnMemoriesDo() {
        Memory memory = memory(1, 1);
        assertEquals(shared(), memory.shared());
        if (!shared()) {
            ChicoryException e =
                    assertThrows(ChicoryException.class, () -> memory.atomicWait(0, 0, 0L));
            assertTrue(e.getMessage().contains("non-shared"), e.getMessage());
            assertThrows(ChicoryException.class, () -> memory.atomicWait(0, 0L, 0L));
            assertEquals(0, memory.atomicNotify(0, 1));
            return;
        }
        memory.atomicWriteInt(8, 5);
        assertEquals(1, memory.atomicWait(8, 4, -1L));
        assertEquals(2, memory.atomicWait(8, 5, 0L));
        assertEquals(2, memory.atomicWait(8, 5, 1_000L));
        memory.atomicWriteLong(16, -2L);
        assertEquals(1, memory.atomicWait(16, 0xFFFF_FFFEL, -1L));
        assertEquals(2, memory.atomicWait(16, -2L, 1_000L));
        assertEquals(0, memory.atomicNotify(8, 1));
        assertEquals(0, memory.atomicNotify(8, -1));
    }
}
