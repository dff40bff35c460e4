package dev.memory64.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * memory64's loggers: every one comes from {@link #logger(String)} or {@link #logger(Class)}, which
 * first wait for the {@link Preinitializer} (it may be starting SLF4J on another thread, and two
 * threads starting SLF4J at once give one of them a substitute logger).
 */
public final class Logging {

    /**
     * The store: opened and closed (INFO), every rejected or failed host access (DEBUG). The parts
     * below log under names beneath it, so that one setting covers the whole store.
     */
    public static final String STORE = "dev.memory64.store";

    /** Remote regions: an object's identity when opened, retried fetches, failed loads. */
    public static final String REMOTE = STORE + ".remote";

    /** The prefetcher and the residency policy: stopped prefetches, residency failures. */
    public static final String RESIDENCY = STORE + ".residency";

    /** The store's JMX MBean: unregistration failures. */
    public static final String JMX = STORE + ".jmx";

    private Logging() {}

    /**
     * Returns the SLF4J logger of one part of memory64 (one of the names above), once a background
     * start has finished.
     *
     * @param name the logger's name
     * @return the logger
     */
    public static Logger logger(String name) {
        Preinitializer.await();
        return LoggerFactory.getLogger(name);
    }

    /**
     * Returns the SLF4J logger named after {@code owner}, once a background start has finished.
     *
     * @param owner the class whose name the logger takes
     * @return the logger
     */
    public static Logger logger(Class<?> owner) {
        Preinitializer.await();
        return LoggerFactory.getLogger(owner);
    }
}
