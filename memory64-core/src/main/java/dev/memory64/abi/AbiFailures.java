package dev.memory64.abi;

import dev.memory64.Memory64Store;
import dev.memory64.internal.Logging;
import dev.memory64.internal.StoreAccess;
import org.slf4j.Logger;

/**
 * How an ABI call fails: it counts the failure in the store's {@code errors} and logs the call's
 * operands at DEBUG, building no string unless DEBUG is on. Operands {@code a, b, c, d} are the
 * call's values in the order of {@link AbiFunction#operands} ({@link #NONE} where a function has
 * fewer).
 */
final class AbiFailures {

    /** No value: an operand a function does not have, or a failure with no value to show. */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = Logging.logger(Memory64Abi.class);

    private static final StoreAccess.Hooks<Memory64Store, ?, ?> STORE =
            StoreAccess.of(Memory64Store.class);

    private final Memory64Store store;

    AbiFailures(Memory64Store store) {
        this.store = store;
    }

    int fail(ErrorCode code, AbiFunction op, String reason, long value, long a, long b, long c) {
        return fail(code, op, reason, value, a, b, c, NONE);
    }

    int fail(
            ErrorCode code,
            AbiFunction op,
            String reason,
            long value,
            long a,
            long b,
            long c,
            long d) {
        return fail(code, op, reason, value, a, b, c, d, NONE);
    }

    /**
     * Counts a failure and logs it at DEBUG with its operands; builds no string unless DEBUG is on.
     *
     * @return the code's value
     */
    int fail(
            ErrorCode code,
            AbiFunction op,
            String reason,
            long value,
            long a,
            long b,
            long c,
            long d,
            long value2) {
        STORE.recordError(store);
        if (LOG.isDebugEnabled()) {
            String because = reason;
            if (value != NONE) {
                because += ": " + value + (value2 != NONE ? ", " + value2 : "");
            }
            LOG.debug(
                    "{} failed with {} ({}): {}",
                    describe(op, a, b, c, d),
                    code,
                    code.code(),
                    because);
        }
        return code.code();
    }

    int failWith(
            ErrorCode code, AbiFunction op, RuntimeException e, long a, long b, long c, long d) {
        STORE.recordError(store);
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "{} failed with {} ({}): {}",
                    describe(op, a, b, c, d),
                    code,
                    code.code(),
                    e.toString(),
                    e);
        }
        return code.code();
    }

    int unexpected(AbiFunction op, RuntimeException e) {
        STORE.recordError(store);
        LOG.debug("{} failed unexpectedly: {}", op.importName(), e.toString(), e);
        return ErrorCode.HOST_RANGE.code();
    }

    /** {@code memory64_read(offset=…, dst_ptr=…, len=…)}: layer ids signed, the rest unsigned. */
    static String describe(AbiFunction op, long a, long b, long c, long d) {
        long[] values = {a, b, c, d};
        StringBuilder text = new StringBuilder(op.importName()).append('(');
        // A function with more operands than four (metadata_read) logs its first four.
        for (int i = 0; i < Math.min(op.operands.length, values.length); i++) {
            String operand = op.operands[i];
            text.append(i == 0 ? "" : ", ").append(operand).append('=');
            text.append(
                    operand.equals("layer_id")
                            ? Long.toString(values[i])
                            : Long.toUnsignedString(values[i]));
        }
        return text.append(')').toString();
    }
}
