package dev.memory64.llama;

/**
 * One instance of the inference guest ({@code guests/c/llama.c}) under a runtime: its exports and
 * its linear memory, as {@link Llama} drives them. Not thread-safe; {@link Llama} serialises calls.
 */
interface Guest extends AutoCloseable {

    /**
     * Calls an export.
     *
     * @param export the export's name
     * @param args its arguments, each as the runtime's raw long (an f32 as its bits)
     * @return its result, as a long; 0 for an export that returns nothing
     */
    long call(String export, long... args);

    /** Writes bytes into the guest's memory at address. */
    void write(int address, byte[] bytes);

    /** Reads length bytes of the guest's memory at address. */
    byte[] read(int address, int length);

    /** Reads a little-endian int of the guest's memory at address. */
    int readInt(int address);

    /** The guest's linear memory's size in bytes. */
    long memoryBytes();

    /** What the guest wrote to its standard error so far (warnings and the causes of errors). */
    String stderr();

    /** Frees the instance's memory; the guest must not be called again. */
    @Override
    void close();
}
