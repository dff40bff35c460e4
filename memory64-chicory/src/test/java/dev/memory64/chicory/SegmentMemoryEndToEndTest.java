package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real guest ({@code wat/memory-ops.wat}) run under Chicory's interpreter and its compiler, with
 * {@link SegmentMemory} plugged in through {@code withMemoryFactory} and with Chicory's own
 * memories (its default, {@code ByteBufferMemory}, and {@code ByteArrayMemory}): every result,
 * every trap and the final bytes must be the same.
 */
class SegmentMemoryEndToEndTest {

    private static final int PAGE = Memory.PAGE_SIZE;
    private static final WasmModule MODULE = parse("/wat/memory-ops.wasm");

    /** How Chicory executes the guest. */
    enum Execution {
        INTERPRETER(null),
        COMPILER(MachineFactoryCompiler::compile);

        final Function<Instance, Machine> machineFactory;

        Execution(Function<Instance, Machine> machineFactory) {
            this.machineFactory = machineFactory;
        }
    }

    /** The executions tested here: the compiler only where {@link Guests#modes()} has it. */
    static List<Execution> executions() {
        return Guests.compilerEnabled()
                ? List.of(Execution.values())
                : List.of(Execution.INTERPRETER);
    }

    /** Which memory the guest gets. */
    enum MemoryChoice {
        CHICORY_DEFAULT(null),
        CHICORY_BYTE_ARRAY(ByteArrayMemory::new),
        SEGMENT(SegmentMemory.factory()),
        SEGMENT_ALLOCATED(SegmentMemory.factory(SegmentMemory.Backing.ALLOCATED));

        final Function<MemoryLimits, Memory> factory;

        MemoryChoice(Function<MemoryLimits, Memory> factory) {
            this.factory = factory;
        }
    }

