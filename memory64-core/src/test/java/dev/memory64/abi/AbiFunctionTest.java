package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MetadataValue;
import dev.memory64.abi.AbiFunction.Type;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.TestStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AbiFunctionTest {

    static final long PAGE = 64 * 1024;

    @AutoClose Memory64Store store;
    final HeapGuestMemory guest = new HeapGuestMemory((int) PAGE);

    @BeforeEach
    void setUp() throws Exception {
        store =
                TestStore.page()
                        .metadata("k", MetadataValue.ofBool(true))
                        .content(i -> i * 7 + 3)
                        .layer(new Layer(3, "blk.3", "block", 100, 16))
                        .buildStore();
    }

    @Test
    void listsTheTwelveFunctionsOfTheAbiTableInOrderWithTheirSignatures() {
        assertEquals(
                List.of(
                        "memory64_load_layer",
                        "memory64_read",
                        "memory64_is_enabled",
                        "memory64_stats",
                        "memory64_layer_size",
                        "memory64_stats_into",
                        "memory64_load_layer_range",
                        "memory64_layer_find",
                        "memory64_tensor_info",
                        "memory64_prefetch",
                        "memory64_metadata_info",
                        "memory64_metadata_read"),
                Arrays.stream(AbiFunction.values()).map(AbiFunction::importName).toList());
        assertEquals(List.of(Type.I32, Type.I32, Type.I32), AbiFunction.LOAD_LAYER.params());
        assertEquals(List.of(Type.I64, Type.I32, Type.I32), AbiFunction.READ.params());
        assertEquals(List.of(), AbiFunction.IS_ENABLED.params());
        assertEquals(Type.I64, AbiFunction.STATS.result());
        assertEquals(Type.I64, AbiFunction.LAYER_SIZE.result());
        assertEquals(
                List.of(Type.I32, Type.I64, Type.I32, Type.I32),
                AbiFunction.LOAD_LAYER_RANGE.params());
        assertEquals(4, AbiFunction.TENSOR_INFO.params().size());
        assertEquals(List.of(Type.I32), AbiFunction.PREFETCH.params());
        assertEquals(
                List.of(Type.I32, Type.I32, Type.I32, Type.I32),
                AbiFunction.METADATA_INFO.params());
        assertEquals(
                List.of(Type.I32, Type.I32, Type.I64, Type.I32, Type.I32),
                AbiFunction.METADATA_READ.params());
        for (AbiFunction function : AbiFunction.values()) {
            if (function != AbiFunction.STATS && function != AbiFunction.LAYER_SIZE) {
                assertEquals(Type.I32, function.result(), function.name());
            }
        }
    }

    @Test
    void everyFunctionNamesEachOperandAndTheCallRecordHoldsThemAll() {
        for (AbiFunction function : AbiFunction.values()) {
            assertEquals(function.params().size(), function.operands.length, function.name());
            assertTrue(function.operands.length <= AbiCall.MAX_OPERANDS, function.name());
        }
    }

    @Test
    void invokeCallsTheAbiFunctionOfItsName() {
        Memory64Abi abi = Memory64Abi.builder(store).build();
        assertEquals(16, AbiFunction.LOAD_LAYER.invoke(abi, guest, new long[] {3, 1000, 16}));
        assertEquals(8, AbiFunction.READ.invoke(abi, guest, new long[] {108, 2000, 8}));
        assertArrayEquals(
                Arrays.copyOfRange(guest.bytes, 1008, 1016),
                Arrays.copyOfRange(guest.bytes, 2000, 2008));
        assertEquals(1, AbiFunction.IS_ENABLED.invoke(abi, null, new long[0]));
        assertEquals(2, AbiFunction.STATS.invoke(abi, null, new long[0]));
        assertEquals(16, AbiFunction.LAYER_SIZE.invoke(abi, null, new long[] {3}));
        assertEquals(
                Memory64Abi.STATS_RECORD_SIZE,
                AbiFunction.STATS_INTO.invoke(abi, guest, new long[] {0, 40}));
        assertEquals(
                4, AbiFunction.LOAD_LAYER_RANGE.invoke(abi, guest, new long[] {3, 12, 3000, 4}));
        assertEquals((byte) (112 * 7 + 3), guest.bytes[3000]);
        byte[] name = "blk.3".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, guest.bytes, 4000, name.length);
        assertEquals(3, AbiFunction.LAYER_FIND.invoke(abi, guest, new long[] {4000, name.length}));
        assertEquals(
                ErrorCode.LAYER_NOT_FOUND.code(),
                AbiFunction.TENSOR_INFO.invoke(
                        abi, guest, new long[] {4000, name.length, 5000, 64}));
        assertEquals(0, AbiFunction.PREFETCH.invoke(abi, null, new long[] {3}));
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(key, 0, guest.bytes, 4100, key.length);
        assertEquals(
                Memory64Abi.METADATA_INFO_SIZE,
                AbiFunction.METADATA_INFO.invoke(abi, guest, new long[] {4100, 1, 5000, 24}));
        assertEquals(7, guest.bytes[5000]); // type bool
        assertEquals(
                1, AbiFunction.METADATA_READ.invoke(abi, guest, new long[] {4100, 1, 0, 6000, 1}));
        assertEquals(1, guest.bytes[6000]);
    }

    @Test
    void aDisabledAbiAnswersDisabledEverywhereButIsEnabled() {
        Memory64Abi abi = Memory64Abi.builder(store).withEnabled(false).build();
        long[] args = new long[5];
        for (AbiFunction function : AbiFunction.values()) {
            long expected = function == AbiFunction.IS_ENABLED ? 0 : ErrorCode.DISABLED.code();
            assertEquals(expected, function.invoke(abi, guest, args), function.name());
        }
    }

    @Test
    void onlyTheFunctionsThatTouchGuestMemoryAskForIt() {
        Memory64Abi abi = Memory64Abi.builder(store).build();
        long[] args = {3, 0, 0, 0, 0};
        for (AbiFunction function : AbiFunction.values()) {
            if (!function.usesMemory()) {
                // No memory given: still a result, never NO_GUEST_MEMORY.
                assertTrue(
                        function.invoke(abi, null, args) != ErrorCode.NO_GUEST_MEMORY.code(),
                        function.name());
            } else {
                assertEquals(
                        ErrorCode.NO_GUEST_MEMORY.code(),
                        function.invoke(abi, null, args),
                        function.name());
            }
        }
        assertFalse(AbiFunction.IS_ENABLED.usesMemory());
        assertTrue(AbiFunction.LOAD_LAYER.usesMemory());
    }

    @Test
    void abiOptionsChainAndReachTheAbi() {
        Memory64Abi abi =
                Memory64Abi.builder(store)
                        .withReadAhead(true)
                        .withAccessPolicy(AccessPolicy.allowAll())
                        .withEnabled(false)
                        .build();
        assertEquals(0, abi.isEnabled());
    }
}
