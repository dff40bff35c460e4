package dev.memory64;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.function.UnaryOperator;

/**
 * One {@code hf://} file: the probe walks the Hub's {@code resolve} URL and its redirects by hand
 * (the token and the decorator only on requests for the endpoint's origin), pins the Hub's {@code
 * X-Linked-Etag} (else the served {@code ETag}) as the identity, and keeps the URL it landed on
 * (the CDN's signed URL) with that server's own validators; range requests then go there directly,
 * as an {@link HttpTransport} of that URL. A CDN URL that stops being accepted (401, 403: a
 * signature that expired) is resolved once again through the Hub, and used only if the Hub still
 * names the pinned version.
 */
final class HubTransport implements RemoteTransport {

    private final URI uri;
    private final URI resolve;
    private final HuggingFaceHub hub;
    private final RemoteOptions options;

    /** Where ranges are fetched from, and its own identity; set by {@link #probe}. */
    private volatile Landing landing;

    private volatile boolean closed;

    /**
     * The URL a resolve landed on, as a transport; the version that server serves (its own
     * validators, for {@code If-Range}); the version pinned (the Hub's linked ETag, if it sent
     * one).
     */
    private record Landing(
            HttpTransport transport, RemoteIdentity served, RemoteIdentity identity) {}

    HubTransport(URI uri, URI resolve, HuggingFaceHub hub, RemoteOptions options) {
        this.uri = uri;
        this.resolve = resolve;
        this.hub = hub;
        this.options = options;
    }

    /** A transport for one URL: credentials (token, decorator) only if it is the Hub's origin. */
    private HttpTransport transport(URI at, boolean followRedirects) {
        UnaryOperator<HttpRequest.Builder> credentials = UnaryOperator.identity();
        if (HttpConnections.origin(at).equals(hub.origin())) {
            String token = hub.token();
            credentials =
                    token == null
                            ? options.decorator()
                            : b ->
                                    options.decorator()
                                            .apply(b.setHeader("Authorization", "Bearer " + token));
        }
        return new HttpTransport(at, uri, options, credentials, followRedirects);
    }

    @Override
    public RemoteIdentity probe() throws RemoteFetchException, TransientFailure {
        Landing found = resolveOnce();
        Landing old = landing;
        landing = found;
        if (old != null) {
            old.transport.close();
        }
        if (closed) {
            found.transport.close();
        }
        return found.identity;
    }

    /**
     * Walks {@code resolve} and its redirects by hand; returns where it landed. Every request is a
     * ranged GET of the first byte; a redirect from https to http is refused.
     */
    private Landing resolveOnce() throws RemoteFetchException, TransientFailure {
        URI at = resolve;
        String linkedEtag = null;
        String linkedSize = null;
        for (int hop = 0; ; hop++) {
            HttpTransport leg = transport(at, false);
            boolean kept = false;
            try {
                HttpTransport.Answer answer =
                        leg.exchange(
                                leg.request(0, 1, null),
                                0,
                                1,
                                (status, headers) ->
                                        status == 206 ? HttpTransport.probeDestination() : null);
                if (linkedEtag == null) {
                    linkedEtag = HttpTransport.header(answer, "X-Linked-Etag");
                    linkedSize = HttpTransport.header(answer, "X-Linked-Size");
                }
                URI next = leg.redirect(at, answer, 0, 1);
                if (next != null) {
                    if (hop == HttpTransport.MAX_REDIRECTS) {
                        throw new RemoteFetchException(
                                uri,
                                0,
                                1,
                                answer.statusCode(),
                                "more than "
                                        + HttpTransport.MAX_REDIRECTS
                                        + " redirects from "
                                        + resolve,
                                null);
                    }
                    at = next;
                    continue;
                }
                RemoteIdentity served;
                try {
                    served = leg.identity(answer);
                } catch (RemoteFetchException e) {
                    throw hubFailure(
                            e, hop == 0 || HttpConnections.origin(at).equals(hub.origin()));
                }
                if (linkedSize != null && !linkedSize.equals(Long.toString(served.size()))) {
                    throw new RemoteFetchException(
                            uri,
                            0,
                            1,
                            answer.statusCode(),
                            "the Hub names "
                                    + linkedSize
                                    + " bytes (X-Linked-Size), "
                                    + HttpConnections.origin(at)
                                    + " serves "
                                    + served.size(),
                            null);
                }
                RemoteIdentity pinned =
                        linkedEtag != null
                                ? new RemoteIdentity(served.size(), linkedEtag, null)
                                : served;
                HttpTransport content = transport(at, true);
                kept = true;
                leg.close();
                return new Landing(content, served, pinned);
            } finally {
                if (!kept) {
                    leg.close();
                }
            }
        }
    }

    /** A Hub's refusal in the Hub's words; the status and the URI as the transport gave them. */
    private RemoteFetchException hubFailure(RemoteFetchException e, boolean fromHub) {
        if (!fromHub) {
            return e;
        }
        String why =
                switch (e.status()) {
                    case 401 ->
                            "the Hub refused the request (401 Unauthorized): the repository is"
                                    + " gated or private and "
                                    + (hub.token() == null
                                            ? "no token was sent (set HF_TOKEN, or"
                                                    + " HuggingFaceHub.withToken)"
                                            : "the token was not accepted");
                    case 403 ->
                            "the Hub denied access (403 Forbidden): the token has no access to"
                                    + " this repository (accept its terms on the Hub)";
                    case 404 -> "no such repository, revision or file on the Hub (404 Not Found)";
                    default -> null;
                };
        return why == null
                ? e
                : new RemoteFetchException(uri, e.offset(), e.length(), e.status(), why, e);
    }

    @Override
    public void fetch(long offset, RemoteIdentity pinned, Destination dst)
            throws TransientFailure, RemoteFetchException {
        Landing at = landing;
        if (at == null) {
            throw new IllegalStateException("fetch before probe: " + uri);
        }
        try {
            at.transport.fetch(offset, at.served, dst);
        } catch (RemoteFetchException e) {
            if (e.status() != 401 && e.status() != 403) {
                throw e;
            }
            // The CDN's signed URL expired: resolve again, and go on only with the same version.
            Landing next = relanded(at, pinned, offset, dst.size(), e);
            next.transport.fetch(offset, next.served, dst);
        }
    }

    /**
     * Resolves again after the landing {@code stale} was refused, once for all the threads that saw
     * it refused; returns the new landing.
     *
     * @throws RemoteFetchException if the Hub now names another version than {@code pinned}
     */
    private synchronized Landing relanded(
            Landing stale, RemoteIdentity pinned, long offset, long len, RemoteFetchException e)
            throws RemoteFetchException, TransientFailure {
        if (landing != stale) {
            return landing; // another thread resolved again meanwhile
        }
        Landing again = resolveOnce();
        if (!again.identity.matches(pinned)) {
            again.transport.close();
            throw new RemoteFetchException(
                    uri,
                    offset,
                    len,
                    e.status(),
                    "the CDN refused a range and the Hub now names "
                            + again.identity
                            + ", not the pinned "
                            + pinned
                            + ": the file changed since it was opened",
                    e);
        }
        landing = again;
        stale.transport.close();
        return again;
    }

    @Override
    public void close() {
        closed = true;
        Landing at = landing;
        if (at != null) {
            at.transport.close();
        }
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
