/**
 * Safetensors checkpoints as stores: {@link dev.memory64.safetensors.SafetensorsModel} opens a
 * file, a sharded set or its index, from disk or over HTTP(S); {@link
 * dev.memory64.safetensors.SafetensorsFile} reads and checks one header; {@link
 * dev.memory64.safetensors.SafetensorsWriter} writes checkpoints.
 */
package dev.memory64.safetensors;
