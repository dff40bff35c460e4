package dev.memory64.s3;

import dev.memory64.RemoteTransportProvider;
import java.net.URI;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Where and as whom {@code s3://bucket/key} objects are read: the credentials, the region, and for
 * an S3-compatible store (MinIO, Ceph, R2, Google Cloud Storage's interoperability mode) its
 * endpoint and path-style addressing. Given to an open as a transport:
 *
 * <pre>{@code
 * RemoteOptions.defaults().withTransport(S3Options.defaults().withRegion("eu-west-1").transport())
 * }</pre>
 *
 * <p>Without it, an {@code s3://} URI is read with {@link #defaults()}: the service loader finds
 * this module's provider.
 *
 * @param region the region ({@code "eu-west-1"}), or null for the SDK's default region chain
 *     ({@code AWS_REGION}, the profile, instance metadata); with an endpoint and no region found,
 *     {@code us-east-1}, which S3-compatible stores accept
 * @param endpoint the store's endpoint ({@code http://127.0.0.1:9000}), or null for AWS's
 * @param pathStyle true to address {@code endpoint/bucket/key} rather than {@code
 *     bucket.endpoint/key}, as most S3-compatible stores need
 * @param credentials the credentials provider, or null for the SDK's default credentials chain
 *     (environment, system properties, profile, web identity, container and instance roles)
 */
public record S3Options(
        String region, URI endpoint, boolean pathStyle, AwsCredentialsProvider credentials) {

    /**
     * Validates the region and endpoint.
     *
     * @throws IllegalArgumentException if the region is blank or the endpoint is not an absolute
     *     http or https URI
     */
    public S3Options {
        if (region != null && region.isBlank()) {
            throw new IllegalArgumentException("s3 options: region is blank");
        }
        if (endpoint != null
                && !"http".equalsIgnoreCase(endpoint.getScheme())
                && !"https".equalsIgnoreCase(endpoint.getScheme())) {
            throw new IllegalArgumentException(
                    "s3 options: endpoint=" + endpoint + " is not an http or https URI");
        }
    }

    /**
     * AWS itself: the default region chain, virtual-hosted addressing, the default credentials
     * chain.
     *
     * @return the defaults
     */
    public static S3Options defaults() {
        return new S3Options(null, null, false, null);
    }

    /**
     * Returns these options in another region.
     *
     * @param name the region's name, {@code "eu-west-1"}
     * @return the new options
     * @throws IllegalArgumentException if the name is blank
     * @throws NullPointerException if the name is null
     */
    public S3Options withRegion(String name) {
        return new S3Options(
                Objects.requireNonNull(name, "name"), endpoint, pathStyle, credentials);
    }

    /**
     * Returns these options against another endpoint: an S3-compatible store.
     *
     * @param uri the store's endpoint, http or https, no bucket in it
     * @return the new options
     * @throws IllegalArgumentException if the URI is not http or https
     * @throws NullPointerException if the URI is null
     */
    public S3Options withEndpoint(URI uri) {
        return new S3Options(region, Objects.requireNonNull(uri, "uri"), pathStyle, credentials);
    }

    /**
     * Returns these options with path-style addressing on or off.
     *
     * @param on true for {@code endpoint/bucket/key}
     * @return the new options
     */
    public S3Options withPathStyle(boolean on) {
        return new S3Options(region, endpoint, on, credentials);
    }

    /**
     * Returns these options with a credentials provider (a profile's, a role's, your own).
     *
     * @param provider the provider
     * @return the new options
     * @throws NullPointerException if the provider is null
     */
    public S3Options withCredentials(AwsCredentialsProvider provider) {
        return new S3Options(
                region, endpoint, pathStyle, Objects.requireNonNull(provider, "provider"));
    }

    /**
     * Returns these options with a fixed access key.
     *
     * @param accessKeyId the access key id
     * @param secretAccessKey the secret access key
     * @return the new options
     * @throws NullPointerException if either is null
     */
    public S3Options withCredentials(String accessKeyId, String secretAccessKey) {
        return withCredentials(
                StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                                Objects.requireNonNull(accessKeyId, "accessKeyId"),
                                Objects.requireNonNull(secretAccessKey, "secretAccessKey"))));
    }

    /**
     * Returns the transport that reads {@code s3://} objects with these options, for {@code
     * RemoteOptions.withTransport}.
     *
     * @return the provider
     */
    public RemoteTransportProvider transport() {
        return new S3TransportProvider(this);
    }

    /** Names the credentials' kind, never a key. */
    @Override
    public String toString() {
        return "S3Options[region="
                + region
                + ", endpoint="
                + endpoint
                + ", pathStyle="
                + pathStyle
                + ", credentials="
                + (credentials == null ? "default chain" : credentials.getClass().getSimpleName())
                + "]";
    }
}
