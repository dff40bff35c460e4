package dev.memory64;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in transport: one object on an HTTP server, probed by a ranged GET of its first byte
 * (its size from {@code Content-Range}, its {@code ETag} and {@code Last-Modified}), read by ranged
 * GETs that carry {@code If-Range} on the pinned validator. A body is taken only if the answer is
 * exactly the range asked for of the pinned version, and copied into the destination as its buffers
 * arrive. Connection failures, timeouts, 5xx, 429 and 408 are transient; any other answer is a
 * {@link RemoteFetchException}.
 */
final class HttpTransport implements RemoteTransport {

    private static final Pattern CONTENT_RANGE =
            Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);
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
                    return new HttpTransport(uri, options);
                }
            };

    private final URI uri;
    private final RemoteOptions options;
    private final HttpClient client;

    private HttpTransport(URI uri, RemoteOptions options) {
        this.uri = uri;
        this.options = options;
        this.client =
                HttpClient.newBuilder()
                        .connectTimeout(options.requestTimeout())
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
    }

    @Override
    public RemoteIdentity probe() throws RemoteFetchException, TransientFailure {
        HttpResponse<Long> response =
                send(
                        request(0, 1, null),
                        0,
                        RemoteObject.bounded(RemoteObject.into(MemorySegment.ofArray(new byte[1]))),
                        null);
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
                    uri,
                    0,
                    1,
                    status,
                    "the server ignores range requests (it answered a ranged GET with the"
                            + " whole object)",
                    null);
        }
        checkStatus(status, 0, 1);
        Matcher m = CONTENT_RANGE.matcher(header(response, "Content-Range", ""));
        if (!m.matches() || m.group(3).equals("*")) {
            throw new RemoteFetchException(
                    uri,
                    0,
                    1,
                    status,
                    "the answer's Content-Range \""
                            + header(response, "Content-Range", "")
                            + "\" gives no object size",
                    null);
        }
        return new RemoteIdentity(Long.parseLong(m.group(3)), etag, modified);
    }

    /**
     * One attempt: a ranged GET of exactly {@code dst}'s bytes, copied as it arrives if the answer
     * is {@link #exact}; any other answer is refused, saying why.
     */
    @Override
    public void fetch(long offset, RemoteIdentity identity, Destination dst)
            throws RemoteFetchException, TransientFailure {
        long len = dst.size();
        HttpResponse<Long> response = send(request(offset, len, identity), offset, dst, identity);
        if (response.body() >= 0) {
            return; // the core checks that it was all of the range
        }
        int status = response.statusCode();
        if (status == 200 || status == 412) {
            RemoteIdentity answered = answered(response, identity.size());
            boolean changed = status == 412 || !identity.matches(answered);
            throw new RemoteFetchException(
                    uri,
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
        Matcher m = CONTENT_RANGE.matcher(contentRange);
        if (!m.matches()
                || Long.parseLong(m.group(1)) != offset
                || Long.parseLong(m.group(2)) != offset + len - 1
                || (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != identity.size())) {
            boolean otherSize =
                    m.matches()
                            && !m.group(3).equals("*")
                            && Long.parseLong(m.group(3)) != identity.size();
            throw new RemoteFetchException(
                    uri,
                    offset,
                    len,
                    status,
                    "the answer's Content-Range \""
                            + contentRange
                            + "\" is not bytes "
                            + offset
                            + "-"
                            + (offset + len - 1)
                            + "/"
                            + identity.size()
                            + (otherSize ? ": the object changed since it was opened" : ""),
                    null);
        }
        throw new RemoteFetchException(
                uri,
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
        Matcher m = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
        if (!m.matches()
                || Long.parseLong(m.group(1)) != offset
                || Long.parseLong(m.group(2)) != offset + len - 1) {
            return false;
        }
        if (pinned == null) {
            return true;
        }
        String etag = headers.firstValue("ETag").orElse(null);
        return (m.group(3).equals("*") || Long.parseLong(m.group(3)) == pinned.size())
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
        throw new RemoteFetchException(uri, offset, len, status, why, null);
    }

    private HttpRequest request(long offset, long len, RemoteIdentity pinned) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri)
                        .timeout(options.requestTimeout())
                        .header("Range", "bytes=" + offset + "-" + (offset + len - 1))
                        .GET();
        String validator = pinned == null ? null : pinned.validator();
        if (validator != null) {
            builder.header("If-Range", validator);
        }
        return options.decorator().apply(builder).build();
    }

    /**
     * Sends a ranged GET and, when the answer is exactly the range asked for of the pinned version
     * (206, its Content-Range, its size and ETag), copies the body straight into {@code dst} as it
     * arrives; any other answer's body is discarded. The body is the bytes copied, -1 if discarded.
     * The whole exchange, body included, is bounded by the request timeout.
     */
    private HttpResponse<Long> send(
            HttpRequest request, long offset, Destination dst, RemoteIdentity pinned)
            throws RemoteFetchException, TransientFailure {
        long len = dst.size();
        HttpResponse.BodyHandler<Long> handler =
                info ->
                        exact(info.statusCode(), info.headers(), offset, len, pinned)
                                ? new SegmentSubscriber(dst)
                                : HttpResponse.BodySubscribers.replacing(-1L);
        CompletableFuture<HttpResponse<Long>> pending = null;
        try {
            pending = client.sendAsync(request, handler);
            return pending.get(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new TransientFailure(
                    RemoteFetchException.NO_STATUS,
                    "timed out after " + options.requestTimeout(),
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new TransientFailure(
                        RemoteFetchException.NO_STATUS,
                        "timed out after " + options.requestTimeout(),
                        cause);
            }
            if (cause instanceof IOException) {
                throw new TransientFailure(RemoteFetchException.NO_STATUS, cause.toString(), cause);
            }
            throw new RemoteFetchException(
                    uri,
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
                    uri, offset, len, RemoteFetchException.NO_STATUS, "interrupted", e);
        } catch (IllegalStateException e) {
            throw new RemoteFetchException(
                    uri, offset, len, RemoteFetchException.NO_STATUS, "the object is closed", e);
        }
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
    private static RemoteIdentity answered(HttpResponse<?> response, long unknownSize) {
        long size = unknownSize;
        Matcher m = CONTENT_RANGE.matcher(header(response, "Content-Range", ""));
        if (m.matches() && !m.group(3).equals("*")) {
            size = Long.parseLong(m.group(3));
        } else if (response.statusCode() == 200) {
            size = response.headers().firstValueAsLong("Content-Length").orElse(unknownSize);
        }
        return new RemoteIdentity(
                size, header(response, "ETag"), header(response, "Last-Modified"));
    }

    private static String header(HttpResponse<?> response, String name) {
        Optional<String> value = response.headers().firstValue(name);
        return value.orElse(null);
    }

    private static String header(HttpResponse<?> response, String name, String otherwise) {
        return response.headers().firstValue(name).orElse(otherwise);
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
