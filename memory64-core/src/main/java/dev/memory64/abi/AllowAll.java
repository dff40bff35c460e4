package dev.memory64.abi;

import dev.memory64.Layer;

/** The policy that grants everything. */
enum AllowAll implements AccessPolicy {
    INSTANCE;

    @Override
    public boolean allowsLayer(Layer layer) {
        return true;
    }

    @Override
    public boolean allowsRange(long offset, long len) {
        return true;
    }

    @Override
    public String toString() {
        return "allowAll";
    }
}
