/**
 * The Chicory adapter for memory64: {@link dev.memory64.chicory.Memory64HostFunctions}, the guest
 * ABI as Chicory host functions.
 */
package dev.memory64.chicory;