    private static WasmModule parse(String resource) {
        try (InputStream in = SegmentMemoryEndToEndTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return Parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instance instantiate(Execution execution, MemoryChoice memory) {
        Instance.Builder builder = Instance.builder(MODULE);
        if (execution.machineFactory != null) {
            builder.withMachineFactory(execution.machineFactory);
        }
        if (memory.factory != null) {
            builder.withMemoryFactory(memory.factory);
        }
        return builder.build();
    }

    private static void close(Instance instance) {
        if (instance.memory() instanceof SegmentMemory segmentMemory) {
            segmentMemory.close();
        }
    }

    /** Calls the guest and records each call and its outcome; checks expected outcomes. */
    private static final class Guest {
        private final Instance instance;
        final List<String> transcript = new ArrayList<>();

        Guest(Instance instance) {
            this.instance = instance;
        }

        long call(String function, long... args) {
            long[] results = instance.export(function).apply(args);
            long result = results == null || results.length == 0 ? 0 : results[0];
            transcript.add(function + Arrays.toString(args) + " = " + result);
            return result;
        }

        /**
         * Expects a result; an {@code i32} result is its value sign-extended, as Chicory gives it.
         */
        void expect(long expected, String function, long... args) {
            assertEquals(expected, call(function, args), function + Arrays.toString(args));
        }

        void expectTrap(String function, long... args) {
            try {
                instance.export(function).apply(args);
            } catch (WasmRuntimeException e) {
                assertTrue(
                        e.getMessage().startsWith("out of bounds memory access"), e.getMessage());
                transcript.add(function + Arrays.toString(args) + " traps: out of bounds");
                return;
            }
            fail(function + Arrays.toString(args) + " did not trap");
        }
    }

    /** The scenario: each expectation is checked for every memory and execution. */
    private static Guest runScenario(Instance instance) {
        Guest guest = new Guest(instance);
        guest.expect(1, "size");
        guest.expect(0x04030201L, "i32_load", 1024);
        guest.expect(0x0807060504030201L, "i64_load", 1024);

        guest.call("i32_store", PAGE - 4, 0xCAFEBABEL);
        guest.expect(0xCAFEBABE, "i32_load", PAGE - 4);
        guest.expectTrap("i32_load", PAGE - 3);
        guest.expectTrap("i32_store", PAGE - 1, 1);
        guest.expectTrap("i32_load", PAGE);
        guest.expectTrap("i64_load", -8);
        guest.expectTrap("i32_load8_u", 0xFFFFFFFFL);
        guest.expectTrap("i32_load_far", 0);
        guest.expectTrap("i32_load_far", 0x10000000);

        guest.expect(1, "grow", 2);
        guest.expect(3, "size");
        guest.expect(0, "i32_load", PAGE);
        guest.expect(0x00CAFEBAL, "i32_load", PAGE - 3);
        guest.call("i64_store", 3 * PAGE - 8, 0x1122334455667788L);
        guest.expect(0x1122334455667788L, "i64_load", 3 * PAGE - 8);
        guest.expectTrap("i64_load", 3 * PAGE - 7);

        guest.call("i32_store8", 2000, 0xF0);
        guest.expect(0xF0, "i32_load8_u", 2000);
        guest.expect(-0x10, "i32_load8_s", 2000);
        guest.call("i32_store16", 2001, 0x8001);
        guest.expect(0x8001, "i32_load16_u", 2001);
        guest.expect((short) 0x8001, "i32_load16_s", 2001);
        guest.call("i64_store32", 2004, 0x1_8765_4321L);
        guest.expect(0x87654321L, "i64_load32_u", 2004);
        guest.expect(0xFFFFFFFF87654321L, "i64_load32_s", 2004);
        guest.call("f32_store", 2010, Value.floatToLong(1.5f));
        guest.expect(Value.floatToLong(1.5f), "f32_load", 2010);
        guest.call("f64_store", 2020, Value.doubleToLong(-2.25));
        guest.expect(Value.doubleToLong(-2.25), "f64_load", 2020);

        guest.expect(-1, "grow", 6);
        guest.expect(-1, "grow", 0xFFFFFFFFL);
        guest.expect(3, "grow", 5);
        guest.expect(8, "size");
        guest.expect(-1, "grow", 1);
        guest.expect(8, "grow", 0);

        guest.call("fill", 3000, 0xAB, 16);
        guest.expect(0xABABABABABABABABL, "i64_load", 3008);
        guest.expect(0, "i32_load8_u", 3016);
        guest.call("fill", 8 * PAGE - 4, 0x11, 4);
        guest.expect(0x11111111L, "i32_load", 8 * PAGE - 4);
        guest.expectTrap("fill", 8 * PAGE - 4, 0x22, 5);
        guest.expect(0x11111111L, "i32_load", 8 * PAGE - 4);

        guest.call("copy", 3001, 3000, 16);
        guest.expect(0xABABABABABABABABL, "i64_load", 3009);
        guest.expect(0xAB, "i32_load8_u", 3016);
        guest.call("copy", 1020, 1024, 8);
        guest.expect(0x0807060504030201L, "i64_load", 1020);
        guest.expectTrap("copy", 0, 8 * PAGE - 4, 8);
        guest.expectTrap("copy", 8 * PAGE - 4, 0, 8);

        guest.call("init", 4000, 2, 6);
        guest.expect(0x3436_7972_6F6DL, "i64_load", 4000);
        guest.expectTrap("init", 4000, 5, 5);
        guest.expectTrap("init", 8 * PAGE - 2, 0, 3);
        guest.call("drop");
        guest.call("init", 4100, 0, 0);
        guest.expectTrap("init", 4100, 0, 1);

        int n = 20_000;
        guest.expect((long) (n - 1) * n * (2L * n - 1) / 6, "sum_squares", 5 * PAGE, n);
        return guest;
    }

    @ParameterizedTest
    @MethodSource("executions")
    void guestSeesTheSameMemoryWithSegmentMemoryAsWithChicorysDefault(Execution execution) {
        List<String> expectedTranscript = null;
        byte[] expectedBytes = null;
        for (MemoryChoice choice : MemoryChoice.values()) {
            Instance instance = instantiate(execution, choice);
            try {
                switch (choice) {
                    case CHICORY_DEFAULT ->
                            assertInstanceOf(ByteBufferMemory.class, instance.memory());
                    case CHICORY_BYTE_ARRAY ->
                            assertInstanceOf(ByteArrayMemory.class, instance.memory());
                    case SEGMENT, SEGMENT_ALLOCATED ->
                            assertInstanceOf(SegmentMemory.class, instance.memory());
                }
                Guest guest = runScenario(instance);
                byte[] bytes = instance.memory().readBytes(0, instance.memory().pages() * PAGE);
                if (expectedTranscript == null) {
                    expectedTranscript = guest.transcript;
                    expectedBytes = bytes;
                } else {
                    assertEquals(expectedTranscript, guest.transcript, choice.name());
                    assertArrayEquals(expectedBytes, bytes, choice.name());
                }
            } finally {
                close(instance);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("executions")
    void hostCopyIntoTheSegmentIsWhatTheGuestLoads(Execution execution) {
        Instance instance = instantiate(execution, MemoryChoice.SEGMENT);
        try (SegmentMemory memory = (SegmentMemory) instance.memory()) {
            Guest guest = new Guest(instance);
            guest.expect(1, "grow", 1);
            MemorySegment layer = MemorySegment.ofArray(new long[] {0x0102030405060708L, -1L});
            MemorySegment.copy(layer, 0, memory.segment(), PAGE - 4, 16);
            guest.expect(0x0102030405060708L, "i64_load", PAGE - 4);
            guest.expect(-1L, "i64_load", PAGE + 4);
        }
    }

    @ParameterizedTest
    @MethodSource("executions")
    void memoryFillWhoseEndWrapsPast4GiBTrapsAndWritesNothing(Execution execution) {
        Instance instance = instantiate(execution, MemoryChoice.SEGMENT);
        try {
            Guest guest = new Guest(instance);
            byte[] before = instance.memory().readBytes(0, PAGE);
            guest.expectTrap("fill", 100, 0x55, 0x7FFFFFFFL);
            guest.expectTrap("fill", 100, 0x55, 0xFFFFFFF0L);
            guest.expectTrap("copy", 100, 0, 0x7FFFFFFFL);
            assertArrayEquals(before, instance.memory().readBytes(0, PAGE));
        } finally {
            close(instance);
        }
    }

    @ParameterizedTest
    @MethodSource("executions")
    void aGuestOfAClosedMemoryFailsWithIllegalState(Execution execution) {
        Instance instance = instantiate(execution, MemoryChoice.SEGMENT);
        close(instance);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> instance.export("i32_load").apply(1024));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> instance.export("grow").apply(1));
    }
}
