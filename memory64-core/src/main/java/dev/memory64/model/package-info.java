/**
 * What every model format shares, apart from its header's grammar: the layer plan from tensor names
 * to layers ({@link dev.memory64.model.LayerPlan}), the tensor table it hands the store, and the
 * open flow over a model's parts ({@link dev.memory64.model.ModelOpen}), each part a file or a URI
 * ({@link dev.memory64.model.PartLocation}) that differs only in how its header is read and what
 * backing it yields. A format ({@link dev.memory64.model.ModelFormat}) supplies its header reader,
 * its type numbers and its naming rule ({@link dev.memory64.model.LayerNaming}).
 *
 * <p>Not exported: the formats of this module ({@code dev.memory64.gguf}) stand on it.
 */
package dev.memory64.model;
