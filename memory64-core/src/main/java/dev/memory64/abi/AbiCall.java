package dev.memory64.abi;

import java.lang.foreign.MemorySegment;

/**
 * One ABI call in progress: which function, with which operands. Each host function begins the
 * calling thread's record (one per thread, reused by every call, so nothing is allocated) and hands
 * it to its helpers, so that a failure logs the call's operands from here instead of each helper
 * carrying them. The record also holds the thread's buffers that a call writes records and reads
 * names into.
 *
 * <p>A record is the calling thread's only while the call runs: the next call on the thread begins
 * it afresh (no call re-enters the ABI on its thread: a guest's memory calls nothing back). It
 * holds no reference to a guest or a store, so it keeps none alive.
 */
final class AbiCall {

    /** The most operands a function has ({@code AbiFunctionTest} checks every function's). */
    static final int MAX_OPERANDS = 5;

    /** The largest record a function writes: {@link Memory64Abi#TENSOR_INFO_SIZE} bytes. */
    private static final int RECORD_SIZE = Memory64Abi.TENSOR_INFO_SIZE;

    private static final ThreadLocal<AbiCall> CURRENT = ThreadLocal.withInitial(AbiCall::new);

    private AbiFunction function;
    private final long[] operands = new long[MAX_OPERANDS];

    /** The store's counters, read for {@code memory64_stats_into}. */
    final long[] counters = new long[7];

    /** What a fixed record is assembled in before one write into the guest. */
    final MemorySegment record = MemorySegment.ofArray(new byte[RECORD_SIZE]);

    /** A guest's name or key, read here to be looked up by its bytes. */
    final byte[] name = new byte[Memory64Abi.MAX_NAME_LENGTH];

    /** {@link #name} as a segment, for the guest memory's read. */
    final MemorySegment nameSegment = MemorySegment.ofArray(name);

    private AbiCall() {}

    /** Begins a call, on this thread, of a function with no operands. */
    static AbiCall begin(AbiFunction function) {
        AbiCall call = CURRENT.get();
        call.function = function;
        return call;
    }

    /**
     * Begins a call of a function with one operand. The operands here and below are the guest's
     * values in the order of {@link AbiFunction#operands}: a layer id as its signed {@code int},
     * the others as the unsigned values they are read as.
     */
    static AbiCall begin(AbiFunction function, long a) {
        AbiCall call = begin(function);
        call.operands[0] = a;
        return call;
    }

    /** Begins a call of a function with two operands. */
    static AbiCall begin(AbiFunction function, long a, long b) {
        AbiCall call = begin(function, a);
        call.operands[1] = b;
        return call;
    }

    /** Begins a call of a function with three operands. */
    static AbiCall begin(AbiFunction function, long a, long b, long c) {
        AbiCall call = begin(function, a, b);
        call.operands[2] = c;
        return call;
    }

    /** Begins a call of a function with four operands. */
    static AbiCall begin(AbiFunction function, long a, long b, long c, long d) {
        AbiCall call = begin(function, a, b, c);
        call.operands[3] = d;
        return call;
    }

    /** Begins a call of a function with five operands. */
    static AbiCall begin(AbiFunction function, long a, long b, long c, long d, long e) {
        AbiCall call = begin(function, a, b, c, d);
        call.operands[4] = e;
        return call;
    }

    /** The function called. */
    AbiFunction function() {
        return function;
    }

    /**
     * The call as the guest wrote it, for a log line: {@code memory64_read(offset=…, dst_ptr=…,
     * len=…)}, with a layer id signed and every other operand unsigned.
     */
    String describe() {
        StringBuilder text = new StringBuilder(function.importName()).append('(');
        String[] names = function.operands;
        for (int i = 0; i < names.length; i++) {
            text.append(i == 0 ? "" : ", ").append(names[i]).append('=');
            text.append(
                    names[i].equals("layer_id")
                            ? Long.toString(operands[i])
                            : Long.toUnsignedString(operands[i]));
        }
        return text.append(')').toString();
    }
}
