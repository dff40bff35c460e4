package dev.memory64.s3;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A real S3 API server on the loopback: S3Proxy over a directory (jclouds' filesystem store), AWS
 * Signature Version 4 enforced for one access key, started on a free port, stopped and started
 * again on the same port. It counts what reaches it: every request that names a bucket and a key
 * (whether its signature then passes or not), and every call of the store behind it by method
 * ({@code blobMetadata} is a HEAD, {@code getBlob} a GET).
 */
public final class LoopbackS3 implements AutoCloseable {

    /** The access key id the server knows. */
    public static final String ACCESS_KEY = "memory64-test";

    /** Its secret. */
    public static final String SECRET_KEY = "memory64-test-secret";

    private final BlobStoreContext context;
    private final BlobStore store;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private S3Proxy proxy;
    private int port;

    private LoopbackS3(Path directory) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        context =
                ContextBuilder.newBuilder("filesystem")
                        .overrides(properties)
                        .buildView(BlobStoreContext.class);
        BlobStore real = context.getBlobStore();
        InvocationHandler counting =
                (self, method, args) -> {
                    calls.computeIfAbsent(method.getName(), k -> new AtomicInteger())
                            .incrementAndGet();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                };
        store =
                (BlobStore)
                        Proxy.newProxyInstance(
                                BlobStore.class.getClassLoader(),
                                new Class<?>[] {BlobStore.class},
                                counting);
    }

    /**
     * Starts a server on 127.0.0.1 on a free port over {@code directory}.
     *
     * @param directory where the buckets are kept
     * @return the running server
     * @throws Exception if it cannot start
     */
    public static LoopbackS3 start(Path directory) throws Exception {
        LoopbackS3 s3 = new LoopbackS3(directory);
        s3.listen(0);
        return s3;
    }

    private void listen(int at) throws Exception {
        S3Proxy started =
                S3Proxy.builder()
                        .blobStore(store)
                        .endpoint(URI.create("http://127.0.0.1:" + at))
                        .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
        started.setBlobStoreLocator(
                (identity, bucket, key) -> {
                    requests.computeIfAbsent(bucket + "/" + key, k -> new AtomicInteger())
                            .incrementAndGet();
                    return ACCESS_KEY.equals(identity) ? Map.entry(SECRET_KEY, store) : null;
                });
        started.start();
        proxy = started;
        port = started.getPort();
    }

    /**
     * Returns the server's endpoint, {@code http://127.0.0.1:PORT}.
     *
     * @return the endpoint
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Returns options that reach this server as its one user, path-style.
     *
     * @return the options
     */
    public S3Options options() {
        return S3Options.defaults()
                .withEndpoint(endpoint())
                .withPathStyle(true)
                .withRegion("us-east-1")
                .withCredentials(ACCESS_KEY, SECRET_KEY);
    }

    /**
     * Returns an SDK client of this server, for uploads and presigning; the caller closes it.
     *
     * @return the client
     */
    S3Client client() {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(options().credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /**
     * Returns an SDK presigner of this server, path-style; the caller closes it.
     *
     * @return the presigner
     */
    S3Presigner presigner() {
        return S3Presigner.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(options().credentials())
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    /**
     * Creates a bucket (if absent) and uploads a file into it with the SDK.
     *
     * @param bucket the bucket
     * @param key the key
     * @param file the file
     * @return {@code s3://bucket/key}
     */
    public URI put(String bucket, String key, Path file) {
        try (S3Client client = client()) {
            if (!client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) {
                client.createBucket(b -> b.bucket(bucket));
            }
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
        }
        return URI.create("s3://" + bucket + "/" + key);
    }

    /**
     * Returns how many requests named {@code bucket/key} since the server was made.
     *
     * @param bucket the bucket
     * @param key the key
     * @return the count
     */
    public int requests(String bucket, String key) {
        AtomicInteger n = requests.get(bucket + "/" + key);
        return n == null ? 0 : n.get();
    }

    /**
     * Returns how many times the store behind the server was called by this method name.
     *
     * @param method {@code getBlob} (a GET), {@code blobMetadata} (a HEAD), ...
     * @return the count
     */
    public int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /**
     * Stops the server; its port is free until {@link #restart()}.
     *
     * @throws Exception if Jetty fails to stop
     */
    public void stop() throws Exception {
        proxy.stop();
    }

    /**
     * Starts the server again on the same port, over the same directory.
     *
     * @throws Exception if it cannot start
     */
    public void restart() throws Exception {
        listen(port);
    }

    @Override
    public void close() throws IOException {
        try {
            if (!"STOPPED".equals(proxy.getState())) {
                proxy.stop();
            }
        } catch (Exception e) {
            throw new IOException("stopping S3Proxy", e);
        } finally {
            context.close();
        }
    }
}
