package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.TestStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code memory64_metadata_info} and {@code memory64_metadata_read}: the exact record and bytes,
 * each error code of docs/ABI.md, and nothing written or counted as a read on any failure.
 */
class MetadataAbiTest {

    static final int PAGE = 64 * 1024;
    static final int KEY = 100;
    static final int DST = 1000;
    static final List<String> TOKENS = List.of("<unk>", "ü", "", "😀 ok");

    @AutoClose Memory64Store store;
    Memory64Abi abi;
    final HeapGuestMemory guest = new HeapGuestMemory(PAGE);

    @BeforeEach
    void setUp() throws Exception {
        store =
                TestStore.page()
                        .metadata("llama.block_count", MetadataValue.ofUint32(5))
                        .metadata("tokenizer.ggml.tokens", MetadataValue.ofStrings(TOKENS))
                        .metadata("general.name", MetadataValue.ofString("stories"))
                        .buildStore();
        abi = Memory64Abi.builder(store).build();
        Arrays.fill(guest.bytes, (byte) 0x5A);
    }

    private int key(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, guest.bytes, KEY, bytes.length);
        return bytes.length;
    }

    @Test
    void infoWritesTypeElementTypeCountAndSize() {
        int n = key("tokenizer.ggml.tokens");
        assertEquals(24, abi.metadataInfo(guest, KEY, n, DST, 24));
        ByteBuffer record = ByteBuffer.wrap(guest.bytes, DST, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(MetadataValue.ARRAY, record.getInt());
        assertEquals(MetadataValue.STRING, record.getInt());
        assertEquals(4, record.getLong());
        long size = 4 * 8 + "<unk>ü😀 ok".getBytes(StandardCharsets.UTF_8).length;
        assertEquals(size, record.getLong());
        assertEquals(0x5A, guest.bytes[DST + 24]);

        n = key("llama.block_count");
        assertEquals(24, abi.metadataInfo(guest, KEY, n, DST, 100));
        record = ByteBuffer.wrap(guest.bytes, DST, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(
                List.of(4, 4, 1L, 4L),
                List.of(record.getInt(), record.getInt(), record.getLong(), record.getLong()));
    }

    @Test
    void readCopiesTheEncodingInPiecesAndCountsNoWeightRead() {
        int n = key("tokenizer.ggml.tokens");
        byte[] expected =
                store.metadata()
                        .get("tokenizer.ggml.tokens")
                        .orElseThrow()
                        .encoding()
                        .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertEquals(8, abi.metadataRead(guest, KEY, n, 0, DST, 8));
        assertEquals(
                expected.length - 8,
                abi.metadataRead(guest, KEY, n, 8, DST + 8, expected.length - 8));
        assertArrayEquals(expected, Arrays.copyOfRange(guest.bytes, DST, DST + expected.length));
        assertEquals(0, abi.metadataRead(guest, KEY, n, expected.length, DST, 0));
        assertEquals(0, store.stats().reads());
        assertEquals(0, store.stats().errors());
        n = key("llama.block_count");
        assertEquals(4, abi.metadataRead(guest, KEY, n, 0, 2000, 4));
        assertArrayEquals(new byte[] {5, 0, 0, 0}, Arrays.copyOfRange(guest.bytes, 2000, 2004));
    }

    @Test
    void eachFailureReturnsItsCodeWritesNothingAndCountsOneError() {
        final int n = key("general.name");
        byte[] before = guest.bytes.clone();
        assertFailure(
                ErrorCode.LAYER_NOT_FOUND,
                () -> abi.metadataInfo(guest, KEY, n - 1, DST, 24),
                before);
        assertFailure(
                ErrorCode.BUFFER_TOO_SMALL, () -> abi.metadataInfo(guest, KEY, n, DST, 23), before);
        assertFailure(
                ErrorCode.POINTER_OVERFLOW, () -> abi.metadataInfo(guest, KEY, n, -8, 24), before);
        assertFailure(
                ErrorCode.OUT_OF_BOUNDS,
                () -> abi.metadataInfo(guest, KEY, n, PAGE - 8, 24),
                before);
        assertFailure(
                ErrorCode.OUT_OF_BOUNDS,
                () -> abi.metadataInfo(guest, PAGE - 2, 4, DST, 24),
                before);
        assertFailure(
                ErrorCode.NO_GUEST_MEMORY, () -> abi.metadataInfo(null, KEY, n, DST, 24), before);
        assertFailure(
                ErrorCode.LAYER_NOT_FOUND,
                () -> abi.metadataInfo(guest, KEY, Memory64Abi.MAX_NAME_LENGTH + 1, DST, 24),
                before);
        assertFailure(
                ErrorCode.HOST_RANGE, () -> abi.metadataRead(guest, KEY, n, 1, DST, 7), before);
        assertFailure(
                ErrorCode.HOST_RANGE, () -> abi.metadataRead(guest, KEY, n, 8, DST, 0), before);
        assertFailure(
                ErrorCode.HOST_RANGE, () -> abi.metadataRead(guest, KEY, n, -1, DST, 1), before);
        assertFailure(
                ErrorCode.HOST_RANGE,
                () -> abi.metadataRead(guest, KEY, n, Long.MIN_VALUE, DST, 1),
                before);
        assertFailure(
                ErrorCode.LAYER_NOT_FOUND,
                () -> abi.metadataRead(guest, KEY, 3, 0, DST, 1),
                before);
        assertFailure(
                ErrorCode.OUT_OF_BOUNDS,
                () -> abi.metadataRead(guest, KEY, n, 0, PAGE - 3, 7),
                before);
        assertFailure(
                ErrorCode.POINTER_OVERFLOW,
                () -> abi.metadataRead(guest, KEY, n, 0, -3, 7),
                before);
        guest.bytes[KEY] = (byte) 0xC3; // not UTF-8 any more: never found
        before = guest.bytes.clone();
        assertFailure(
                ErrorCode.LAYER_NOT_FOUND, () -> abi.metadataInfo(guest, KEY, n, DST, 24), before);

        Memory64Abi disabled = Memory64Abi.builder(store).withEnabled(false).build();
        assertFailure(
                ErrorCode.DISABLED, () -> disabled.metadataInfo(guest, KEY, n, DST, 24), before);
        assertFailure(
                ErrorCode.DISABLED, () -> disabled.metadataRead(guest, KEY, n, 0, DST, 1), before);
    }

    @Test
    void aGuestWriteThatFailsIsGuestWriteAndAClosedStoreIsHostRange() {
        int n = key("general.name");
        guest.failWrites = true;
        assertEquals(ErrorCode.GUEST_WRITE.code(), abi.metadataInfo(guest, KEY, n, DST, 24));
        assertEquals(ErrorCode.GUEST_WRITE.code(), abi.metadataRead(guest, KEY, n, 0, DST, 7));
        guest.failWrites = false;
        store.close();
        assertEquals(ErrorCode.HOST_RANGE.code(), abi.metadataRead(guest, KEY, n, 0, DST, 7));
    }

    @Test
    void aStoreWithoutMetadataFindsNoKey() throws Exception {
        try (Memory64Store plain =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", PAGE).build())) {
            Memory64Abi bare = Memory64Abi.builder(plain).build();
            int n = key("general.name");
            assertEquals(
                    ErrorCode.LAYER_NOT_FOUND.code(), bare.metadataInfo(guest, KEY, n, DST, 24));
            assertEquals(ModelMetadata.empty(), plain.metadata());
        }
    }

    private void assertFailure(ErrorCode code, IntSupplier call, byte[] before) {
        Memory64Stats stats = store.stats();
        assertEquals(code.code(), call.getAsInt());
        assertArrayEquals(before, guest.bytes, code + " wrote into the guest");
        assertEquals(stats.errors() + 1, store.stats().errors(), code + " counted once");
        assertEquals(stats.reads(), store.stats().reads());
    }
}
