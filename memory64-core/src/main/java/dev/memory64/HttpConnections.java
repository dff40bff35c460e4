package dev.memory64;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The remote backing's HTTP/1.1 client for ranged GETs: blocking sockets (plain, or TLS with the
 * JDK's default trust and host name verification), kept alive and reused per origin, each answer's
 * body read into one buffer per thread and handed to the destination as it arrives. It exists
 * because the JDK's {@code HttpClient} spends several times the CPU of a plain socket read on a
 * body (its selector thread, its 16 KiB buffers, its hand-offs between threads):
 * docs/PERFORMANCE.md gives the measurement. It follows no redirect itself: callers see every
 * answer, and decide where a request and its headers go next.
 *
 * <p>It sends what a {@link HttpRequest} holds (its URI, method, headers: the request decorator's
 * too, and the JDK's builder has already refused restricted or malformed ones) and bounds the whole
 * exchange by the request's timeout. A URI the default {@link ProxySelector} sends through a proxy
 * is not for this client ({@link #direct}); the caller sends it through the JDK's.
 */
final class HttpConnections implements AutoCloseable {

    /** The body buffer, one per connection. */
    private static final int BUFFER = 1 << 20;

    /** A body to throw away is read up to this size; a longer one closes its connection. */
    private static final long DRAIN = 64L << 10;

    private final Duration connectTimeout;
    private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>(); // guarded by this
    private final Set<Connection> busy = ConcurrentHashMap.newKeySet();
    private boolean closed; // guarded by this

    HttpConnections(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Picks where an answer's body goes from its status and headers; null discards it. */
    interface Sink {
        RemoteTransport.Destination accept(int status, HttpHeaders headers);
    }

    /**
     * Whether {@code uri} is reached without a proxy (the default {@link ProxySelector} selects
     * none, or there is none), so this client may send it.
     */
    static boolean direct(URI uri) {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector == null) {
            return true;
        }
        List<Proxy> proxies = selector.select(uri);
        return proxies.isEmpty() || proxies.get(0).type() == Proxy.Type.DIRECT;
    }

    /**
     * Sends {@code request} and reads its answer; its body goes to what {@code sink} picks.
     *
     * @throws HttpTimeoutException if the exchange outlasts the request's timeout
     * @throws IOException if the connection fails, the answer is malformed or longer than its
     *     destination, or the destination fails
     */
    HttpTransport.Answer send(HttpRequest request, Duration timeout, Sink sink) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI uri = request.uri();
        String origin = origin(uri);
        for (int attempt = 0; ; attempt++) {
            Connection c = take(origin);
            boolean reused = c != null;
            if (c == null) {
                c = connect(uri, deadline);
            }
            busy.add(c);
            boolean keep = false;
            try {
                c.deadline = deadline;
                c.write(head(request, uri));
                Head head;
                try {
                    head = c.readHead();
                } catch (EOFException stale) {
                    // A kept-alive connection the server closed meanwhile: once, on a new one.
                    if (reused && attempt == 0) {
                        continue;
                    }
                    throw stale;
                }
                RemoteTransport.Destination dst = sink.accept(head.status, head.headers);
                long taken = c.readBody(head, dst);
                keep = head.keepAlive && c.bodyComplete;
                return new HttpTransport.Answer(
                        head.status, head.headers, dst == null ? -1 : taken);
            } catch (SocketTimeoutException e) {
                HttpTimeoutException t = new HttpTimeoutException("timed out after " + timeout);
                t.initCause(e);
                throw t;
            } finally {
                busy.remove(c);
                if (keep) {
                    give(origin, c);
                } else {
                    c.close();
                }
            }
        }
    }

    /**
     * A URI's origin, {@code scheme://host:port} in lower case with the scheme's default port made
     * explicit: what a connection is kept for, and what a credential is sent to.
     */
    static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port(uri);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private synchronized Connection take(String origin) {
        if (closed) {
            throw new IllegalStateException("the connections are closed");
        }
        ArrayDeque<Connection> q = idle.get(origin);
        return q == null ? null : q.pollLast();
    }

    private void give(String origin, Connection c) {
        synchronized (this) {
            if (!closed) {
                idle.computeIfAbsent(origin, k -> new ArrayDeque<>()).addLast(c);
                return;
            }
        }
        c.close();
    }

    private Connection connect(URI uri, long deadline) throws IOException {
        String host = uri.getHost();
        if (host == null) {
            throw new IOException("no host in " + uri);
        }
        int port = port(uri);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            return new Connection(ChannelWire.connect(address, connectTimeout, deadline));
        }
        Socket socket = new Socket();
        boolean success = false;
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, millis(connectTimeout.toNanos()));
            SSLSocket tls =
                    (SSLSocket)
                            ((SSLSocketFactory) SSLSocketFactory.getDefault())
                                    .createSocket(socket, host, port, true);
            socket = tls;
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (!host.isEmpty() && Character.isLetter(host.charAt(host.length() - 1))) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
            tls.setSSLParameters(params);
            tls.setSoTimeout(millis(deadline - System.nanoTime()));
            tls.startHandshake();
            Connection c = new Connection(new StreamWire(tls));
            success = true;
            return c;
        } catch (SocketTimeoutException e) {
            HttpTimeoutException t = new HttpTimeoutException("connect timed out to " + host);
            t.initCause(e);
            throw t;
        } finally {
            if (!success) {
                socket.close();
            }
        }
    }

    /** Milliseconds for a socket timeout from nanoseconds left: at least 1 (0 means forever). */
    private static int millis(long nanos) throws HttpTimeoutException {
        if (nanos <= 0) {
            throw new HttpTimeoutException("timed out");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
    }

    private static byte[] head(HttpRequest request, URI uri) {
        StringBuilder s = new StringBuilder(256);
        String path =
                uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        s.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            s.append('?').append(uri.getRawQuery());
        }
        s.append(" HTTP/1.1\r\nHost: ").append(uri.getRawAuthority()).append("\r\n");
        boolean agent = false;
        for (Map.Entry<String, List<String>> e : request.headers().map().entrySet()) {
            agent |= e.getKey().equalsIgnoreCase("User-Agent");
            for (String v : e.getValue()) {
                s.append(e.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        if (!agent) {
            s.append("User-Agent: memory64\r\n");
        }
        s.append("\r\n");
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An answer's status line and headers, and how its body is delimited. */
    private record Head(
            int status, HttpHeaders headers, long length, boolean chunked, boolean keepAlive) {}

    /** A connection's bytes: reads that end at the deadline, writes, close. */
    private interface Wire {
        /** Reads into {@code dst}; -1 at the end of the stream; a timeout at {@code deadline}. */
        int read(ByteBuffer dst, long deadline) throws IOException;

        void write(ByteBuffer src, long deadline) throws IOException;

        void close();
    }

    /**
     * A plain connection: a non-blocking channel whose reads wait in a selector of its own up to
     * the deadline, so that a body goes from the socket into a direct buffer and from there into
     * the destination (a cache file's {@code pwrite}) with no copy through the heap.
     */
    private static final class ChannelWire implements Wire {
        private final SocketChannel channel;
        private final Selector selector;

        private ChannelWire(SocketChannel channel, Selector selector) {
            this.channel = channel;
            this.selector = selector;
        }

        static ChannelWire connect(InetSocketAddress address, Duration timeout, long deadline)
                throws IOException {
            SocketChannel channel = SocketChannel.open();
            Selector selector = null;
            boolean success = false;
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                selector = Selector.open();
                long end = Math.min(deadline, System.nanoTime() + timeout.toNanos());
                if (!channel.connect(address)) {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                    while (!channel.finishConnect()) {
                        long left = end - System.nanoTime();
                        if (left <= 0) {
                            throw new HttpTimeoutException("connect timed out to " + address);
                        }
                        selector.select(Math.max(1, left / 1_000_000));
                        selector.selectedKeys().clear();
                    }
                }
                ChannelWire wire = new ChannelWire(channel, selector);
                success = true;
                return wire;
            } finally {
                if (!success) {
                    channel.close();
                    if (selector != null) {
                        selector.close();
                    }
                }
            }
        }

        private void await(int op, long deadline) throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("timed out");
            }
            SelectionKey key = channel.keyFor(selector);
            if (key == null) {
                channel.register(selector, op);
            } else {
                key.interestOps(op);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }

        @Override
        public int read(ByteBuffer dst, long deadline) throws IOException {
            while (true) {
                int n = channel.read(dst);
                if (n != 0 || !dst.hasRemaining()) {
                    return n;
                }
                await(SelectionKey.OP_READ, deadline);
            }
        }

        @Override
        public void write(ByteBuffer src, long deadline) throws IOException {
            while (src.hasRemaining()) {
                if (channel.write(src) == 0) {
                    await(SelectionKey.OP_WRITE, deadline);
                }
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
            try {
                selector.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    /** A TLS connection: the socket's streams, each read bounded by the socket's timeout. */
    private static final class StreamWire implements Wire {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private byte[] scratch = new byte[0];

        StreamWire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(ByteBuffer dst, long deadline) throws IOException {
            socket.setSoTimeout(millis(deadline - System.nanoTime()));
            if (dst.hasArray()) {
                int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            if (scratch.length < dst.remaining()) {
                scratch = new byte[dst.remaining()];
            }
            int n = in.read(scratch, 0, dst.remaining());
            if (n > 0) {
                dst.put(scratch, 0, n);
            }
            return n;
        }

        @Override
        public void write(ByteBuffer src, long deadline) throws IOException {
            socket.setSoTimeout(millis(deadline - System.nanoTime()));
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    /**
     * One connection: its wire, the bytes read past the head, and its body buffer (direct, so a
     * plain socket's bytes reach the destination without a heap copy).
     */
    private static final class Connection {
        private final Wire wire;
        private final ByteBuffer buffered = ByteBuffer.allocate(16 << 10).flip();
        private ByteBuffer body;
        private long deadline;
        private boolean bodyComplete;

        Connection(Wire wire) {
            this.wire = wire;
        }

        void write(byte[] head) throws IOException {
            wire.write(ByteBuffer.wrap(head), deadline);
        }

        /** One line of the head, without its CRLF; EOF before its first byte is an EOFException. */
        private String line(boolean first) throws IOException {
            StringBuilder s = new StringBuilder(64);
            while (true) {
                if (!buffered.hasRemaining()) {
                    buffered.clear();
                    int n = wire.read(buffered, deadline);
                    buffered.flip();
                    if (n <= 0) {
                        throw new EOFException(
                                first && s.isEmpty()
                                        ? "the connection closed before an answer"
                                        : "the connection closed in the middle of an answer");
                    }
                }
                char ch = (char) (buffered.get() & 0xff);
                if (ch == '\n') {
                    int n = s.length();
                    return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
                }
                if (s.length() > 64 << 10) {
                    throw new IOException("an answer's header line is longer than 64 KiB");
                }
                s.append(ch);
            }
        }

        Head readHead() throws IOException {
            bodyComplete = false;
            while (true) {
                String status = line(true);
                // "HTTP/1.1 206 Partial Content"
                if (!status.startsWith("HTTP/1.") || status.length() < 12) {
                    throw new IOException("not an HTTP/1.x answer: \"" + status + "\"");
                }
                int code;
                try {
                    code = Integer.parseInt(status.substring(9, 12));
                } catch (NumberFormatException e) {
                    throw new IOException("no status in \"" + status + "\"", e);
                }
                Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                int count = 0;
                for (String h = line(false); !h.isEmpty(); h = line(false)) {
                    int colon = h.indexOf(':');
                    if (colon <= 0 || ++count > 256) {
                        throw new IOException("a malformed or 257th header line: \"" + h + "\"");
                    }
                    map.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>(1))
                            .add(h.substring(colon + 1).trim());
                }
                if (code >= 100 && code < 200) {
                    continue; // an interim answer; the real one follows
                }
                HttpHeaders headers = HttpHeaders.of(map, (k, v) -> true);
                boolean chunked =
                        headers.firstValue("Transfer-Encoding")
                                .map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
                                .orElse(false);
                long length = chunked ? -1 : headers.firstValueAsLong("Content-Length").orElse(-1);
                if (code == 204 || code == 304) {
                    length = 0;
                }
                boolean keepAlive =
                        status.startsWith("HTTP/1.1")
                                && !headers.firstValue("Connection")
                                        .map(v -> v.equalsIgnoreCase("close"))
                                        .orElse(false)
                                && (chunked || length >= 0);
                return new Head(code, headers, length, chunked, keepAlive);
            }
        }

        /**
         * Reads the body into {@code dst} (null: discards it, or leaves a long one unread and the
         * connection to be closed); returns the bytes handed over.
         */
        long readBody(Head head, RemoteTransport.Destination dst) throws IOException {
            if (dst == null && (head.chunked || head.length < 0 || head.length > DRAIN)) {
                return -1; // not worth reading: the connection is closed instead
            }
            long taken = 0;
            if (head.chunked) {
                while (true) {
                    String size = line(false);
                    int semi = size.indexOf(';');
                    long n;
                    try {
                        n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    } catch (NumberFormatException e) {
                        throw new IOException("a malformed chunk size \"" + size + "\"", e);
                    }
                    if (n == 0) {
                        while (!line(false).isEmpty()) {
                            // trailers: ignored
                        }
                        break;
                    }
                    taken = copy(n, taken, dst);
                    line(false);
                }
            } else if (head.length >= 0) {
                taken = copy(head.length, 0, dst);
            } else {
                taken = copy(Long.MAX_VALUE, 0, dst);
            }
            bodyComplete = true;
            return taken;
        }

        /** Copies {@code n} body bytes (to the end of the stream if MAX_VALUE) after {@code at}. */
        private long copy(long n, long at, RemoteTransport.Destination dst) throws IOException {
            long left = n;
            while (left > 0) {
                ByteBuffer b;
                if (buffered.hasRemaining()) {
                    b =
                            buffered.slice(
                                    buffered.position(),
                                    (int) Math.min(buffered.remaining(), left));
                    buffered.position(buffered.position() + b.remaining());
                } else {
                    if (body == null) {
                        body = ByteBuffer.allocateDirect(BUFFER);
                    }
                    b = body.clear().limit((int) Math.min(BUFFER, left));
                    if (wire.read(b, deadline) < 0) {
                        if (n == Long.MAX_VALUE) {
                            return at;
                        }
                        throw new EOFException(
                                "the answer ended after "
                                        + (n - left)
                                        + " of "
                                        + n
                                        + " body bytes");
                    }
                    b.flip();
                }
                int k = b.remaining();
                if (dst != null) {
                    if (k > dst.size() - at) {
                        throw new IOException(
                                "the answer is longer than the " + dst.size() + " bytes asked");
                    }
                    dst.write(at, b);
                }
                at += k;
                left -= k;
            }
            return at;
        }

        void close() {
            wire.close();
        }
    }

    /** Closes every connection, idle or in use (a read in progress fails). */
    @Override
    public void close() {
        List<Connection> all = new ArrayList<>(busy);
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Connection::close);
    }
}
