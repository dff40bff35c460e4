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
 * A host's read of a store, as a JDK Flight Recorder event. Costs one volatile read when recording
 * is off: {@link #start} returns null and nothing is allocated.
 */
@Name("dev.memory64.HostRead")
@Label("Host Read")
@Category({"memory64"})
@Description("A host read of a memory64 store: the range, the bytes, and whether it succeeded")
@StackTrace(false)
final class HostReadEvent extends Event {

    private static final EventType TYPE = EventType.getEventType(HostReadEvent.class);

    @Label("Store")
    String store;

    @Label("Operation")
    String operation;

    @Label("Offset")
    @Description("The first byte read in the layout, or in the layer for a layer read")
    long offset;

    @Label("Layer Id")
    @Description("The layer read, or -1 for a raw range")
    int layerId;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Succeeded")
    boolean succeeded;

    /** Starts timing a read if the event is enabled; otherwise returns null. */
    static HostReadEvent start(String store, String operation, int layerId, long offset, long len) {
        if (!TYPE.isEnabled()) {
            return null;
        }
        HostReadEvent event = new HostReadEvent();
        event.store = store;
        event.operation = operation;
        event.layerId = layerId;
        event.offset = offset;
        event.bytes = len;
        event.begin();
        return event;
    }

    /** Ends and commits a started event; does nothing for null. */
    static void end(HostReadEvent event, boolean succeeded) {
        if (event != null) {
            event.succeeded = succeeded;
            event.commit();
        }
    }
}
