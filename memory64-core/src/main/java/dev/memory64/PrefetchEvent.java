package dev.memory64;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A prefetch of a layer's pages, as a JDK Flight Recorder event; nothing is allocated when
 * recording is off.
 */
@Name("dev.memory64.Prefetch")
@Label("Prefetch")
@Category({"memory64"})
@Description("A background prefetch of a memory64 layer's pages")
@StackTrace(false)
final class PrefetchEvent extends Event {

    private static final EventType TYPE = EventType.getEventType(PrefetchEvent.class);

    @Label("Store")
    String store;

    @Label("Layer Id")
    int layerId;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Completed")
    @Description("False if the prefetch was cancelled, interrupted or failed part-way")
    boolean completed;

    static PrefetchEvent start(String store, Layer layer) {
        if (!TYPE.isEnabled()) {
            return null;
        }
        PrefetchEvent event = new PrefetchEvent();
        event.store = store;
        event.layerId = layer.id();
        event.bytes = layer.size();
        event.begin();
        return event;
    }

    static void end(PrefetchEvent event, boolean completed) {
        if (event != null) {
            event.completed = completed;
            event.commit();
        }
    }
}
