/**
 * The runtime-neutral linear memory behind every adapter's {@code SegmentMemory}, and the guest
 * memory views the adapters hand to the ABI: exported only to the adapter modules. It sits above
 * the core's API packages (it imports {@code dev.memory64} and {@code dev.memory64.abi}); nothing
 * in the core imports it.
 */
package dev.memory64.linear;
