package dev.memory64.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * memory64's loggers: every one comes from {@link #logger(Class)}, which first waits for the {@link
 * Preinitializer} (it may be starting SLF4J on another thread, and two threads starting SLF4J at
 * once give one of them a substitute logger).
 */
public final class Logging {

    private Logging() {}

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
