package dev.memory64;

import dev.memory64.internal.Logging;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;

/** A store's counters as a platform MBean: registration, the bean, and unregistration. */
final class StoreMBean implements Memory64StoreMXBean {

    private static final Logger LOG = Logging.logger(Logging.JMX);

    private final Memory64Store store;

    private StoreMBean(Memory64Store store) {
        this.store = store;
    }

    /**
     * Registers the bean of {@code store} as {@code dev.memory64:type=Memory64Store,name="<name>"}.
     *
     * @throws IllegalStateException if it cannot be registered (e.g. the name is taken)
     */
    static ObjectName register(Memory64Store store) {
        try {
            ObjectName name =
                    new ObjectName(
                            "dev.memory64:type=Memory64Store,name="
                                    + ObjectName.quote(store.name()));
            ManagementFactory.getPlatformMBeanServer()
                    .registerMBean(
                            new StandardMBean(
                                    new StoreMBean(store), Memory64StoreMXBean.class, true),
                            name);
            return name;
        } catch (JMException e) {
            throw new IllegalStateException(
                    "registerMBean: cannot register store \"" + store.name() + "\": " + e, e);
        }
    }

    /** Unregisters a bean; a failure is logged, not thrown (it runs during close). */
    static void unregister(ObjectName name) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.debug("close: cannot unregister MBean {}: {}", name, e.toString());
        }
    }

    @Override
    public long getReads() {
        return store.stats().reads();
    }

    @Override
    public long getWrites() {
        return store.stats().writes();
    }

    @Override
    public long getBytesRead() {
        return store.stats().bytesRead();
    }

    @Override
    public long getBytesWritten() {
        return store.stats().bytesWritten();
    }

    @Override
    public long getErrors() {
        return store.stats().errors();
    }

    @Override
    public long getBytesReleased() {
        return store.stats().bytesReleased();
    }

    @Override
    public long getBytesPrefetched() {
        return store.stats().bytesPrefetched();
    }

    @Override
    public long getWindowBytes() {
        return store.stats().windowBytes();
    }

    @Override
    public String getResidency() {
        return store.residency().toString();
    }

    @Override
    public long getSize() {
        return store.size();
    }

    @Override
    public int getLayerCount() {
        return store.layers().size();
    }

    @Override
    public boolean isClosed() {
        return store.isClosed();
    }
}
