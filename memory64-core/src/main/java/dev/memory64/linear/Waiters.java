package dev.memory64.linear;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The threads parked by {@code memory.atomic.wait32/64} on a shared memory, per address, and their
 * wake-ups by {@code memory.atomic.notify}.
 *
 * <p>Each address has a monitor; a waiter checks the expected value and registers under it, so a
 * store followed by a notify on another thread can never slip between the check and the wait. A
 * notify wakes at most the waiters registered before it (a later arrival waits for the next
 * notify), and each woken waiter consumes one wake-up, so spurious JVM wake-ups are harmless.
 */
final class Waiters {

    /** Every field is guarded by the instance's monitor. */
    private static final class Queue {
        /** Threads waiting now. */
        int waiting;

        /** Wake-ups issued and not yet consumed; at most {@code waiting}. */
        int wakeups;

        /** Moves with every notify that wakes someone; compared only for equality. */
        long generation;
    }

    /** Results of a wait, as the threads proposal numbers them. */
    static final int WOKEN = 0;

    static final int NOT_EQUAL = 1;
    static final int TIMED_OUT = 2;

    /** Not a result of the proposal: the memory was closed while the thread waited. */
    static final int CLOSED = -1;

    private volatile boolean closed;

    private final ConcurrentHashMap<Integer, Queue> queues = new ConcurrentHashMap<>();

    /**
     * Waits at {@code address} while {@code expected} holds, until notified or until {@code
     * timeoutNanos} pass.
     *
     * @param address the address, only a key here
     * @param expected read under the address's monitor: whether the memory holds the expected value
     * @param timeoutNanos the longest wait in nanoseconds; negative waits forever
     * @return {@link #WOKEN}, {@link #NOT_EQUAL}, {@link #TIMED_OUT}, or {@link #CLOSED} once
     *     {@link #close()} ran
     * @throws InterruptedException if the thread is interrupted while waiting (its wake-up, if one
     *     was issued to it, is consumed)
     */
    int await(int address, BooleanSupplier expected, long timeoutNanos)
            throws InterruptedException {
        long start = System.nanoTime();
        Queue queue = queues.computeIfAbsent(address, a -> new Queue());
        synchronized (queue) {
            if (closed) {
                return CLOSED;
            }
            if (!expected.getAsBoolean()) {
                return NOT_EQUAL;
            }
            queue.waiting++;
            long arrival = queue.generation;
            try {
                while (queue.wakeups == 0 || queue.generation == arrival) {
                    if (closed) {
                        return CLOSED;
                    }
                    long remaining =
                            timeoutNanos < 0
                                    ? Long.MAX_VALUE
                                    : timeoutNanos - (System.nanoTime() - start);
                    if (remaining <= 0) {
                        return TIMED_OUT;
                    }
                    if (timeoutNanos < 0) {
                        queue.wait();
                    } else {
                        queue.wait(remaining / 1_000_000L, (int) (remaining % 1_000_000L));
                    }
                }
                return WOKEN;
            } finally {
                if (queue.wakeups > 0 && queue.generation != arrival) {
                    queue.wakeups--;
                }
                queue.waiting--;
            }
        }
    }

    /**
     * Wakes up to {@code count} of the threads waiting at {@code address}.
     *
     * @param address the address, only a key here
     * @param count how many to wake at most, read as unsigned (a negative {@code int} is more than
     *     any number of threads)
     * @return how many were woken
     */
    int notify(int address, int count) {
        Queue queue = queues.get(address);
        if (queue == null || count == 0) {
            return 0;
        }
        synchronized (queue) {
            int sleeping = queue.waiting - queue.wakeups;
            if (sleeping == 0) {
                return 0;
            }
            int woken = count < 0 ? sleeping : Math.min(sleeping, count);
            queue.wakeups += woken;
            queue.generation++;
            queue.notifyAll();
            return woken;
        }
    }

    /**
     * Wakes every waiting thread for good: each returns {@link #CLOSED}, and so does every later
     * wait.
     */
    void close() {
        closed = true;
        for (Queue queue : queues.values()) {
            synchronized (queue) {
                queue.notifyAll();
            }
        }
    }
}
