package dev.memory64;

import dev.memory64.internal.StoreAccess;

/** The store operations the guest ABI reaches through {@link StoreAccess}, not host API. */
final class StoreHooks implements StoreAccess.Hooks<Memory64Store, Layer, TensorInfo> {

    @Override
    public void recordError(Memory64Store store) {
        store.stats.error();
    }

    @Override
    public long reads(Memory64Store store) {
        return store.stats.reads();
    }

    @Override
    public void counters(Memory64Store store, long[] into) {
        store.stats.sum(into);
    }

    @Override
    public Layer layer(Memory64Store store, byte[] utf8, int length) {
        return store.layers.layer(utf8, length);
    }

    @Override
    public TensorInfo tensor(Memory64Store store, byte[] utf8, int length) {
        return store.layers.tensor(utf8, length);
    }
}
