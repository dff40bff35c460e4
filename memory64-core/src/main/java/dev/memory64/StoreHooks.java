package dev.memory64;

import dev.memory64.internal.StoreAccess;

/** The store operations the guest ABI reaches through {@link StoreAccess}, not host API. */
final class StoreHooks implements StoreAccess.Hooks<Memory64Store, Layer, TensorInfo, SegmentSink> {

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

    @Override
    public boolean copy(
            Memory64Store store, long offset, SegmentSink sink, long sinkOffset, long len) {
        try {
            store.copyTo(offset, sink, sinkOffset, len);
            return true;
        } catch (Memory64Exception | StoreRangeException | StoreClosedException e) {
            return false; // the store counted and logged it
        }
    }

    @Override
    public boolean copyLayer(
            Memory64Store store,
            Layer layer,
            long layerOffset,
            SegmentSink sink,
            long sinkOffset,
            long len) {
        try {
            store.copyLayerTo(layer, layerOffset, sink, sinkOffset, len);
            return true;
        } catch (Memory64Exception | StoreRangeException | StoreClosedException e) {
            return false; // the store counted and logged it
        }
    }
}
