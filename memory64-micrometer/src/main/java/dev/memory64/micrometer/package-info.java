/**
 * Micrometer meters for memory64 stores: bind a {@link dev.memory64.micrometer.Memory64Metrics} to
 * a {@link io.micrometer.core.instrument.MeterRegistry}.
 */
package dev.memory64.micrometer;
