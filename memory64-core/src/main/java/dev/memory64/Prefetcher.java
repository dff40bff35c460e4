package dev.memory64;

import dev.memory64.internal.Logging;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * Brings layers' pages in ahead of use on one daemon thread per store, started on first use; at
 * most {@link #IN_FLIGHT} prefetches are queued or running at once, and more are dropped.
 */
final class Prefetcher {

    /** The most prefetches queued or running at once; more are dropped. */
    static final int IN_FLIGHT = 4;

    private static final Logger LOG = Logging.logger(Logging.RESIDENCY);

    private final RegionStorage storage;
    private final Semaphore permits = new Semaphore(IN_FLIGHT);
    private ExecutorService executor;
    private boolean shutdown;

    Prefetcher(RegionStorage storage) {
        this.storage = storage;
    }

    Future<?> prefetch(Layer layer, ProgressListener listener) {
        Future<?> task = submit(() -> touch(layer, listener));
        return task != null ? task : CompletableFuture.completedFuture(null);
    }

    /**
     * Brings the given layout ranges {@code {offset, len}} in, in order, on the prefetch thread,
     * stopping between chunks once {@code stale} says they are no longer wanted.
     *
     * @return false if the prefetch was dropped (too many in flight, or the store is closing)
     */
    boolean prefetchRanges(String task, List<long[]> ranges, BooleanSupplier stale) {
        return submit(
                        () -> {
                            try {
                                for (long[] range : ranges) {
                                    load(range[0], range[1], stale);
                                }
                            } catch (RuntimeException | InternalError e) {
                                LOG.debug("{} stopped: {}", task, e.toString());
                            }
                        })
                != null;
    }

    /** Loads a range (the storage counts what it brings in). */
    private void load(long offset, long len, BooleanSupplier stale) {
        storage.load(
                offset,
                len,
                () -> Thread.currentThread().isInterrupted() || stale.getAsBoolean(),
                done -> {});
    }

    /** Runs {@code work} on the prefetch thread; returns null if it was dropped. */
    private Future<?> submit(Runnable work) {
        if (storage.isClosed() || !permits.tryAcquire()) {
            return null;
        }
        // The permit comes back exactly once: when the task completes, fails or is cancelled.
        FutureTask<Void> task =
                new FutureTask<>(work, null) {
                    @Override
                    protected void done() {
                        permits.release();
                    }
                };
        try {
            executor().execute(task);
        } catch (RuntimeException e) {
            task.cancel(false);
            return null;
        }
        return task;
    }

    private void touch(Layer layer, ProgressListener listener) {
        String task = "prefetch layer " + layer.id() + " (\"" + layer.name() + "\")";
        PrefetchEvent event = PrefetchEvent.start(storage.name(), layer);
        boolean completed = true;
        try {
            long size = layer.size();
            listener.progress(task, 0, size);
            long before = 0;
            for (Layer.Extent e : layer.extents()) {
                long base = before;
                completed &=
                        storage.load(
                                e.offset(),
                                e.size(),
                                () -> Thread.currentThread().isInterrupted(),
                                done -> listener.progress(task, base + done, size));
                before += e.size();
            }
        } catch (RuntimeException | InternalError e) {
            completed = false;
            LOG.debug("{} stopped: {}", task, e.toString());
        } finally {
            PrefetchEvent.end(event, completed);
        }
    }

    private synchronized ExecutorService executor() {
        if (shutdown) {
            throw new IllegalStateException(
                    "prefetcher of store \"" + storage.name() + "\" is shut down");
        }
        if (executor == null) {
            executor =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "memory64-prefetch-" + storage.name());
                                t.setDaemon(true);
                                return t;
                            });
        }
        return executor;
    }

    /** Cancels what is queued, interrupts what runs, and refuses new prefetches. */
    synchronized void shutdown() {
        shutdown = true;
        if (executor != null) {
            for (Runnable queued : executor.shutdownNow()) {
                if (queued instanceof Future<?> future) {
                    future.cancel(false);
                }
            }
        }
    }
}
