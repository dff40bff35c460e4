package dev.memory64.s3;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteIdentity;
import dev.memory64.RemoteOptions;
import dev.memory64.RemoteTransport;
import dev.memory64.internal.ContentRange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * One object in a bucket, read by signed {@code GetObject} requests: the probe asks for its first
 * byte (the size from {@code Content-Range}, the {@code ETag}, {@code Last-Modified}); every fetch
 * asks for exactly its range with {@code If-Match} on the pinned ETag, so that the store answers
 * 412 rather than bytes of another version, and takes the body only if its {@code Content-Range} is
 * that range of the pinned size. The SDK makes one attempt per call (its own retries are off): the
 * core's attempts and backoff are the only ones. {@link S3Failures} says which failures are
 * transient.
 */
final class S3Transport implements RemoteTransport {

    /** The copy's buffer: large enough that the connection's reads, not the copy, set the pace. */
    private static final int BUFFER = 64 << 10;

    private final URI uri;
    private final String bucket;
    private final String key;
    private final S3Client client;
    private final S3Failures failures;

    private S3Transport(URI uri, String bucket, String key, S3Client client) {
        this.uri = uri;
        this.bucket = bucket;
        this.key = key;
        this.client = client;
        this.failures = new S3Failures(uri, bucket, key);
    }

    /**
     * Parses {@code s3://bucket/key} and builds its client.
     *
     * @throws IllegalArgumentException if the URI names no bucket or no key
     * @throws IOException if no region is set or found, and no endpoint is set
     */
    static S3Transport open(URI uri, S3Options options, RemoteOptions remote) throws IOException {
        String bucket = uri.getRawAuthority();
        String path = uri.getPath() == null ? "" : uri.getPath();
        String key = path.startsWith("/") ? path.substring(1) : path;
        if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException(
                    "open remote " + uri + ": an S3 URI is s3://bucket/key");
        }
        S3ClientBuilder builder =
                S3Client.builder()
                        .httpClient(
                                UrlConnectionHttpClient.builder()
                                        .connectionTimeout(remote.requestTimeout())
                                        .socketTimeout(remote.requestTimeout())
                                        .build())
                        .region(region(uri, options))
                        .forcePathStyle(options.pathStyle())
                        // One attempt per call: the core retries, with its own backoff.
                        .overrideConfiguration(
                                c ->
                                        c.retryStrategy(AwsRetryStrategy.doNotRetry())
                                                .apiCallTimeout(remote.requestTimeout()))
                        // A range has no whole-object checksum to validate; uploads are not ours.
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        }
        if (options.credentials() != null) {
            builder.credentialsProvider(options.credentials());
        }
        return new S3Transport(uri, bucket, key, builder.build());
    }

    private static Region region(URI uri, S3Options options) throws IOException {
        if (options.region() != null) {
            return Region.of(options.region());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            if (options.endpoint() != null) {
                return Region.US_EAST_1;
            }
            throw new IOException(
                    "open remote "
                            + uri
                            + ": no region: set S3Options.withRegion, AWS_REGION or a profile's"
                            + " region",
                    e);
        }
    }

    @Override
    public RemoteIdentity probe() throws TransientFailure, RemoteFetchException {
        GetObjectRequest request =
                GetObjectRequest.builder().bucket(bucket).key(key).range("bytes=0-0").build();
        GetObjectResponse response;
        try {
            response = client.getObject(request, ResponseTransformer.toBytes()).response();
        } catch (SdkException e) {
            if (S3Failures.status(e) == 416) {
                return empty();
            }
            throw failures.of(e, 0, 1, null);
        }
        ContentRange range = ContentRange.parse(response.contentRange());
        if (range == null || range.total() == ContentRange.UNKNOWN) {
            throw new RemoteFetchException(
                    uri,
                    0,
                    1,
                    206,
                    "the answer's Content-Range \""
                            + response.contentRange()
                            + "\" gives no object size: the store ignores ranges",
                    null);
        }
        return new RemoteIdentity(
                range.total(), response.eTag(), httpDate(response.lastModified()));
    }

    /** An empty object answers a range with 416: its identity comes from its metadata. */
    private RemoteIdentity empty() throws TransientFailure, RemoteFetchException {
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
            return new RemoteIdentity(
                    head.contentLength(), head.eTag(), httpDate(head.lastModified()));
        } catch (SdkException e) {
            throw failures.of(e, 0, 1, null);
        }
    }

    @Override
    public void fetch(long offset, RemoteIdentity pinned, Destination dst)
            throws TransientFailure, RemoteFetchException {
        long len = dst.size();
        long last = offset + len - 1;
        GetObjectRequest.Builder request =
                GetObjectRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .range("bytes=" + offset + "-" + last);
        if (pinned.etag() != null) {
            request.ifMatch(pinned.etag());
        }
        try (ResponseInputStream<GetObjectResponse> body = client.getObject(request.build())) {
            check(body.response(), offset, len, pinned);
            copy(body, dst);
        } catch (SdkException e) {
            throw failures.of(e, offset, len, pinned);
        } catch (IOException e) {
            throw new TransientFailure(
                    RemoteFetchException.NO_STATUS, "reading the answer failed: " + e, e);
        }
    }

    /** Refuses an answer that is not exactly the range asked for of the pinned version. */
    private void check(GetObjectResponse response, long offset, long len, RemoteIdentity pinned)
            throws RemoteFetchException {
        String contentRange = String.valueOf(response.contentRange());
        ContentRange range = ContentRange.parse(contentRange);
        boolean otherSize = range != null && range.namesOtherSize(pinned.size());
        boolean otherTag =
                pinned.etag() != null
                        && response.eTag() != null
                        && !pinned.etag().equals(response.eTag());
        if (otherSize || otherTag) {
            throw new RemoteFetchException(
                    uri,
                    offset,
                    len,
                    206,
                    "the object changed since it was opened (pinned "
                            + pinned
                            + ", now size "
                            + contentRange
                            + " ETag "
                            + response.eTag()
                            + ")",
                    null);
        }
        if (range == null || !range.isExactly(offset, len)) {
            throw new RemoteFetchException(
                    uri,
                    offset,
                    len,
                    206,
                    ContentRange.notExactly(contentRange, offset, len, pinned.size()),
                    null);
        }
    }

    private static void copy(InputStream body, Destination dst) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long at = 0;
        for (int n; (n = body.read(buffer)) > 0; ) {
            dst.write(at, ByteBuffer.wrap(buffer, 0, n));
            at += n;
        }
    }

    private static String httpDate(Instant instant) {
        return instant == null
                ? null
                : DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
