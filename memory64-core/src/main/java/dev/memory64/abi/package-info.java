/**
 * The runtime-neutral guest ABI: error codes, the {@link dev.memory64.abi.GuestMemory} a Wasm
 * runtime adapter provides, and the logic of every host function, shared by all adapters.
 */
package dev.memory64.abi;
