package dev.memory64.chicory;

import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.testkit.LayerChecksum;

/** The checksum of a layer's logical bytes as the host holds them, streamed chunk by chunk. */
final class HostChecksum {

    private HostChecksum() {}

    static long of(Memory64Store store, Layer layer) throws Memory64Exception {
        LayerChecksum checksum = new LayerChecksum();
        store.copyLayerTo(layer.id(), 0, checksum::write, 0, layer.size());
        return checksum.value();
    }
}
