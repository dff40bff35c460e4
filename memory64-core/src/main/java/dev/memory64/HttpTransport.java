package dev.memory64;

import dev.memory64.internal.ContentRange;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in transport: one object on an HTTP server, probed by a ranged GET of its first byte
 * (its size from {@code Content-Range}, its {@code ETag} and {@code Last-Modified}), read by ranged
 * GETs that carry {@code If-Range} on the pinned validator. A body is taken only if the answer is
 * exactly the range asked for of the pinned version, and copied into the destination as it arrives.
 * Connection failures, timeouts, 5xx, 429 and 408 are transient; any other answer is a {@link
 * RemoteFetchException}.
 *
 * <p>Requests go through {@link HttpConnections} (the JDK's {@code HttpClient} only for a URI the
 * default proxy selector sends through a proxy). Redirects are followed here, by hand, at most
 * {@link #MAX_REDIRECTS}: to the same origin with the request as decorated, to another origin with
 * only {@code Range} and {@code If-Range} (no credential the decorator added goes to another host);
 * one from {@code https} to {@code http} is refused.
 */
final class HttpTransport implements RemoteTransport {

    /** The most redirects one request follows. */
    static final int MAX_REDIRECTS = 5;

    private static final Pattern UNSATISFIED =
            Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);

    /** The provider of {@code http} and {@code https}. */
    static final RemoteTransportProvider PROVIDER =
            new RemoteTransportProvider() {
                @Override
                public Set<String> schemes() {
                    return Set.of("http", "https");
                }

                @Override
                public RemoteTransport open(URI uri, RemoteOptions options) {
                    return new HttpTransport(uri, uri, options, options.decorator(), true);
                }
            };

    private final URI uri;
    private final URI name;
    private final RemoteOptions options;
    private final UnaryOperator<HttpRequest.Builder> decorator;
    private final boolean followRedirects;
    private final HttpConnections connections;
    private HttpClient client; // guarded by this; made for the first request through a proxy
    private boolean closed; // guarded by this

    /**
     * A transport for {@code uri}.
     *
     * @param name what messages name (the URI the caller opened, where it is not {@code uri})
     * @param decorator applied to every request for {@code uri}'s origin
     * @param followRedirects whether a redirect is followed, else answered as it is
     */
    HttpTransport(
            URI uri,
            URI name,
            RemoteOptions options,
            UnaryOperator<HttpRequest.Builder> decorator,
            boolean followRedirects) {
        this.uri = uri;
        this.name = name;
        this.options = options;
        this.decorator = decorator;
        this.followRedirects = followRedirects;
        this.connections = new HttpConnections(options.requestTimeout());
    }

    @Override
    public RemoteIdentity probe() throws RemoteFetchException, TransientFailure {
        return identity(send(request(0, 1, null), 0, probeDestination(), null));
    }

    /** Where a probe's one byte goes. */
    static Destination probeDestination() {
        return RemoteObject.bounded(RemoteObject.into(MemorySegment.ofArray(new byte[1])));
    }

    /**
     * The identity a probe's answer gives: its size from {@code Content-Range}, its {@code ETag}
     * and {@code Last-Modified}.
     *
     * @throws RemoteFetchException if it gives none (the message says why)
     */
    RemoteIdentity identity(Answer response) throws RemoteFetchException, TransientFailure {
        int status = response.statusCode();
        String etag = header(response, "ETag");
        String modified = header(response, "Last-Modified");
        if (status == 416) {
            Matcher m = UNSATISFIED.matcher(header(response, "Content-Range", ""));
            if (m.matches() && Long.parseLong(m.group(1)) == 0) {
                return new RemoteIdentity(0, etag, modified);
            }
        }
        if (status == 200) {
            throw new RemoteFetchException(
                    name,
                    0,
                    1,
                    status,
                    "the server ignores range requests (it answered a ranged GET with the"
                            + " whole object)",
                    null);
        }
        checkStatus(status, 0, 1);
        ContentRange range = ContentRange.parse(header(response, "Content-Range", ""));
        if (range == null || range.total() == ContentRange.UNKNOWN) {
            throw new RemoteFetchException(
                    name,
                    0,
                    1,
                    status,
                    "the answer's Content-Range \""
                            + header(response, "Content-Range", "")
                            + "\" gives no object size",
                    null);
        }
        return new RemoteIdentity(range.total(), etag, modified);
    }

    /**
     * One attempt: a ranged GET of exactly {@code dst}'s bytes, copied as it arrives if the answer
     * is {@link #exact}; any other answer is refused, saying why.
     */
    @Override
    public void fetch(long offset, RemoteIdentity identity, Destination dst)
            throws RemoteFetchException, TransientFailure {
        long len = dst.size();
        Answer response = send(request(offset, len, identity), offset, dst, identity);
        if (response.body() >= 0) {
            return; // the core checks that it was all of the range
        }
        int status = response.statusCode();
        if (status == 200 || status == 412) {
            RemoteIdentity answered = answered(response, identity.size());
            boolean changed = status == 412 || !identity.matches(answered);
            throw new RemoteFetchException(
                    name,
                    offset,
                    len,
                    status,
                    changed
                            ? "the object changed since it was opened (pinned "
                                    + identity
                                    + ", now "
                                    + answered
                                    + ")"
                            : "the server ignores range requests (it answered a ranged"
                                    + " GET with the whole object)",
                    null);
        }
        checkStatus(status, offset, len);
        // A 206, but not of exactly this range of the pinned object: say which part is wrong.
        String contentRange = header(response, "Content-Range", "");
        ContentRange range = ContentRange.parse(contentRange);
        boolean otherSize = range != null && range.namesOtherSize(identity.size());
        if (range == null || !range.isExactly(offset, len) || otherSize) {
            throw new RemoteFetchException(
                    name,
                    offset,
                    len,
                    status,
                    ContentRange.notExactly(contentRange, offset, len, identity.size())
                            + (otherSize ? ": the object changed since it was opened" : ""),
                    null);
        }
        throw new RemoteFetchException(
                name,
                offset,
                len,
                status,
                "the object changed since it was opened (ETag "
                        + header(response, "ETag")
                        + ", pinned "
                        + identity.etag()
                        + ")",
                null);
    }

    /**
     * Whether an answer is exactly the range asked for, of the pinned version when there is one
     * (null while probing): a 206 whose Content-Range is {@code offset}-{@code offset + len - 1} of
     * the pinned size (or of an unknown one) and whose ETag, if both have one, is the pinned one.
     * The one rule by which a body is taken; {@link #fetch} only says why one was not.
     */
    private static boolean exact(
            int status, HttpHeaders headers, long offset, long len, RemoteIdentity pinned) {
        if (status != 206) {
            return false;
        }
        ContentRange range = ContentRange.parse(headers.firstValue("Content-Range").orElse(""));
        if (range == null || !range.isExactly(offset, len)) {
            return false;
        }
        if (pinned == null) {
            return true;
        }
        String etag = headers.firstValue("ETag").orElse(null);
        return !range.namesOtherSize(pinned.size())
                && (pinned.etag() == null || etag == null || pinned.etag().equals(etag));
    }

    private void checkStatus(int status, long offset, long len)
            throws RemoteFetchException, TransientFailure {
        if (status == 206) {
            return;
        }
        if (status >= 500 || status == 429 || status == 408) {
            throw new TransientFailure(status, "the server answered " + status, null);
        }
        String why =
                switch (status) {
                    case 404 -> "the object does not exist (404 Not Found)";
                    case 403 -> "access is denied (403 Forbidden): check the request decorator";
                    case 401 -> "the request is not authorised (401): check the request decorator";
                    case 416 ->
                            "the range is not satisfiable (416): the object is shorter than"
                                    + " pinned, it changed since it was opened";
                    default -> "unexpected answer to a ranged GET";
                };
        throw new RemoteFetchException(name, offset, len, status, why, null);
    }

    /**
     * An answer: its status, its headers, and the body's bytes handed to the destination, or -1 if
     * the body was not for it (discarded).
     */
    record Answer(int statusCode, HttpHeaders headers, long body) {}

    /** A ranged GET of {@code [offset, offset + len)} for this transport's URI, decorated. */
    HttpRequest request(long offset, long len, RemoteIdentity pinned) {
        return decorator.apply(undecorated(offset, len, pinned)).build();
    }

    private HttpRequest.Builder undecorated(long offset, long len, RemoteIdentity pinned) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri)
                        .timeout(options.requestTimeout())
                        .header("Range", "bytes=" + offset + "-" + (offset + len - 1))
                        .GET();
        String validator = pinned == null ? null : pinned.validator();
        if (validator != null) {
            builder.header("If-Range", validator);
        }
        return builder;
    }

    /**
     * Sends a ranged GET, following redirects if this transport does, and, when the answer is
     * exactly the range asked for of the pinned version (206, its Content-Range, its size and
     * ETag), copies the body straight into {@code dst} as it arrives; any other answer's body is
     * discarded. Each exchange, body included, is bounded by the request timeout.
     */
    private Answer send(HttpRequest request, long offset, Destination dst, RemoteIdentity pinned)
            throws RemoteFetchException, TransientFailure {
        long len = dst.size();
        HttpConnections.Sink sink =
                (status, headers) -> exact(status, headers, offset, len, pinned) ? dst : null;
        for (int redirects = 0; ; redirects++) {
            Answer answer = exchange(request, offset, len, sink);
            URI next = followRedirects ? redirect(request.uri(), answer, offset, len) : null;
            if (next == null) {
                return answer;
            }
            if (redirects == MAX_REDIRECTS) {
                throw new RemoteFetchException(
                        name,
                        offset,
                        len,
                        answer.statusCode(),
                        "more than " + MAX_REDIRECTS + " redirects",
                        null);
            }
            boolean sameOrigin = HttpConnections.origin(next).equals(HttpConnections.origin(uri));
            request =
                    HttpRequest.newBuilder(
                                    request,
                                    (header, value) ->
                                            sameOrigin
                                                    || header.equalsIgnoreCase("Range")
                                                    || header.equalsIgnoreCase("If-Range"))
                            .uri(next)
                            .build();
        }
    }

    /**
     * Where a redirect answer sends the request next, or null if the answer is not a redirect (3xx
     * with a {@code Location}).
     *
     * @throws RemoteFetchException if it goes from {@code https} to {@code http}, or its location
     *     is not a URI
     */
    URI redirect(URI from, Answer answer, long offset, long len) throws RemoteFetchException {
        int status = answer.statusCode();
        String location = answer.headers().firstValue("Location").orElse(null);
        if (status < 300 || status > 399 || status == 304 || location == null) {
            return null;
        }
        URI next;
        try {
            next = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new RemoteFetchException(
                    name, offset, len, status, "the redirect's Location is not a URI", e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme();
        if ("https".equalsIgnoreCase(from.getScheme()) && !scheme.equalsIgnoreCase("https")) {
            throw new RemoteFetchException(
                    name,
                    offset,
                    len,
                    status,
                    "refused a redirect from https to "
                            + (scheme.isEmpty() ? "no scheme" : scheme)
                            + " ("
                            + HttpConnections.origin(next)
                            + ")",
                    null);
        }
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw new RemoteFetchException(
                    name, offset, len, status, "refused a redirect to scheme " + scheme, null);
        }
        return next;
    }

    /**
     * One request and its answer, no redirect followed: through {@link HttpConnections}, or the
     * JDK's client where a proxy is configured for the URI.
     */
    Answer exchange(HttpRequest request, long offset, long len, HttpConnections.Sink sink)
            throws RemoteFetchException, TransientFailure {
        if (!HttpConnections.direct(request.uri())) {
            return exchangeThroughProxy(request, offset, len, sink);
        }
        try {
            return connections.send(request, options.requestTimeout(), sink);
        } catch (HttpTimeoutException e) {
            throw new TransientFailure(
                    RemoteFetchException.NO_STATUS,
                    "timed out after " + options.requestTimeout(),
                    e);
        } catch (IOException | InternalError e) {
            // InternalError: the cache's file system is full under an overcommitted page.
            throw new TransientFailure(RemoteFetchException.NO_STATUS, e.toString(), e);
        } catch (IllegalStateException e) {
            throw new RemoteFetchException(
                    name, offset, len, RemoteFetchException.NO_STATUS, "the object is closed", e);
        }
    }

    private Answer exchangeThroughProxy(
            HttpRequest request, long offset, long len, HttpConnections.Sink sink)
            throws RemoteFetchException, TransientFailure {
        HttpResponse.BodyHandler<Long> handler =
                info -> {
                    Destination dst = sink.accept(info.statusCode(), info.headers());
                    return dst != null
                            ? new SegmentSubscriber(dst)
                            : HttpResponse.BodySubscribers.replacing(-1L);
                };
        CompletableFuture<HttpResponse<Long>> pending = null;
        try {
            pending = proxyClient().sendAsync(request, handler);
            HttpResponse<Long> r =
                    pending.get(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new TransientFailure(
                    RemoteFetchException.NO_STATUS,
                    "timed out after " + options.requestTimeout(),
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new TransientFailure(
                        RemoteFetchException.NO_STATUS,
                        "timed out after " + options.requestTimeout(),
                        cause);
            }
            if (cause instanceof IOException) {
                throw new TransientFailure(RemoteFetchException.NO_STATUS, cause.toString(), cause);
            }
            throw new RemoteFetchException(
                    name,
                    offset,
                    len,
                    RemoteFetchException.NO_STATUS,
                    "the fetch failed: " + cause,
                    cause);
        } catch (InterruptedException e) {
            if (pending != null) {
                pending.cancel(true);
            }
            Thread.currentThread().interrupt();
            throw new RemoteFetchException(
                    name, offset, len, RemoteFetchException.NO_STATUS, "interrupted", e);
        } catch (IllegalStateException e) {
            throw new RemoteFetchException(
                    name, offset, len, RemoteFetchException.NO_STATUS, "the object is closed", e);
        }
    }

    /** The JDK's client, for URIs sent through a proxy; it follows no redirect itself. */
    private synchronized HttpClient proxyClient() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (client == null) {
            client =
                    HttpClient.newBuilder()
                            .connectTimeout(options.requestTimeout())
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
        }
        return client;
    }

    /** Hands a body to a destination as its buffers arrive; completes with the bytes taken. */
    private static final class SegmentSubscriber implements HttpResponse.BodySubscriber<Long> {
        private final Destination dst;
        private final CompletableFuture<Long> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long at;

        SegmentSubscriber(Destination dst) {
            this.dst = dst;
        }

        @Override
        public CompletionStage<Long> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    dst.write(at, b);
                    at += n;
                }
            } catch (IOException | RuntimeException | InternalError e) {
                // InternalError: the cache's file system is full under an overcommitted page.
                subscription.cancel();
                result.completeExceptionally(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(at);
        }
    }

    /** The version an answer names; {@code size} where it names none. */
    private static RemoteIdentity answered(Answer response, long unknownSize) {
        long size = unknownSize;
        ContentRange range = ContentRange.parse(header(response, "Content-Range", ""));
        if (range != null && range.total() != ContentRange.UNKNOWN) {
            size = range.total();
        } else if (response.statusCode() == 200) {
            size = response.headers().firstValueAsLong("Content-Length").orElse(unknownSize);
        }
        return new RemoteIdentity(
                size, header(response, "ETag"), header(response, "Last-Modified"));
    }

    static String header(Answer response, String name) {
        Optional<String> value = response.headers().firstValue(name);
        return value.orElse(null);
    }

    private static String header(Answer response, String name, String otherwise) {
        return response.headers().firstValue(name).orElse(otherwise);
    }

    @Override
    public void close() {
        HttpClient proxied;
        synchronized (this) {
            closed = true;
            proxied = client;
        }
        connections.close();
        if (proxied != null) {
            proxied.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return name.toString();
    }
}
