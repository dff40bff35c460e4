package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The remote backing's HTTP/1.1 client against a scripted server: each connection the server
 * accepts takes the next script, a list of raw answers, one per request read, then is closed.
 */
class HttpConnectionsTest {

    private final ServerSocket server = newServer();
    private final ConcurrentLinkedQueue<List<String>> scripts = new ConcurrentLinkedQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final HttpConnections connections = new HttpConnections(Duration.ofSeconds(5));

    private static ServerSocket newServer() {
        try {
            return new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    HttpConnectionsTest() {
        Thread.ofVirtual()
                .start(
                        () -> {
                            while (!server.isClosed()) {
                                try {
                                    Socket s = server.accept();
                                    accepted.add(s);
                                    List<String> script = scripts.poll();
                                    Thread.ofVirtual().start(() -> serve(s, script));
                                } catch (IOException closed) {
                                    return;
                                }
                            }
                        });
    }

    private void serve(Socket s, List<String> script) {
        try (s) {
            InputStream in = s.getInputStream();
            for (String answer : script == null ? List.<String>of() : script) {
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.append((char) b);
                }
                requests.add(head.toString());
                if (answer.equals("HOLD")) {
                    in.read(); // never answers; ends when the client closes
                    return;
                }
                s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @AfterEach
    void close() throws IOException {
        connections.close();
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/m.gguf");
    }

    /** A destination of {@code size} bytes. */
    private static final class Bytes implements RemoteTransport.Destination {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long size;

        Bytes(long size) {
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void write(long at, ByteBuffer bytes) {
            assertEquals(out.size(), at);
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            out.writeBytes(b);
        }
    }

    private HttpTransport.Answer get(Bytes dst) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(uri())
                        .header("Range", "bytes=0-10")
                        .header("X-A", "1")
                        .build();
        return connections.send(request, Duration.ofSeconds(5), (status, headers) -> dst);
    }

    @Test
    void aChunkedBodyIsDecodedAndTheConnectionKept() throws IOException {
        String chunked =
                "HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
        scripts.add(List.of(chunked, "HTTP/1.1 206 OK\r\nContent-Length: 3\r\n\r\nabc"));
        Bytes first = new Bytes(11);
        HttpTransport.Answer a = get(first);
        assertEquals(206, a.statusCode());
        assertEquals(11, a.body());
        assertEquals("hello world", first.out.toString(StandardCharsets.ISO_8859_1));
        Bytes second = new Bytes(3);
        assertEquals(3, get(second).body());
        assertEquals(1, accepted.size(), "the connection was kept alive");
        assertTrue(requests.get(0).startsWith("GET /m.gguf HTTP/1.1\r\n"), requests.get(0));
        assertTrue(requests.get(0).contains("\r\nRange: bytes=0-10\r\n"), requests.get(0));
        assertTrue(requests.get(0).contains("\r\nX-A: 1\r\n"), requests.get(0));
        assertTrue(
                requests.get(0).contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n"));
    }

    @Test
    void anInterimAnswerIsSkippedAndAStaleKeptConnectionIsReplacedOnce() throws IOException {
        // The first connection answers once and closes without saying so; the next request finds
        // it closed before any answer and goes, once, on a new connection.
        scripts.add(
                List.of(
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 OK\r\nContent-Length: 3\r\n\r\nabc"));
        scripts.add(List.of("HTTP/1.1 206 OK\r\nContent-Length: 3\r\n\r\ndef"));
        Bytes first = new Bytes(3);
        assertEquals(206, get(first).statusCode());
        Bytes second = new Bytes(3);
        assertEquals(3, get(second).body());
        assertArrayEquals("def".getBytes(StandardCharsets.ISO_8859_1), second.out.toByteArray());
        assertEquals(2, accepted.size());
    }

    @Test
    void aBodyCutShortIsAnErrorAndALongerOneIsRefused() {
        scripts.add(List.of("HTTP/1.1 206 OK\r\nContent-Length: 10\r\n\r\nabc"));
        IOException e = assertThrows(IOException.class, () -> get(new Bytes(10)));
        assertTrue(e.getMessage().contains("ended after 3 of 10"), e.getMessage());
        scripts.add(List.of("HTTP/1.1 206 OK\r\nContent-Length: 5\r\n\r\nabcde"));
        e = assertThrows(IOException.class, () -> get(new Bytes(2)));
        assertTrue(e.getMessage().contains("longer than the 2 bytes asked"), e.getMessage());
    }

    @Test
    void aLongBodyNobodyWantsClosesItsConnection() throws IOException {
        String big = "x".repeat(100_000);
        scripts.add(List.of("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + big));
        scripts.add(List.of("HTTP/1.1 206 OK\r\nContent-Length: 1\r\n\r\nz"));
        HttpRequest request = HttpRequest.newBuilder(uri()).build();
        HttpTransport.Answer a =
                connections.send(request, Duration.ofSeconds(5), (status, headers) -> null);
        assertEquals(200, a.statusCode());
        assertEquals(-1, a.body());
        assertEquals(1, get(new Bytes(1)).body());
        assertEquals(2, accepted.size(), "the unread body's connection was not reused");
    }

    @Test
    void anAnswerThatNeverComesTimesOut() {
        scripts.add(List.of("HOLD"));
        HttpRequest request = HttpRequest.newBuilder(uri()).build();
        assertThrows(
                HttpTimeoutException.class,
                () -> connections.send(request, Duration.ofMillis(300), (status, headers) -> null));
    }

    @Test
    void aClosedClientRefusesRequests() {
        connections.close();
        assertThrows(IllegalStateException.class, () -> get(new Bytes(1)));
        assertEquals(List.of(), accepted);
    }
}
