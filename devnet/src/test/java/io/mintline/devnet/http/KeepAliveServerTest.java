package io.mintline.devnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mintline.devnet.http.KeepAliveServer.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The devnet's HTTP/1.1 server at the byte level: what curl, okhttp and undici may send. */
class KeepAliveServerTest {

  private KeepAliveServer server;

  @BeforeEach
  void start() throws IOException {
    server = new KeepAliveServer("127.0.0.1", 0, 2, 100, request -> new Response(200, "text/plain",
        (request.method() + " " + request.rawPath() + " " + request.rawQuery() + " "
            + request.body().length).getBytes(StandardCharsets.UTF_8)));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(3_000);
    return s;
  }

  private static String exchange(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    return readResponse(s.getInputStream());
  }

  /** One response: status line and headers, then Content-Length bytes. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.write(c);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int at = h.toLowerCase().indexOf("content-length: ");
    int length = at < 0 ? 0 : Integer.parseInt(h.substring(at + 16, h.indexOf("\r\n", at)).trim());
    return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  @Test
  void keepsTheConnectionForSeveralRequests() throws IOException {
    try (Socket s = connect()) {
      assertTrue(exchange(s, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").endsWith("GET /a x=1 0"));
      String second = exchange(s, "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
      assertTrue(second.startsWith("HTTP/1.1 200 OK"), second);
      assertTrue(second.endsWith("POST /b null 3"), second);
    }
  }

  @Test
  void readsChunkedBodiesAndAnswersExpectContinue() throws IOException {
    try (Socket s = connect()) {
      String chunked = exchange(s, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
      assertTrue(chunked.endsWith("POST /c null 5"), chunked);
      s.getOutputStream().write("POST /d HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      assertTrue(readResponse(s.getInputStream()).startsWith("HTTP/1.1 100 Continue"));
      String answer = exchange(s, "wxyz");
      assertTrue(answer.endsWith("POST /d null 4"), answer);
    }
  }

  @Test
  void refusesMalformedAndOversizeRequestsAndCloses() throws IOException {
    for (String bad : new String[] {"NONSENSE\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n" + "y".repeat(101),
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + "y".repeat(101) + "\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nbroken header\r\n\r\n"}) {
      try (Socket s = connect()) {
        String answer = exchange(s, bad);
        assertTrue(answer.startsWith("HTTP/1.1 400"), bad + " -> " + answer);
        assertTrue(answer.contains("Connection: close"));
        assertTrue(answer.contains("{\"message\":"));
        assertEquals(-1, s.getInputStream().read(), "connection must be closed");
      }
    }
  }

  @Test
  void http10AndConnectionCloseEndTheConnection() throws IOException {
    try (Socket s = connect()) {
      assertTrue(exchange(s, "GET /e HTTP/1.0\r\n\r\n").contains("Connection: close"));
      assertEquals(-1, s.getInputStream().read());
    }
    try (Socket s = connect()) {
      assertTrue(exchange(s, "HEAD /f HTTP/1.1\r\nConnection: close\r\n\r\n").contains("Content-Length: "));
      assertEquals(-1, s.getInputStream().read());
    }
  }

  @Test
  void connectionsBeyondTheLimitGet503() throws Exception {
    try (Socket a = connect(); Socket b = connect()) {
      // Make sure both are being served before the third arrives.
      exchange(a, "GET / HTTP/1.1\r\n\r\n");
      exchange(b, "GET / HTTP/1.1\r\n\r\n");
      try (Socket c = connect()) {
        String answer;
        try {
          answer = readResponse(c.getInputStream());
        } catch (SocketTimeoutException e) {
          answer = "timeout";
        }
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
      }
    }
  }
}
