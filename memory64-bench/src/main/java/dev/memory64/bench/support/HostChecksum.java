package dev.memory64.bench.support;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.testkit.LayerChecksum;

/**
 * The checksum of a layer as the host holds it: its logical bytes (every extent, in order),
 * streamed from the store chunk by chunk, as a guest's range loads see them.
 */
public final class HostChecksum {

    private HostChecksum() {}

    /**
     * Computes a layer's checksum.
     *
     * @param store the store
     * @param layer one of its layers
     * @return the checksum the example guests print
     * @throws Memory64Exception if the storage faults
     */
    public static long of(Memory64Store store, Layer layer) throws Memory64Exception {
        LayerChecksum checksum = new LayerChecksum();
        store.copyLayerTo(layer.id(), 0, checksum::write, 0, layer.size());
        return checksum.value();
    }
}
