package dev.memory64.testkit;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** The guest values that the ABI's fuzz tests draw, shared by the core's and the adapters'. */
public final class FuzzedGuest {

    /** A Wasm page: 64 KiB. */
    public static final int PAGE = 64 * 1024;

    private FuzzedGuest() {}

    /**
     * A guest pointer: arbitrary, small, just below the memory's end, or just below 2^32.
     *
     * @param data the fuzzer's input
     * @param memorySize the guest memory's size in bytes
     * @return the pointer, an i32 read as unsigned by the ABI
     */
    public static int ptr(FuzzedDataProvider data, long memorySize) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> data.consumeInt();
            case 1 -> data.consumeInt(0, 2 * PAGE);
            case 2 -> (int) (memorySize - data.consumeInt(0, 2 * PAGE));
            default -> -data.consumeInt(0, 2 * PAGE);
        };
    }
}
