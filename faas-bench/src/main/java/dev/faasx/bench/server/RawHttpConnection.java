package dev.faasx.bench.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One persistent HTTP/1.1 connection that sends a request and reads the answer, with blocking sockets and almost no
 * work per request. The load harness uses it instead of {@code java.net.http.HttpClient} because, on a 2-core
 * machine shared by client and server, the JDK client spends more CPU per request than the server under test (it
 * would measure itself). Supports exactly what the harness sends: requests with a body or none, answers with a
 * {@code Content-Length}. Not thread-safe: one connection per client thread.
 */
final class RawHttpConnection implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;
    private final ByteArrayOutputStream request = new ByteArrayOutputStream(512);
    private final StringBuilder line = new StringBuilder(128);

    RawHttpConnection(URI base) throws IOException {
        this.host = base.getHost() + ":" + base.getPort();
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        socket.setSoTimeout(120_000);
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    /** An answer: its status and body. */
    record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    Answer send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
        request.reset();
        ascii(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            ascii(header.getKey() + ": " + header.getValue() + "\r\n");
        }
        ascii("Content-Length: " + body.length + "\r\n\r\n");
        request.write(body);
        request.writeTo(out);
        out.flush();
        return readAnswer();
    }

    private void ascii(String s) {
        request.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private Answer readAnswer() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = -1;
        String header;
        while (!(header = readLine()).isEmpty()) {
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
            } else if (header.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
                throw new IOException("chunked answers are not supported by this harness");
            }
        }
        if (length < 0) {
            throw new IOException("answer without Content-Length: " + statusLine);
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("connection closed in the middle of an answer");
        }
        return new Answer(status, body);
    }

    private String readLine() throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
