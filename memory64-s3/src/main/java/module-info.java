/**
 * memory64 S3: opens models from S3 and S3-compatible object stores ({@code s3://bucket/key})
 * through signed, ranged {@code GetObject} requests, on the core's remote path (its attempts,
 * pinning, chunk cache and residency), on the AWS SDK for Java v2.
 */
// The AWS SDK's jars are automatic modules; S3Options names its credentials provider.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.memory64.s3 {
    requires transitive dev.memory64;
    requires transitive software.amazon.awssdk.auth;
    requires transitive software.amazon.awssdk.identity.spi;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.services.s3;

    exports dev.memory64.s3;

    provides dev.memory64.RemoteTransportProvider with
            dev.memory64.s3.S3TransportProvider;
}
