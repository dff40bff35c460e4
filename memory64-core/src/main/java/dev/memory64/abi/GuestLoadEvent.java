package dev.memory64.abi;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A guest's layer load or raw read ({@code memory64_load_layer}, {@code _load_layer_range}, {@code
 * memory64_read}), as a JDK Flight Recorder event. Costs one volatile read when recording is off:
 * {@link #start} returns null and nothing is allocated.
 */
@Name("dev.memory64.GuestLoad")
@Label("Guest Load")
@Category({"memory64"})
@Description("A guest's layer load or read through the memory64 ABI, with its result")
@StackTrace(false)
final class GuestLoadEvent extends Event {

    private static final EventType TYPE = EventType.getEventType(GuestLoadEvent.class);

    @Label("Function")
    String function;

    @Label("Layer Id")
    @Description("The layer loaded, or -1 for memory64_read")
    int layerId;

    @Label("Offset")
    @Description("The first byte, in the layer (loads) or the layout (reads), unsigned")
    long offset;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Result")
    @Description("The function's result: the bytes copied, or a negative error code")
    int result;

    static GuestLoadEvent start(String function, int layerId, long offset, long len) {
        if (!TYPE.isEnabled()) {
            return null;
        }
        GuestLoadEvent event = new GuestLoadEvent();
        event.function = function;
        event.layerId = layerId;
        event.offset = offset;
        event.bytes = len;
        event.begin();
        return event;
    }

    static int end(GuestLoadEvent event, int result) {
        if (event != null) {
            event.result = result;
            event.commit();
        }
        return result;
    }
}
