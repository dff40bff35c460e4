package dev.memory64.internal;

import java.util.Objects;

/**
 * How the guest ABI reaches the few store operations that are not host API, without the store
 * knowing the ABI and without making them public (the JDK's "shared secrets" pattern). The store
 * installs its hooks when its class initialises; the ABI looks them up once.
 */
public final class StoreAccess {

    /**
     * The store operations the ABI needs.
     *
     * @param <S> the store type
     * @param <L> the layer type
     * @param <T> the tensor type
     * @param <K> the sink type that copies deliver to
     */
    public interface Hooks<S, L, T, K> {
        /**
         * Counts a failed operation that the store did not see itself (an ABI call rejected before
         * it reached the store).
         *
         * @param store the store
         */
        void recordError(S store);

        /**
         * Returns the number of successful reads, as the store's stats would, without a snapshot
         * object.
         *
         * @param store the store
         * @return the count
         */
        long reads(S store);

        /**
         * Fills {@code into} with one consistent reading of the counters, without a snapshot
         * object: {@code reads, writes, bytesRead, bytesWritten, errors} first, then the store's
         * other counters.
         *
         * @param store the store
         * @param into at least seven longs
         */
        void counters(S store, long[] into);

        /**
         * Looks a layer up by the UTF-8 bytes of its name, without decoding them: found only if
         * they are exactly the UTF-8 encoding of a registered name (so never for invalid UTF-8).
         *
         * @param store the store
         * @param utf8 the bytes
         * @param length how many of them, from 0
         * @return the layer with the lowest id of that name, or null
         */
        L layer(S store, byte[] utf8, int length);

        /**
         * Looks a tensor up by the UTF-8 bytes of its name, as {@link #layer} does.
         *
         * @param store the store
         * @param utf8 the bytes
         * @param length how many of them, from 0
         * @return the tensor, or null
         */
        T tensor(S store, byte[] utf8, int length);

        /**
         * Delivers {@code len} bytes of the layout from {@code offset} to a sink, as the store's
         * public {@code copyTo} does.
         *
         * @param store the store
         * @param offset the first byte to read
         * @param sink where the bytes go
         * @param sinkOffset the sink offset of the first byte
         * @param len how many bytes
         * @return true if copied; false if the store refused the range, was closed or faulted (it
         *     counted and logged that itself)
         * @throws RuntimeException whatever the sink throws, unchanged
         */
        boolean copy(S store, long offset, K sink, long sinkOffset, long len);

        /**
         * Delivers {@code len} bytes of a layer's logical bytes from {@code layerOffset} to a sink,
         * as the store's public {@code copyLayerTo} does, but for a layer the caller has looked up
         * in this store and whose range it has checked against the layer's size: so that a guest's
         * load looks the layer up once and checks its range once.
         *
         * @param store the store
         * @param layer a layer of this store
         * @param layerOffset the first byte, from the layer's start
         * @param sink where the bytes go
         * @param sinkOffset the sink offset of the first byte
         * @param len how many bytes; {@code [layerOffset, layerOffset + len)} inside the layer
         * @return true if copied; false if the store refused an extent, was closed or faulted (it
         *     counted and logged that itself)
         * @throws RuntimeException whatever the sink throws, unchanged
         */
        boolean copyLayer(S store, L layer, long layerOffset, K sink, long sinkOffset, long len);
    }

    private static volatile Hooks<?, ?, ?, ?> hooks;

    private StoreAccess() {}

    /**
     * Installs the store's hooks; called once, by the store class's static initialiser.
     *
     * @param storeHooks the hooks
     * @throws IllegalStateException if hooks are installed already
     */
    public static synchronized void install(Hooks<?, ?, ?, ?> storeHooks) {
        if (hooks != null) {
            throw new IllegalStateException("store hooks are installed already");
        }
        hooks = Objects.requireNonNull(storeHooks, "storeHooks");
    }

    /**
     * Returns the hooks of a store class, initialising the class first so that it has installed
     * them.
     *
     * @param <S> the store type
     * @param <L> the layer type
     * @param <T> the tensor type
     * @param <K> the sink type
     * @param storeClass the store class
     * @return the hooks
     * @throws IllegalStateException if the class installs none
     */
    @SuppressWarnings("unchecked")
    public static <S, L, T, K> Hooks<S, L, T, K> of(Class<S> storeClass) {
        try {
            Class.forName(storeClass.getName(), true, storeClass.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot initialise " + storeClass.getName(), e);
        }
        Hooks<?, ?, ?, ?> installed = hooks;
        if (installed == null) {
            throw new IllegalStateException(storeClass.getName() + " installed no hooks");
        }
        return (Hooks<S, L, T, K>) installed;
    }
}
