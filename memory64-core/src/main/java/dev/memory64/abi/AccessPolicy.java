package dev.memory64.abi;

import dev.memory64.Layer;
import java.util.Arrays;
import java.util.List;

/**
 * Which layers and raw ranges one guest may read. A call outside its grant returns {@link
 * ErrorCode#ACCESS_DENIED} and changes nothing.
 */
public interface AccessPolicy {

    /**
     * Tells whether the guest may load (or ask about) a layer.
     *
     * @param layer the layer
     * @return true if granted
     */
    boolean allowsLayer(Layer layer);

    /**
     * Tells whether the guest may read a raw range with {@code memory64_read}.
     *
     * @param offset the first byte, already checked to be inside the layout
     * @param len the length, already checked to fit
     * @return true if granted
     */
    boolean allowsRange(long offset, long len);

    /**
     * Grants everything: every layer and every range of the layout.
     *
     * @return the policy
     */
    static AccessPolicy allowAll() {
        return AllowAll.INSTANCE;
    }

    /**
     * Grants only the given layers, and raw reads that lie wholly inside one extent of one of them
     * (a layer of several extents grants its own byte ranges, never the bytes between them).
     *
     * @param layerIds the granted layer ids
     * @param layers resolves an id to its layer for range checks (e.g. {@code store::layer})
     * @return the policy
     */
    static AccessPolicy onlyLayers(int[] layerIds, java.util.function.IntFunction<Layer> layers) {
        int[] sorted = layerIds.clone();
        Arrays.sort(sorted);
        return new AccessPolicy() {
            @Override
            public boolean allowsLayer(Layer layer) {
                return Arrays.binarySearch(sorted, layer.id()) >= 0;
            }

            @Override
            public boolean allowsRange(long offset, long len) {
                for (int id : sorted) {
                    Layer layer = layers.apply(id);
                    if (layer == null) {
                        continue;
                    }
                    List<Layer.Extent> extents = layer.extents();
                    for (int i = 0;
                            i < extents.size();
                            i++) { // no iterator: a call allocates nothing
                        Layer.Extent e = extents.get(i);
                        if (offset >= e.offset() && len <= e.end() - offset) {
                            return true;
                        }
                    }
                }
                return false;
            }

            @Override
            public String toString() {
                return "onlyLayers" + Arrays.toString(sorted);
            }
        };
    }
}
