package dev.memory64;

import dev.memory64.internal.Logging;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The mechanism behind a {@link ResidencyPolicy}: places each reading thread (a streamer) in the
 * stream of layers after every chunk it reads, releases the read-only mapped pages that left every
 * live streamer's window, and prefetches what lies ahead in a streamer's window.
 *
 * <p>Several streamers: each has its own window; a page is released only when it is in no live
 * streamer's window, so a reader behind another never loses what it is about to read, and what
 * stays resident is at most the union of the windows. A streamer whose thread has ended is
 * forgotten at the next sweep. Releasing a page another thread is copying from at that moment is
 * safe: the page is mapped again from the file (the page cache) on its next access.
 *
 * <p>What has been read or prefetched is tracked per layer as one range (the hull of what was
 * touched); a sweep releases the parts of it outside every window.
 */
final class Residency implements ReadObserver {

    /** How far a streamer moves, in bytes, before its window is swept again (BYTES unit). */
    static final long SWEEP_STEP = 32L << 20;

    /** The largest piece one prefetch brings in. */
    static final long PREFETCH_PIECE = 64L << 20;

    private static final Logger LOG = Logging.logger(Logging.RESIDENCY);

    private final ResidencyPolicy policy;
    private final RegionStorage storage;
    private final Prefetcher prefetcher;
    private final Supplier<List<Layer>> layerSource;
    private final Map<Long, Streamer> streamers = new ConcurrentHashMap<>();
    private volatile Index index = Index.of(List.of());
    // Guarded by this: per layer of index, the touched range in layer-local bytes (lo == hi: none).
    private long[] touchedLo = new long[0];
    private long[] touchedHi = new long[0];

    Residency(
            ResidencyPolicy policy,
            RegionStorage storage,
            Prefetcher prefetcher,
            Supplier<List<Layer>> layerSource) {
        this.policy = policy;
        this.storage = storage;
        this.prefetcher = prefetcher;
        this.layerSource = layerSource;
    }

    ResidencyPolicy policy() {
        return policy;
    }

    /**
     * A streamer's window in stream bytes, {@code {lo, hi}}: for {@code LAYERS}, from the start of
     * the layer {@code behind} before {@code layer} to the end of the one {@code ahead} after it;
     * for {@code BYTES}, {@code behind} bytes before {@code position} to {@code ahead} after it;
     * both clamped to the stream {@code [0, prefix[n])}.
     *
     * @param prefix the stream offset of each layer's first byte, then the stream's size
     * @param layer the index of the layer holding the streamer's last byte read
     * @param position the stream offset just past that byte
     */
    static long[] window(ResidencyPolicy policy, long[] prefix, int layer, long position) {
        int n = prefix.length - 1;
        return switch (policy.unit()) {
            case LAYERS ->
                    new long[] {
                        prefix[(int) (layer - Math.min(layer, policy.behind()))],
                        prefix[(int) (layer + 1 + Math.min(n - layer - 1, policy.ahead()))]
                    };
            case BYTES ->
                    new long[] {
                        position - Math.min(position, policy.behind()),
                        position + Math.min(prefix[n] - position, policy.ahead())
                    };
            case OFF -> new long[] {position, position};
        };
    }

    /**
     * The parts of {@code [lo, hi)} that no window covers, in order, as {@code {lo, hi}} pairs.
     *
     * @param windows {@code {lo, hi}} pairs, in any order
     */
    static List<long[]> outside(long lo, long hi, List<long[]> windows) {
        List<long[]> sorted = new ArrayList<>(windows);
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> pieces = new ArrayList<>();
        long cursor = lo;
        for (long[] w : sorted) {
            if (w[0] >= hi) {
                break;
            }
            if (w[1] <= cursor || w[0] >= w[1]) {
                continue;
            }
            if (w[0] > cursor) {
                pieces.add(new long[] {cursor, w[0]});
            }
            cursor = w[1];
            if (cursor >= hi) {
                break;
            }
        }
        if (cursor < hi) {
            pieces.add(new long[] {cursor, hi});
        }
        return pieces;
    }

