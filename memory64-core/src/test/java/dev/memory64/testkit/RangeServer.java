package dev.memory64.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-process HTTP server (the JDK's {@code com.sun.net.httpserver}) serving one object at
 * {@code /object} with byte ranges, {@code ETag} and {@code If-Range}, into which a test injects
 * faults precisely: statuses answered before the object, a held answer (for timeouts), ranges
 * ignored, a wrong {@code Content-Range}, a replaced object.
 */
public final class RangeServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile byte[] content;
    private volatile String etag;
    private int version;

    /** Statuses answered, one per request, before the object is served again. */
    public final Queue<Integer> faults = new ConcurrentLinkedQueue<>();

    /** Every request's {@code Range} header (or "none"), in order. */
    public final List<String> ranges = new CopyOnWriteArrayList<>();

    /** Released once per request that arrives, before it is answered. */
    public final Semaphore arrived = new Semaphore(0);

    /** When set, every answer waits for it first. */
    public volatile CountDownLatch hold;

    /** Answer every request with the whole object (200), as a server without range support. */
    public volatile boolean ignoreRanges;

    /** Answer with a {@code Content-Range} one byte off. */
    public volatile boolean wrongContentRange;

    /**
     * Starts a server on 127.0.0.1 on a free port serving {@code content}.
     *
     * @param content the object
     * @throws IOException if the server cannot bind
     */
    public RangeServer(byte[] content) throws IOException {
        replace(content);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Replaces the object: a new version with a new {@code ETag}.
     *
     * @param bytes the new object
     */
    public synchronized void replace(byte[] bytes) {
        content = bytes;
        etag = "\"v" + (++version) + "-" + bytes.length + "\"";
    }

    /**
     * The object's URI.
     *
     * @return {@code http://127.0.0.1:PORT/object}
     */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/object");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "none" : range);
            arrived.release();
            CountDownLatch gate = hold;
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Integer fault = faults.poll();
            if (fault != null) {
                exchange.sendResponseHeaders(fault, -1);
                return;
            }
            byte[] data;
            String tag;
            synchronized (this) {
                data = content;
                tag = etag;
            }
            exchange.getResponseHeaders().add("ETag", tag);
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
            String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m == null
                    || !m.matches()
                    || ignoreRanges
                    || (ifRange != null && !ifRange.equals(tag))) {
                exchange.sendResponseHeaders(200, data.length == 0 ? -1 : data.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(data);
                }
                return;
            }
            long start = Long.parseLong(m.group(1));
            long end = Math.min(Long.parseLong(m.group(2)), data.length - 1L);
            if (start >= data.length) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + data.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            long shown = wrongContentRange ? start + 1 : start;
            exchange.getResponseHeaders()
                    .add("Content-Range", "bytes " + shown + "-" + end + "/" + data.length);
            exchange.sendResponseHeaders(206, end - start + 1);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(data, (int) start, (int) (end - start + 1));
            }
        }
    }

    @Override
    public void close() {
        CountDownLatch gate = hold;
        if (gate != null) {
            gate.countDown();
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
