package dev.memory64;

/**
 * Told of the progress of a long operation (opening a many-part model, prefetching, verifying), for
 * a progress bar. Called from whichever thread does the work; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    // An anonymous class, not a lambda: the first open in a fresh JVM spins no lambda for it.
    ProgressListener NONE =
            new ProgressListener() {
                @Override
                public void progress(String task, long done, long total) {}
            };

    /**
     * Reports progress.
     *
     * @param task what is being done, for people
     * @param done how much is done, in the task's unit (bytes or parts)
     * @param total how much there is in all
     */
    void progress(String task, long done, long total);
}
