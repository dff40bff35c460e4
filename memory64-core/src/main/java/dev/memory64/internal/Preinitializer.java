package dev.memory64.internal;

import org.slf4j.LoggerFactory;

/**
 * Starts the host's SLF4J binding on a background thread while the first open of a model reads its
 * header: the store logs only at the open's end, and SLF4J's first start (a service lookup,
 * reflection, the binding's configuration) takes 20 to 30 ms on a cold JVM with {@code
 * slf4j-simple}, more with a configured logback.
 *
 * <p>{@link #start()} runs it once per JVM on a daemon thread named {@code memory64-preinit}; every
 * logger of ours comes from {@link Logging#logger(Class)}, which first calls {@link #await()}, so
 * that no two threads start SLF4J at once (one would get a substitute logger), and an open awaits
 * it before it returns or throws, so that nothing is left running behind it. With {@code
 * -Dmemory64.preinitialize=false}, or if the JVM refuses a thread, nothing starts early and the
 * first logger pays the cost, as it would anyway. The same idea as Spring Boot's background
 * preinitializer. The JDK's memory sessions (about 20 ms on a cold JVM) are not started here: an
 * open maps its header within milliseconds, so it would wait for them, and on two CPUs the extra
 * thread made the open slower (measured with {@code scripts/measure-open.sh}).
 */
public final class Preinitializer {

    /** Whether {@link #start()} has run in this JVM; read first without the lock. */
    private static volatile boolean started;

    /** The thread doing the work, or null before {@link #start()} or if none started. */
    private static volatile Thread worker;

    private Preinitializer() {}

    /** Starts the background work, once per JVM; later calls return at once. */
    public static void start() {
        if (started) {
            return;
        }
        synchronized (Preinitializer.class) {
            if (started) {
                return;
            }
            started = true;
            if (!Boolean.parseBoolean(System.getProperty("memory64.preinitialize", "true"))) {
                return;
            }
            Thread thread = new Thread(null, new Work(), "memory64-preinit", 0, false);
            thread.setDaemon(true);
            try {
                thread.start();
                worker = thread;
            } catch (OutOfMemoryError noThread) {
                // "unable to create native thread": the first logger pays for SLF4J instead.
            }
        }
    }

    /**
     * Waits until the background work, if it is running, has finished. An interrupt does not cut
     * the wait short (the work takes milliseconds); the thread's interrupt status is kept.
     */
    public static void await() {
        Thread thread = worker;
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The work: a named class, not a lambda, so that it bootstraps nothing more itself. */
    private static final class Work implements Runnable {
        @Override
        public void run() {
            LoggerFactory.getILoggerFactory();
        }
    }
}
