package dev.memory64.model;

import dev.memory64.Memory64Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a model format supplies to {@link ModelOpen}: its header reader, how a part names the rest
 * of its set, its parts' order, its tensors in neutral terms (type numbers included), its naming
 * rule, its refusals, and its metadata for the store.
 *
 * @param <H> the format's parsed header of one part
 */
public interface ModelFormat<H> extends LayerPlan.Refusal {

    /**
     * Returns the format's name, the description of every region of an opened model.
     *
     * @return e.g. {@code "gguf"}
     */
    String name();

    /**
     * Reads and validates a part's header from a file.
     *
     * @param file the part
     * @return the header
     * @throws IOException if the file is not a valid part, or cannot be read
     */
    H read(Path file) throws IOException;

    /**
     * Reads and validates a part's header from positional reads.
     *
     * @param source the part's bytes
     * @param size the part's size in bytes
     * @return the header
     * @throws IOException if the part is not valid, or cannot be read
     */
    H read(HeaderSource source, long size) throws IOException;

    /**
     * Reads and validates a part's header from positional reads, knowing the part's name for its
     * messages; by default {@link #read(HeaderSource, long)}.
     *
     * @param source the part's bytes
     * @param size the part's size in bytes
     * @param name the part's name (a remote part's last path segment)
     * @return the header
     * @throws IOException if the part is not valid, or cannot be read
     */
    default H read(HeaderSource source, long size, Path name) throws IOException {
        return read(source, size);
    }

    /**
     * Returns every part of the set that the part read first belongs to, in any order.
     *
     * @param named the part read first (for a remote part, its last path segment)
     * @param header its header
     * @param files whether the parts are files, which must then exist
     * @return the parts beside {@code named}, resolved against it; {@code [named]} for a model in
     *     one part
     * @throws IOException if the set is not well named or, for files, a part is missing
     */
    List<Path> partsOf(Path named, H header, boolean files) throws IOException;

    /**
     * Checks that the parts form one model and puts both lists in part order.
     *
     * @param names the parts' names, reordered in step with {@code headers}
     * @param headers the parts' headers
     * @throws IOException if the parts do not form one model
     */
    void order(List<Path> names, List<H> headers) throws IOException;

    /**
     * Returns a part's size in bytes, which its region holds.
     *
     * @param header the part's header
     * @return the size
     */
    long size(H header);

    /**
     * Returns a part's tensors, offsets in the part.
     *
     * @param header the part's header
     * @return the tensors
     */
    List<TensorEntry> tensors(H header);

    /**
     * Returns the format's rule from tensor names to layers.
     *
     * @return the naming rule
     */
    LayerNaming naming();

    /**
     * Refuses a tensor that the planner cannot place (see {@link LayerPlan.Refusal}).
     *
     * @param tensor the tensor, offsets in the layout
     * @param why what is wrong
     * @return the exception to throw
     */
    @Override
    IOException refuse(TensorEntry tensor, String why);

    /**
     * Refuses a tensor name found in two parts.
     *
     * @param tensor the tensor as read from {@code part}, offset in the part
     * @param part the part it was found in
     * @param first the part that has it already
     * @return the exception to throw
     */
    IOException repeated(TensorEntry tensor, Path part, Path first);

    /**
     * The one place where a format's key/value metadata goes to the store: called once per open,
     * with the parts' headers in part order, before the store is built.
     *
     * @param headers the parts' headers
     * @param store the builder of the model's store
     */
    default void addMetadata(List<H> headers, Memory64Store.Builder store) {}
}
