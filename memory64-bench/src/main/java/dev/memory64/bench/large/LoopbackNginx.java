package dev.memory64.bench.large;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx on 127.0.0.1 on a free port serving one directory, for {@code scripts/stream-remote.sh}: a
 * generated configuration, logs and temporary files in a work directory, stopped on close.
 */
final class LoopbackNginx implements AutoCloseable {

    private final Process process;
    private final int port;

    private LoopbackNginx(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The nginx binary: {@code $NGINX}, {@code nginx} on the PATH, or {@code /usr/sbin/nginx}. */
    static Path binary() throws IOException {
        String env = System.getenv("NGINX");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
                return Path.of(dir, "nginx");
            }
        }
        if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
            return Path.of("/usr/sbin/nginx");
        }
        throw new IOException("nginx not found: install it (apt-get install nginx-light)");
    }

    static LoopbackNginx start(Path root, Path work) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(work.resolve("tmp"));
        String conf =
                String.join(
                        "\n",
                        List.of(
                                "root".equals(System.getProperty("user.name")) ? "user root;" : "",
                                "daemon off;",
                                "master_process off;",
                                "worker_processes 1;",
                                "pid " + work.resolve("nginx.pid") + ";",
                                "error_log " + work.resolve("error.log") + " warn;",
                                "events { worker_connections 256; }",
                                "http {",
                                "  access_log off;",
                                "  client_body_temp_path " + work.resolve("tmp") + ";",
                                "  proxy_temp_path " + work.resolve("tmp") + ";",
                                "  fastcgi_temp_path " + work.resolve("tmp") + ";",
                                "  default_type application/octet-stream;",
                                "  sendfile on;",
                                "  server { listen 127.0.0.1:" + port + "; root " + root + "; }",
                                "}",
                                ""));
        Files.writeString(work.resolve("nginx.conf"), conf, StandardCharsets.UTF_8);
        Process process =
                new ProcessBuilder(
                                binary().toString(),
                                "-p",
                                work.toString(),
                                "-e",
                                work.resolve("error.log").toString(),
                                "-c",
                                work.resolve("nginx.conf").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("stdout.log").toFile())
                        .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return new LoopbackNginx(process, port);
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException(
                            "nginx did not start on port "
                                    + port
                                    + "; see "
                                    + work.resolve("error.log"));
                }
                Thread.onSpinWait();
            }
        }
    }

    URI uri(String name) {
        return URI.create("http://127.0.0.1:" + port + "/" + name);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
