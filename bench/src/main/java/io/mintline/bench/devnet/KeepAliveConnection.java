package io.mintline.bench.devnet;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection, driven by one thread, with nothing between the benchmark and the
 * socket: a request goes out in a single write with TCP_NODELAY, the answer is read by Content-Length
 * or chunks. It keeps client overhead small so the 2 cores this machine has go mostly to the devnet,
 * as they would with a lean algod client (Go's, or fetch in Node). Loopback only.
 */
final class KeepAliveConnection implements Closeable {

  private final String host;
  private final int port;
  private final String headers;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  KeepAliveConnection(String baseUrl, String token) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
      throw new IllegalArgumentException("benchmarks only talk to loopback, not " + host);
    }
    this.headers = "Host: " + host + ":" + port + "\r\nX-Algo-API-Token: " + token + "\r\n";
  }

  Response post(String path, String contentType, byte[] body) throws IOException {
    String head = "POST " + path + " HTTP/1.1\r\n" + headers + "Content-Type: " + contentType
        + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    return exchange(head, body);
  }

  Response get(String path) throws IOException {
    return exchange("GET " + path + " HTTP/1.1\r\n" + headers + "\r\n", new byte[0]);
  }

  private Response exchange(String head, byte[] body) throws IOException {
    boolean reused = socket != null;
    if (!reused) {
      connect();
    }
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    String statusLine;
    try {
      send(headBytes, body);
      statusLine = line();
    } catch (IOException e) {
      if (!reused) {
        throw e;
      }
      // The server closed the idle connection before reading the request (the JDK server does so after
      // sun.net.httpserver.idleInterval): send it once more on a fresh one, as HTTP clients do. Had the
      // request been processed, the devnet would answer "already in ledger" and the benchmark would fail.
      close();
      connect();
      send(headBytes, body);
      statusLine = line();
    }
    String[] status = statusLine.split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String header; !(header = line()).isEmpty(); ) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring("content-length:".length()).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    byte[] answer;
    if (chunked) {
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (int size; (size = Integer.parseInt(line().split(";", 2)[0].trim(), 16)) > 0; ) {
        chunks.write(readExactly(size));
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
      answer = chunks.toByteArray();
    } else if (length >= 0) {
      answer = readExactly((int) length);
    } else {
      answer = in.readAllBytes();
      close = true;
    }
    if (close) {
      close();
    }
    return new Response(Integer.parseInt(status[1]), answer);
  }

  private void send(byte[] head, byte[] body) throws IOException {
    out.write(head);
    out.write(body);
    out.flush();
  }

  private void connect() throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  private byte[] readExactly(int size) throws IOException {
    byte[] bytes = in.readNBytes(size);
    if (bytes.length != size) {
      throw new EOFException("connection closed after " + bytes.length + " of " + size + " bytes");
    }
    return bytes;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("connection closed mid-answer");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }

  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