    /** Bytes the policy may hold resident: the sum of every layer's touched range. */
    synchronized long windowBytes() {
        long sum = 0;
        for (int i = 0; i < touchedLo.length; i++) {
            sum += touchedHi[i] - touchedLo[i];
        }
        return sum;
    }

    /**
     * Tells the policy that the calling thread read {@code [offset, offset + len)} of the layout.
     * Never throws: residency is a hint, and the read it follows has succeeded.
     */
    @Override
    public void onRead(long offset, long len) {
        if (len <= 0) {
            return;
        }
        try {
            track(offset, len);
        } catch (RuntimeException e) {
            LOG.debug("residency after read offset={} len={}: {}", offset, len, e.toString());
        }
    }

    private void track(long offset, long len) {
        Index ix = index();
        int last = ix.extentAt(offset + len - 1);
        if (last < 0) {
            return;
        }
        int first = ix.extentAt(offset);
        int layer = ix.extentLayer[last];
        long localEnd = ix.extentLocal[last] + (offset + len - ix.extentStart[last]);
        long position = ix.prefix[layer] + localEnd;
        Thread thread = Thread.currentThread();
        Streamer streamer = streamers.get(thread.threadId());
        if (streamer == null) { // the capturing lambda only on a thread's first read
            streamer = streamers.computeIfAbsent(thread.threadId(), id -> new Streamer(thread));
        }
        boolean moved =
                streamer.layer != layer
                        || (policy.unit() == ResidencyPolicy.Unit.BYTES
                                && Math.abs(position - streamer.swept) >= SWEEP_STEP);
        if (position < streamer.lo) {
            // Back out of its window (a new pass): what was prefetched is behind it.
            streamer.prefetchedTo = position;
        }
        streamer.position = position;
        streamer.layer = layer;
        List<long[]> release;
        synchronized (this) {
            if (index != ix) {
                return; // the layers changed meanwhile: the next read counts
            }
            long lastStart = Math.max(ix.extentLocal[last], localEnd - len);
            touch(layer, lastStart, localEnd);
            if (first >= 0 && first != last) {
                long firstLocal = ix.extentLocal[first] + (offset - ix.extentStart[first]);
                long firstEnd =
                        ix.extentLocal[first] + (ix.extentEnd[first] - ix.extentStart[first]);
                touch(ix.extentLayer[first], firstLocal, firstEnd);
            }
            if (!moved) {
                release = List.of();
            } else {
                long[] w = window(policy, ix.prefix, layer, position);
                streamer.lo = w[0];
                streamer.hi = w[1];
                streamer.swept = position;
                release = sweep(ix);
            }
        }
        for (long[] piece : release) {
            releaseStream(ix, piece[0], piece[1]);
        }
        prefetchAhead(ix, streamer);
    }

