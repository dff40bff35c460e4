package dev.memory64.abi;

import dev.memory64.Memory64Store;
import java.util.Objects;

/**
 * The options of the guest ABI, held once for every builder that offers them: {@link
 * Memory64Abi.Builder} and each runtime adapter's host-functions builder extend this class, so the
 * {@code withX} methods and their defaults exist in one place.
 *
 * @param <B> the concrete builder, returned by every {@code withX} method for chaining
 */
public abstract class AbiOptions<B extends AbiOptions<B>> {

    boolean enabled = true;
    AccessPolicy policy = AccessPolicy.allowAll();
    boolean readAhead;

    /** Creates options with the defaults: enabled, granting everything, no read-ahead. */
    protected AbiOptions() {}

    /**
     * Returns this builder as its concrete type.
     *
     * @return {@code this}
     */
    protected abstract B self();

    /**
     * Enables or disables memory64 (the origin design's feature flag): a disabled host answers
     * {@code memory64_is_enabled() = 0} and {@link ErrorCode#DISABLED} (-1) everywhere else.
     *
     * @param value whether enabled; true by default
     * @return this builder
     */
    public B withEnabled(boolean value) {
        this.enabled = value;
        return self();
    }

    /**
     * Sets what the guest may read.
     *
     * @param value the policy; {@link AccessPolicy#allowAll()} by default
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public B withAccessPolicy(AccessPolicy value) {
        this.policy = Objects.requireNonNull(value, "policy");
        return self();
    }

    /**
     * Turns on sequential read-ahead: a successful load of layer N, or a successful range load of
     * layer N at offset 0 (where a guest streaming the layer in chunks starts it), starts
     * prefetching layer N+1 if it is granted.
     *
     * @param value whether to read ahead; false by default
     * @return this builder
     */
    public B withReadAhead(boolean value) {
        this.readAhead = value;
        return self();
    }

    /**
     * Builds the ABI over {@code store} with these options, for an adapter's {@code build()}.
     *
     * @param store the store the guest reads
     * @return the ABI
     * @throws NullPointerException if {@code store} is null
     */
    protected final Memory64Abi abi(Memory64Store store) {
        return Memory64Abi.builder(store)
                .withEnabled(enabled)
                .withAccessPolicy(policy)
                .withReadAhead(readAhead)
                .build();
    }
}
