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
     */
    public interface Hooks<S> {
        /**
         * Counts a failed operation that the store did not see itself (an ABI call rejected before
         * it reached the store).
         *
         * @param store the store
         */
        void recordError(S store);
    }

    private static volatile Hooks<?> hooks;

    private StoreAccess() {}

    /**
     * Installs the store's hooks; called once, by the store class's static initialiser.
     *
     * @param storeHooks the hooks
     * @throws IllegalStateException if hooks are installed already
     */
    public static synchronized void install(Hooks<?> storeHooks) {
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
     * @param storeClass the store class
     * @return the hooks
     * @throws IllegalStateException if the class installs none
     */
    @SuppressWarnings("unchecked")
    public static <S> Hooks<S> of(Class<S> storeClass) {
        try {
            Class.forName(storeClass.getName(), true, storeClass.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot initialise " + storeClass.getName(), e);
        }
        Hooks<?> installed = hooks;
        if (installed == null) {
            throw new IllegalStateException(storeClass.getName() + " installed no hooks");
        }
        return (Hooks<S>) installed;
    }
}
