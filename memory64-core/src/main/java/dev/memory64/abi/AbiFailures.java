package dev.memory64.abi;

import dev.memory64.Memory64Store;
import dev.memory64.internal.Logging;
import dev.memory64.internal.StoreAccess;
import org.slf4j.Logger;

/**
 * How an ABI call fails: it counts the failure in the store's {@code errors} and logs the call's
 * operands, from its {@link AbiCall} record, at DEBUG, building no string unless DEBUG is on.
 */
final class AbiFailures {

    /** No value: a failure with no value to show. */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = Logging.logger(Memory64Abi.class);

    private static final StoreAccess.Hooks<Memory64Store, ?, ?, ?> STORE =
            StoreAccess.of(Memory64Store.class);

    private final Memory64Store store;

    AbiFailures(Memory64Store store) {
        this.store = store;
    }

    int fail(AbiCall call, ErrorCode code, String reason) {
        return fail(call, code, reason, NONE, NONE);
    }

    int fail(AbiCall call, ErrorCode code, String reason, long value) {
        return fail(call, code, reason, value, NONE);
    }

    /**
     * Counts a failure and logs it at DEBUG with the call's operands and up to two values that say
     * why; builds no string unless DEBUG is on.
     *
     * @return the code's value
     */
    int fail(AbiCall call, ErrorCode code, String reason, long value, long value2) {
        STORE.recordError(store);
        if (LOG.isDebugEnabled()) {
            LOG.debug(message(call, code, reason, value, value2));
        }
        return code.code();
    }

    /** Counts a failure that an exception caused, and logs it at DEBUG with the exception. */
    int failWith(AbiCall call, ErrorCode code, RuntimeException e) {
        STORE.recordError(store);
        if (LOG.isDebugEnabled()) {
            LOG.debug(message(call, code, e.toString()), e);
        }
        return code.code();
    }

    /** Counts a failure no check foresaw (a bug, or a runtime's memory misbehaving): HOST_RANGE. */
    int unexpected(AbiCall call, RuntimeException e) {
        STORE.recordError(store);
        if (LOG.isDebugEnabled()) {
            LOG.debug(message(call, ErrorCode.HOST_RANGE, "unexpected " + e), e);
        }
        return ErrorCode.HOST_RANGE.code();
    }

    /**
     * The DEBUG line of a failure: {@code memory64_load_layer(layer_id=1, dst_ptr=0, max_size=3135)
     * failed with BUFFER_TOO_SMALL (-3): max_size is smaller than the layer size: 3136}; the
     * values, where not {@link #NONE}, follow the reason.
     */
    static String message(AbiCall call, ErrorCode code, String reason, long value, long value2) {
        String because = reason;
        if (value != NONE) {
            because += ": " + value + (value2 != NONE ? ", " + value2 : "");
        }
        return message(call, code, because);
    }

    private static String message(AbiCall call, ErrorCode code, String because) {
        return call.describe() + " failed with " + code + " (" + code.code() + "): " + because;
    }
}
