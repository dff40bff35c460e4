package dev.memory64.endive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.memory64.endive.MemoryContractTest.Width;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import run.endive.runtime.ByteBufferMemory;
import run.endive.runtime.Memory;
import run.endive.runtime.WasmRuntimeException;
import run.endive.wasm.types.MemoryLimits;

/** Properties over arbitrary addresses and sizes, each one invariant. */
class SegmentMemoryPropertiesTest {

    private static final int PAGE = Memory.PAGE_SIZE;

    /** Any {@code int}, with the values near 0 and near the end of the memory made likely. */
    private static Gen<Integer> addresses() {
        return integers()
                .all()
                .mix(integers().between(-16, 16), 30)
                .mix(integers().between(PAGE - 16, PAGE + 16), 40);
    }

    private static String outcome(Memory memory, Width width, int address, long bits) {
        try {
            width.write(memory, address, bits);
            return Long.toHexString(width.read(memory, address));
        } catch (WasmRuntimeException e) {
            return "out of bounds";
        }
    }

    @Test
    void everyScalarAccessHasTheOutcomeEndivesOwnMemoryHas() {
        try (SegmentMemory segmentMemory = SegmentMemory.of(new MemoryLimits(1, 2))) {
            Memory endive = new ByteBufferMemory(new MemoryLimits(1, 2));
            qt().forAll(Generate.enumValues(Width.class), addresses(), longs().all())
                    .checkAssert(
                            (width, address, bits) ->
                                    assertEquals(
                                            outcome(endive, width, address, bits),
                                            outcome(segmentMemory, width, address, bits),
                                            width + " at " + Integer.toUnsignedString(address)));
            assertArrayEquals(
                    MemoryContractTest.snapshot(endive),
                    MemoryContractTest.snapshot(segmentMemory));
        }
    }

    @Test
    void aRangeIsInBoundsExactlyWhenItsUnsignedEndIsWithinTheMemory() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 2))) {
            qt().forAll(addresses(), addresses())
                    .checkAssert(
                            (address, size) -> {
                                long end =
                                        Integer.toUnsignedLong(address)
                                                + Integer.toUnsignedLong(size);
                                boolean inBounds = end <= PAGE;
                                boolean read;
                                try {
                                    read = memory.readBytes(address, size).length == size;
                                } catch (WasmRuntimeException e) {
                                    read = false;
                                }
                                assertEquals(inBounds, read, address + " + " + size);
                            });
        }
    }

    @Test
    void aFillEitherWritesExactlyItsRangeOrNothing() {
        try (SegmentMemory memory = SegmentMemory.of(new MemoryLimits(1, 2))) {
            byte[] expected = new byte[PAGE];
            qt().forAll(addresses(), addresses(), integers().between(1, 255))
                    .checkAssert(
                            (from, to, value) -> {
                                long size = Integer.toUnsignedLong(to - from);
                                boolean inBounds = Integer.toUnsignedLong(from) + size <= PAGE;
                                boolean filled;
                                try {
                                    memory.fill(value.byteValue(), from, to);
                                    Arrays.fill(expected, from, to, value.byteValue());
                                    filled = true;
                                } catch (WasmRuntimeException e) {
                                    filled = false;
                                }
                                assertEquals(inBounds, filled, from + " to " + to);
                                assertArrayEquals(expected, MemoryContractTest.snapshot(memory));
                            });
        }
    }
}
