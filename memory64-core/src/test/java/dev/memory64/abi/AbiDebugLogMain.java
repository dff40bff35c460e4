package dev.memory64.abi;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.RegionBacking;
import dev.memory64.testkit.HeapGuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Makes one failing ABI call of each kind in a JVM whose ABI logger is at DEBUG, printing {@code
 * CALL n} before the n-th, so that {@link AbiDebugLogTest} can read each call's DEBUG line.
 */
final class AbiDebugLogMain {

    /** One failing call and the DEBUG line it must log (after the logger's prefix). */
    record Case(String expected, ToIntFunction<Fixture> call) {}

    /**
     * A store with layer 1 of 3,136 bytes and metadata key "k" (a bool), the ABIs over it and a 64
     * KiB guest.
     */
    record Fixture(
            Memory64Store store,
            Memory64Abi abi,
            Memory64Abi disabled,
            Memory64Abi denying,
            HeapGuestMemory guest,
            HeapGuestMemory failing) {}

    static final List<Case> CASES =
            List.of(
                    new Case(
                            "memory64_load_layer(layer_id=1, dst_ptr=0, max_size=3135) failed with"
                                    + " BUFFER_TOO_SMALL (-3): max_size is smaller than the layer"
                                    + " size: 3136",
                            f -> f.abi().loadLayer(f.guest(), 1, 0, 3135)),
                    new Case(
                            "memory64_load_layer(layer_id=-5, dst_ptr=0, max_size=16) failed with"
                                    + " LAYER_NOT_FOUND (-2): no such layer",
                            f -> f.abi().loadLayer(f.guest(), -5, 0, 16)),
                    new Case(
                            "memory64_load_layer(layer_id=1, dst_ptr=0, max_size=4096) failed with"
                                    + " ACCESS_DENIED (-9): the layer is not granted",
                            f -> f.denying().loadLayer(f.guest(), 1, 0, 4096)),
                    new Case(
                            "memory64_load_layer(layer_id=1, dst_ptr=0, max_size=4096) failed with"
                                    + " GUEST_WRITE (-8): java.lang.IllegalStateException: guest"
                                    + " memory is gone",
                            f -> f.abi().loadLayer(f.failing(), 1, 0, 4096)),
                    new Case(
                            "memory64_read(offset=18446744073709551615, dst_ptr=0, len=8) failed"
                                    + " with HOST_RANGE (-4): the range exceeds the layout size:"
                                    + " 65536",
                            f -> f.abi().read(f.guest(), -1L, 0, 8)),
                    new Case(
                            "memory64_read(offset=0, dst_ptr=0, len=8) failed with ACCESS_DENIED"
                                    + " (-9): the range is not granted",
                            f -> f.denying().read(f.guest(), 0, 0, 8)),
                    new Case(
                            "memory64_stats_into(dst_ptr=65528, len=40) failed with OUT_OF_BOUNDS"
                                    + " (-7): ptr + len exceeds the guest memory size (end, size):"
                                    + " 65568, 65536",
                            f -> f.abi().statsInto(f.guest(), 65528, 40)),
                    new Case(
                            "memory64_stats_into(dst_ptr=0, len=39) failed with BUFFER_TOO_SMALL"
                                    + " (-3): len is smaller than the record: 40",
                            f -> f.abi().statsInto(f.guest(), 0, 39)),
                    new Case(
                            "memory64_load_layer_range(layer_id=1, layer_offset=0,"
                                    + " dst_ptr=4294967280, len=32) failed with POINTER_OVERFLOW"
                                    + " (-6): ptr + len exceeds 2^32: 4294967312",
                            f -> f.abi().loadLayerRange(f.guest(), 1, 0, -16, 32)),
                    new Case(
                            "memory64_load_layer_range(layer_id=1, layer_offset=3000, dst_ptr=0,"
                                    + " len=200) failed with HOST_RANGE (-4): the range exceeds the"
                                    + " layer size: 3136",
                            f -> f.abi().loadLayerRange(f.guest(), 1, 3000, 0, 200)),
                    new Case(
                            "memory64_tensor_info(name_ptr=0, name_len=3, dst_ptr=0, dst_len=64)"
                                    + " failed with LAYER_NOT_FOUND (-2): no tensor has that name"
                                    + " (or it is not UTF-8, or too long)",
                            f -> f.abi().tensorInfo(f.guest(), 0, 3, 0, 64)),
                    new Case(
                            "memory64_tensor_info(name_ptr=0, name_len=3, dst_ptr=65535,"
                                    + " dst_len=64) failed with OUT_OF_BOUNDS (-7): ptr + len"
                                    + " exceeds the guest memory size (end, size): 65599, 65536",
                            f -> f.abi().tensorInfo(f.guest(), 0, 3, 65535, 64)),
                    new Case(
                            "memory64_metadata_info(key_ptr=100, key_len=1, dst_ptr=0, dst_len=23)"
                                    + " failed with BUFFER_TOO_SMALL (-3): dst_len is smaller than"
                                    + " the record: 24",
                            f -> f.abi().metadataInfo(f.guest(), 100, 1, 0, 23)),
                    new Case(
                            "memory64_metadata_read(key_ptr=0, key_len=3, value_offset=0,"
                                    + " dst_ptr=0, len=8) failed with LAYER_NOT_FOUND (-2): no"
                                    + " metadata has that key (or it is not UTF-8, or too long)",
                            f -> f.abi().metadataRead(f.guest(), 0, 3, 0, 0, 8)),
                    new Case(
                            "memory64_metadata_read(key_ptr=100, key_len=1, value_offset=1,"
                                    + " dst_ptr=0, len=1) failed with HOST_RANGE (-4): the range"
                                    + " exceeds the value's encoding (size, len): 1, 1",
                            f -> f.abi().metadataRead(f.guest(), 100, 1, 1, 0, 1)),
                    new Case(
                            "memory64_layer_find(name_ptr=0, name_len=4) failed with"
                                    + " NO_GUEST_MEMORY (-5): the caller has no memory",
                            f -> f.abi().layerFind(null, 0, 4)),
                    new Case(
                            "memory64_layer_find(name_ptr=0, name_len=4) failed with HOST_RANGE"
                                    + " (-4): unexpected java.lang.IllegalStateException: guest"
                                    + " memory is unreadable",
                            f -> f.abi().layerFind(f.failing(), 0, 4)),
                    new Case(
                            "memory64_stats() failed with DISABLED (-1): memory64 is disabled",
                            f -> (int) f.disabled().stats()),
                    new Case(
                            "memory64_layer_size(layer_id=3) failed with DISABLED (-1): memory64"
                                    + " is disabled",
                            f -> (int) f.disabled().layerSize(3)),
                    new Case(
                            "memory64_prefetch(layer_id=9) failed with LAYER_NOT_FOUND (-2): no"
                                    + " such layer",
                            f -> f.abi().prefetch(9)),
                    // Last: the store is closed.
                    new Case(
                            "memory64_read(offset=0, dst_ptr=0, len=8) failed with HOST_RANGE"
                                    + " (-4): the store is closed",
                            f -> {
                                f.store().close();
                                return f.abi().read(f.guest(), 0, 0, 8);
                            }));