    /**
     * Tells the policy that a whole layer is being prefetched (by {@link Memory64Store#prefetch}),
     * so that its pages are released once no window holds it.
     */
    void prefetched(int layerId) {
        try {
            Index ix = index();
            for (int j = 0; j < ix.layers.size(); j++) {
                if (ix.layers.get(j).id() == layerId) {
                    synchronized (this) {
                        if (index == ix) {
                            touch(j, 0, ix.layers.get(j).size());
                        }
                    }
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("residency after prefetch of layer {}: {}", layerId, e.toString());
        }
    }

    /** Forgets ended streamers, then takes from every layer what lies outside all windows. */
    private List<long[]> sweep(Index ix) {
        List<long[]> windows = new ArrayList<>();
        for (Iterator<Streamer> it = streamers.values().iterator(); it.hasNext(); ) {
            Streamer s = it.next();
            Thread t = s.thread.get();
            if (t == null || !t.isAlive()) {
                it.remove();
            } else if (s.hi > s.lo) {
                windows.add(new long[] {s.lo, s.hi});
            }
        }
        List<long[]> release = new ArrayList<>();
        for (int j = 0; j < touchedLo.length; j++) {
            if (touchedLo[j] >= touchedHi[j]) {
                continue;
            }
            long lo = ix.prefix[j] + touchedLo[j];
            long hi = ix.prefix[j] + touchedHi[j];
            List<long[]> pieces = outside(lo, hi, windows);
            if (pieces.isEmpty()) {
                continue;
            }
            release.addAll(pieces);
            long keptLo = pieces.get(0)[0] == lo ? pieces.get(0)[1] : lo;
            long keptHi =
                    pieces.get(pieces.size() - 1)[1] == hi ? pieces.get(pieces.size() - 1)[0] : hi;
            if (keptLo >= keptHi) {
                touchedLo[j] = 0;
                touchedHi[j] = 0;
            } else {
                touchedLo[j] = keptLo - ix.prefix[j];
                touchedHi[j] = keptHi - ix.prefix[j];
            }
        }
        return release;
    }

    /** Issues prefetches for the part of the streamer's window ahead of it not yet asked for. */
    private void prefetchAhead(Index ix, Streamer streamer) {
        // In layers, the reader itself is bringing in the layer it is in: start after it.
        long start =
                policy.unit() == ResidencyPolicy.Unit.LAYERS
                        ? ix.prefix[streamer.layer + 1]
                        : streamer.position;
        long from = Math.max(streamer.prefetchedTo, start);
        long to = streamer.hi;
        while (from < to) {
            int j = ix.layerAt(from);
            long n = Math.min(Math.min(to, ix.prefix[j + 1]), from + PREFETCH_PIECE) - from;
            long local = from - ix.prefix[j];
            Layer layer = ix.layers.get(j);
            List<long[]> pieces = addresses(layer, local, n);
            long pieceEnd = from + n;
            // Once the reader has passed the piece, loading it would only map released pages.
            if (!prefetcher.prefetchRanges(
                    "prefetch ahead layer " + layer.id() + " +" + local,
                    pieces,
                    () -> streamer.position >= pieceEnd)) {
                break;
            }
            synchronized (this) {
                if (index == ix) {
                    touch(j, local, local + n);
                }
            }
            from += n;
        }
        streamer.prefetchedTo = Math.max(streamer.prefetchedTo, from);
    }

    /** Releases the stream range {@code [lo, hi)}, which may cross layers. */
    private void releaseStream(Index ix, long lo, long hi) {
        long at = lo;
        while (at < hi) {
            int j = ix.layerAt(at);
            long n = Math.min(hi, ix.prefix[j + 1]) - at;
            for (long[] range : addresses(ix.layers.get(j), at - ix.prefix[j], n)) {
                storage.release(range[0], range[1]); // which counts what it gave back
            }
            at += n;
        }
    }

    /** The layout ranges {@code {offset, len}} of the layer-local bytes {@code [local, +n)}. */
    private static List<long[]> addresses(Layer layer, long local, long n) {
        List<long[]> out = new ArrayList<>(1);
        long skip = local;
        long left = n;
        for (Layer.Extent e : layer.extents()) {
            if (left == 0) {
                break;
            }
            if (skip >= e.size()) {
                skip -= e.size();
                continue;
            }
            long take = Math.min(e.size() - skip, left);
            out.add(new long[] {e.offset() + skip, take});
            left -= take;
            skip = 0;
        }
        return out;
    }

    private void touch(int layer, long lo, long hi) {
        if (lo >= hi) {
            return;
        }
        if (touchedLo[layer] >= touchedHi[layer]) {
            touchedLo[layer] = lo;
            touchedHi[layer] = hi;
        } else {
            touchedLo[layer] = Math.min(touchedLo[layer], lo);
            touchedHi[layer] = Math.max(touchedHi[layer], hi);
        }
    }

    private Index index() {
        Index ix = index;
        List<Layer> current = layerSource.get();
        if (ix.layers != current) {
            synchronized (this) {
                ix = index;
                if (ix.layers != current) {
                    ix = Index.of(current);
                    remap(index.layers, ix.layers);
                    // Streamers' positions are in the old stream's coordinates: start them again.
                    streamers.clear();
                    index = ix;
                }
            }
        }
        return ix;
    }

    /** Carries the touched ranges over to a new list of layers, by layer id. Holds the lock. */
    private void remap(List<Layer> before, List<Layer> after) {
        Map<Integer, Integer> at = new HashMap<>();
        for (int i = 0; i < after.size(); i++) {
            at.put(after.get(i).id(), i);
        }
        long[] lo = new long[after.size()];
        long[] hi = new long[after.size()];
        for (int i = 0; i < before.size(); i++) {
            Integer j = at.get(before.get(i).id());
            if (j != null) {
                lo[j] = touchedLo[i];
                hi[j] = touchedHi[i];
            }
        }
        touchedLo = lo;
        touchedHi = hi;
    }

    /** One reading thread's place in the stream. Written by that thread; lo/hi under the lock. */
    private static final class Streamer {
        final WeakReference<Thread> thread;
        int layer = -1;
        volatile long position = -1;
        long swept = Long.MIN_VALUE / 2;
        long prefetchedTo;
        volatile long lo;
        long hi;

        Streamer(Thread thread) {
            this.thread = new WeakReference<>(thread);
        }
    }

    /** The layers in id order laid end to end, and their ranges sorted by layout offset. */
    static final class Index {
        final List<Layer> layers;
        final long[] prefix;
        final long[] extentStart;
        final long[] extentEnd;
        final int[] extentLayer;
        final long[] extentLocal;

        private Index(
                List<Layer> layers,
                long[] prefix,
                long[] extentStart,
                long[] extentEnd,
                int[] extentLayer,
                long[] extentLocal) {
            this.layers = layers;
            this.prefix = prefix;
            this.extentStart = extentStart;
            this.extentEnd = extentEnd;
            this.extentLayer = extentLayer;
            this.extentLocal = extentLocal;
        }

        static Index of(List<Layer> layers) {
            long[] prefix = new long[layers.size() + 1];
            List<long[]> extents = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                prefix[i + 1] = prefix[i] + layer.size();
                long local = 0;
                for (Layer.Extent e : layer.extents()) {
                    extents.add(new long[] {e.offset(), e.end(), i, local});
                    local += e.size();
                }
            }
            extents.sort((a, b) -> Long.compare(a[0], b[0]));
            int n = extents.size();
            long[] start = new long[n];
            long[] end = new long[n];
            int[] layer = new int[n];
            long[] local = new long[n];
            for (int i = 0; i < n; i++) {
                long[] e = extents.get(i);
                start[i] = e[0];
                end[i] = e[1];
                layer[i] = (int) e[2];
                local[i] = e[3];
            }
            return new Index(layers, prefix, start, end, layer, local);
        }

        /** The extent holding a layout offset (the last-starting one if several), or -1. */
        int extentAt(long offset) {
            int i = Arrays.binarySearch(extentStart, offset);
            if (i < 0) {
                i = -i - 2;
            } else {
                while (i + 1 < extentStart.length && extentStart[i + 1] == offset) {
                    i++;
                }
            }
            return i >= 0 && offset < extentEnd[i] ? i : -1;
        }

        /** The index of the layer holding a stream offset below the stream's size. */
        int layerAt(long streamOffset) {
            int i = Arrays.binarySearch(prefix, streamOffset);
            return Math.min(i < 0 ? -i - 2 : i, layers.size() - 1);
        }
    }
}
