package dev.memory64.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx (Debian's package) for the remote tests: started on 127.0.0.1 on free ports with a
 * generated configuration in a work directory. {@link #start(Path, Path)} serves {@code root} at
 * {@code /} and, without range support ({@code max_ranges 0}), at {@code /noranges/}; {@link
 * #start(Path, int, Servers)} runs the servers a test writes (a Hub and its CDN on two ports).
 * Where no nginx binary is found, both skip the calling test with one line saying so.
 */
public final class Nginx implements AutoCloseable {
    private static final String NOT_FOUND =
            "nginx not found (no $NGINX, no nginx on PATH, no /usr/sbin/nginx)";
    private static final String INSTALL = "install it with apt-get install nginx-light";

    private final Path binary;
    private final Path work;
    private final List<Integer> ports;
    private Process process;

    private Nginx(Path binary, Path work, List<Integer> ports) {
        this.binary = binary;
        this.work = work;
        this.ports = ports;
    }

    /** Writes the {@code http} block's contents (servers, log formats) for the ports given. */
    @FunctionalInterface
    public interface Servers {
        /**
         * Returns nginx configuration for inside {@code http { }}.
         *
         * @param ports the free ports picked, one per server the caller asked for
         * @return the configuration
         */
        String configure(List<Integer> ports);
    }

    /**
     * The nginx binary: {@code $NGINX}, else {@code nginx} on the PATH, else {@code
     * /usr/sbin/nginx}.
     *
     * @return the binary, or empty if there is none
     */
    public static Optional<Path> binary() {
        String env = System.getenv("NGINX");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
                    return Optional.of(Path.of(dir, "nginx"));
                }
            }
        }
        Path sbin = Path.of("/usr/sbin/nginx");
        return Files.isExecutable(sbin) ? Optional.of(sbin) : Optional.empty();
    }

    /**
     * Starts nginx serving {@code root}, or skips the test if nginx is not installed.
     *
     * @param root the directory served at {@code /}
     * @param work where the configuration, logs and temporary files go
     * @return the running server
     * @throws IOException if nginx does not start
     */
    public static Nginx start(Path root, Path work) throws IOException {
        return start(
                work,
                1,
                ports ->
                        String.join(
                                "\n",
                                "  access_log " + work.resolve("access.log") + ";",
                                "  server {",
                                "    listen 127.0.0.1:" + ports.get(0) + ";",
                                "    root " + root + ";",
                                "    location /noranges/ { max_ranges 0; alias " + root + "/; }",
                                "  }"));
    }

    /**
     * Starts nginx with the servers {@code servers} writes for {@code count} free ports, or skips
     * the test if nginx is not installed.
     *
     * @param work where the configuration, logs and temporary files go
     * @param count how many ports to pick
     * @param servers the {@code http} block's contents for those ports
     * @return the running server
     * @throws IOException if nginx does not start
     */
    public static Nginx start(Path work, int count, Servers servers) throws IOException {
        Assumptions.assumeTrue(
                binary().isPresent(), NOT_FOUND + ": the nginx tests skip; " + INSTALL);
        return startOrThrow(work, count, servers);
    }

    /**
     * Starts nginx as {@link #start(Path, int, Servers)} does, for a program outside JUnit (the
     * bench's): where nginx is not installed, this fails rather than skips.
     *
     * @param work where the configuration, logs and temporary files go
     * @param count how many ports to pick
     * @param servers the {@code http} block's contents for those ports
     * @return the running server
     * @throws IOException if nginx is not installed or does not start
     */
    public static Nginx startOrThrow(Path work, int count, Servers servers) throws IOException {
        Path binary = binary().orElseThrow(() -> new IOException(NOT_FOUND + "; " + INSTALL));
        List<ServerSocket> sockets = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, null);
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        Files.createDirectories(work.resolve("tmp"));
        boolean root0 = "root".equals(System.getProperty("user.name"));
        String conf =
                String.join(
                        "\n",
                        List.of(
                                root0 ? "user root;" : "",
                                "daemon off;",
                                "master_process off;",
                                "worker_processes 1;",
                                "pid " + work.resolve("nginx.pid") + ";",
                                "error_log " + work.resolve("error.log") + " warn;",
                                "events { worker_connections 256; }",
                                "http {",
                                "  client_body_temp_path " + work.resolve("tmp") + ";",
                                "  proxy_temp_path " + work.resolve("tmp") + ";",
                                "  fastcgi_temp_path " + work.resolve("tmp") + ";",
                                "  default_type application/octet-stream;",
                                "  sendfile on;",
                                servers.configure(List.copyOf(ports)),
                                "}",
                                ""));
        Files.writeString(work.resolve("nginx.conf"), conf, StandardCharsets.UTF_8);
        Nginx nginx = new Nginx(binary, work, List.copyOf(ports));
        nginx.launch();
        return nginx;
    }

    private void launch() throws IOException {
        process =
                new ProcessBuilder(
                                binary.toString(),
                                "-p",
                                work.toString(),
                                "-e",
                                work.resolve("error.log").toString(),
                                "-c",
                                work.resolve("nginx.conf").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("stdout.log").toFile())
                        .start();
        // Ready when every port accepts a connection; a start that fails ends the process.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 0; i < ports.size(); ) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", ports.get(i)), 1000);
                i++;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException(
                            "nginx did not start on ports "
                                    + ports
                                    + ": "
                                    + Files.readString(work.resolve("stdout.log"))
                                    + read(work.resolve("error.log")));
                }
                Thread.onSpinWait();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The URI of a file under the root.
     *
     * @param name the file's name relative to the root
     * @return {@code http://127.0.0.1:PORT/name}
     */
    public URI uri(String name) {
        return URI.create("http://127.0.0.1:" + port(0) + "/" + name);
    }

    /**
     * The port picked for the {@code i}th server.
     *
     * @param i the index, from 0
     * @return the port on 127.0.0.1
     */
    public int port(int i) {
        return ports.get(i);
    }

    /**
     * A file in the work directory (a log the configuration names).
     *
     * @param name the file's name
     * @return its path
     */
    public Path workFile(String name) {
        return work.resolve(name);
    }

    /**
     * The URI of a file under the root, served without range support.
     *
     * @param name the file's name relative to the root
     * @return {@code http://127.0.0.1:PORT/noranges/name}
     */
    public URI uriWithoutRanges(String name) {
        return URI.create("http://127.0.0.1:" + port(0) + "/noranges/" + name);
    }

    /**
     * Stops the server and waits until it has exited; connections are then refused.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** Stops the server; the interrupt flag is kept if interrupted while waiting. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the server again on the same port.
     *
     * @throws IOException if it does not start
     */
    public void restart() throws IOException {
        if (process == null) {
            launch();
        }
    }
}
