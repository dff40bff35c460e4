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
     */
    public interface Hooks<S, L, T> {
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
    }

    private static volatile Hooks<?, ?, ?> hooks;

    private StoreAccess() {}

    /**
     * Installs the store's hooks; called once, by the store class's static initialiser.
     *
     * @param storeHooks the hooks
     * @throws IllegalStateException if hooks are installed already
     */
    public static synchronized void install(Hooks<?, ?, ?> storeHooks) {
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
     * @param storeClass the store class
     * @return the hooks
     * @throws IllegalStateException if the class installs none
     */
    @SuppressWarnings("unchecked")
    public static <S, L, T> Hooks<S, L, T> of(Class<S> storeClass) {
        try {
            Class.forName(storeClass.getName(), true, storeClass.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot initialise " + storeClass.getName(), e);
        }
        Hooks<?, ?, ?> installed = hooks;
        if (installed == null) {
            throw new IllegalStateException(storeClass.getName() + " installed no hooks");
        }
        return (Hooks<S, L, T>) installed;
    }
}
