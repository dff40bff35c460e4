package dev.memory64;

import dev.memory64.internal.StoreAccess;

/** The store operations the guest ABI reaches through {@link StoreAccess}, not host API. */
final class StoreHooks implements StoreAccess.Hooks<Memory64Store> {

    @Override
    public void recordError(Memory64Store store) {
        store.storage.countError();
    }
}