    private AbiDebugLogMain() {}

    public static void main(String[] args) throws java.io.IOException {
        Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("a", 64 * 1024).build())
                        .withDefaultBacking(RegionBacking.allocated())
                        .withMetadata(
                                ModelMetadata.builder()
                                        .put("k", MetadataValue.ofBool(true))
                                        .build())
                        .build();
        store.registerLayer(1, "layer", 0, 3136);
        HeapGuestMemory guest = new HeapGuestMemory(64 * 1024);
        byte[] name = "zzz".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, guest.bytes, 0, name.length);
        guest.bytes[100] = 'k';
        HeapGuestMemory failing = new HeapGuestMemory(64 * 1024);
        failing.failWrites = true;
        failing.failReads = true;
        AccessPolicy nothing =
                new AccessPolicy() {
                    @Override
                    public boolean allowsLayer(dev.memory64.Layer layer) {
                        return false;
                    }

                    @Override
                    public boolean allowsRange(long offset, long len) {
                        return false;
                    }
                };
        Fixture fixture =
                new Fixture(
                        store,
                        Memory64Abi.builder(store).build(),
                        Memory64Abi.builder(store).withEnabled(false).build(),
                        Memory64Abi.builder(store).withAccessPolicy(nothing).build(),
                        guest,
                        failing);
        for (int i = 0; i < CASES.size(); i++) {
            System.out.println("CALL " + i);
            System.out.println("RESULT " + CASES.get(i).call().applyAsInt(fixture));
        }
        store.close();
    }
}
