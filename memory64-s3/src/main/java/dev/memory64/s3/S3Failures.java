package dev.memory64.s3;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteIdentity;
import dev.memory64.RemoteTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * What an S3 failure means, in one place: a transient one (the store unreachable or slow, a 5xx,
 * throttling) for the core to try again, or a {@link RemoteFetchException} that names the bucket,
 * the key, the status and the store's error code, and what to check: the credentials (403), the
 * bucket or the key (404), the pinned version (412, the object changed since it was opened).
 */
final class S3Failures {

    private final URI uri;
    private final String bucket;
    private final String key;

    S3Failures(URI uri, String bucket, String key) {
        this.uri = uri;
        this.bucket = bucket;
        this.key = key;
    }

    /** The HTTP status of a failure, or {@link RemoteFetchException#NO_STATUS}. */
    static int status(SdkException e) {
        return e instanceof SdkServiceException s ? s.statusCode() : RemoteFetchException.NO_STATUS;
    }

    /**
     * Classifies a failed call on {@code [offset, offset + len)}: returns the fatal failure to
     * throw, or throws the transient one.
     *
     * @param pinned the pinned version, null while probing
     */
    RemoteFetchException of(SdkException e, long offset, long len, RemoteIdentity pinned)
            throws RemoteTransport.TransientFailure {
        int status = status(e);
        String code =
                e instanceof AwsServiceException a && a.awsErrorDetails() != null
                        ? a.awsErrorDetails().errorCode()
                        : null;
        String named = status + (code == null ? "" : " " + code);
        if (status == RemoteFetchException.NO_STATUS) {
            if (e instanceof ApiCallAttemptTimeoutException
                    || e instanceof ApiCallTimeoutException
                    || causedByIo(e)) {
                throw new RemoteTransport.TransientFailure(
                        RemoteFetchException.NO_STATUS, e.getMessage(), e);
            }
            // Credentials that cannot be loaded, a request the SDK cannot build: no attempt helps.
            return new RemoteFetchException(
                    uri, offset, len, status, "the request failed: " + e.getMessage(), e);
        }
        if (status >= 500
                || status == 429
                || status == 408
                || "SlowDown".equals(code)
                || "RequestTimeout".equals(code)) {
            throw new RemoteTransport.TransientFailure(status, "the store answered " + named, e);
        }
        String why =
                switch (status) {
                    case 412 ->
                            "the object changed since it was opened: If-Match on the pinned ETag "
                                    + (pinned == null ? null : pinned.etag())
                                    + " failed ("
                                    + named
                                    + ")";
                    case 404 ->
                            "NoSuchBucket".equals(code)
                                    ? "the bucket \"" + bucket + "\" does not exist (" + named + ")"
                                    : "the key \""
                                            + key
                                            + "\" does not exist in bucket \""
                                            + bucket
                                            + "\" ("
                                            + named
                                            + ")";
                    case 403 ->
                            "access is denied ("
                                    + named
                                    + "): "
                                    + switch (code == null ? "" : code) {
                                        case "InvalidAccessKeyId" ->
                                                "the store does not know the access key id";
                                        case "SignatureDoesNotMatch" ->
                                                "the secret access key does not match the access"
                                                        + " key id";
                                        default -> "check the credentials and the bucket's policy";
                                    };
                    case 301, 307 ->
                            "the bucket is in another region ("
                                    + named
                                    + "): set S3Options.withRegion";
                    case 416 ->
                            "the range is not satisfiable ("
                                    + named
                                    + "): the object is shorter than pinned, it changed since it"
                                    + " was opened";
                    default -> "the store refused the request (" + named + ")";
                };
        return new RemoteFetchException(uri, offset, len, status, why, e);
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }
}
