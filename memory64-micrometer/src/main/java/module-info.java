/**
 * memory64's Micrometer binder: {@link dev.memory64.micrometer.Memory64Metrics} publishes a store's
 * counters and size as meters. Kept out of the core so that the core needs no Micrometer.
 */
// "memory64" is the product name; the digits are part of it, not a version. Micrometer ships an
// automatic module (micrometer.core); the binder's API is Micrometer's MeterBinder, so it is
// required transitively.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.memory64.micrometer {
    requires transitive dev.memory64;
    requires transitive micrometer.core;

    exports dev.memory64.micrometer;
}
