package dev.kiln.data;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test servers on 127.0.0.1 (port chosen by the system): an HTTP server serving files from a map, and a
 * raw socket server that misbehaves on purpose (cuts the connection or goes silent mid-body). Nothing
 * here ever reaches beyond the loopback interface.
 */
public final class LoopbackServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    public final AtomicInteger requests = new AtomicInteger();
    final List<String> userAgents = new CopyOnWriteArrayList<>();
    /** Send bodies chunked, without a Content-Length, as servers streaming generated content do. */
    volatile boolean chunked;

    private LoopbackServer(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code /<name>} with status 200 for each file put in {@link #files()}, 404 for anything else. */
    public static LoopbackServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        LoopbackServer loopback = new LoopbackServer(http);
        http.createContext("/", exchange -> {
            loopback.requests.incrementAndGet();
            loopback.userAgents.add(String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
            byte[] body = loopback.files.get(exchange.getRequestURI().getPath().substring(1));
            try (exchange) {
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    exchange.sendResponseHeaders(200, loopback.chunked ? 0 : body.length);
                    exchange.getResponseBody().write(body);
                }
            }
        });
        http.start();
        return loopback;
    }

    public Map<String, byte[]> files() {
        return files;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * A one-connection-at-a-time server that answers every request with 200, a Content-Length of
     * {@code declared}, the given {@code bytes}, and then either closes the socket ({@code holdMillis} 0) or
     * keeps it open and silent for {@code holdMillis}.
     */
    static final class Misbehaving implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;

        Misbehaving(long declared, byte[] bytes, long holdMillis) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket client = socket.accept()) {
                        readRequestHead(client.getInputStream());
                        OutputStream out = client.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + declared + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(bytes);
                        out.flush();
                        if (holdMillis > 0) {
                            Thread.sleep(holdMillis);
                        }
                    } catch (IOException | InterruptedException e) {
                        // the test is over or the client gave up: either way, stop serving this connection
                    }
                }
            });
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        private static void readRequestHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }

    /** A loopback port with nothing listening on it (bound, then released). */
    public static URI closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
        }
    }
}
