package io.mintline.http.auth;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import java.util.Optional;

/**
 * An access token carried in a browser's WebSocket handshake. A browser's {@code new WebSocket()}
 * cannot set {@code Authorization}, so it offers two subprotocols instead:
 * {@code new WebSocket(url, ["mintline.v1", "mintline.bearer." + accessToken])}. The node reads the
 * token from the second (a JWT is made of characters a subprotocol may hold) and answers with the
 * first, as the WebSocket protocol requires; the token is never echoed back.
 */
public final class WebSocketBearer {
  /** The subprotocol the node selects when a browser offered a token. */
  public static final String PROTOCOL = "mintline.v1";
  /** Prefix of the subprotocol that holds the access token. */
  public static final String TOKEN_PREFIX = "mintline.bearer.";

  private WebSocketBearer() {}

  /** The access token offered in {@code Sec-WebSocket-Protocol}, if any. */
  public static Optional<String> token(HttpRequest request) {
    for (String value : offered(request)) {
      if (value.startsWith(TOKEN_PREFIX) && value.length() > TOKEN_PREFIX.length()) {
        return Optional.of(value.substring(TOKEN_PREFIX.length()));
      }
    }
    return Optional.empty();
  }

  /** Whether the handshake offered {@link #PROTOCOL}: then the answer must select it. */
  public static boolean offersProtocol(HttpRequest request) {
    for (String value : offered(request)) if (value.equals(PROTOCOL)) return true;
    return false;
  }

  private static String[] offered(HttpRequest request) {
    StringBuilder all = new StringBuilder();
    for (HttpHeader h : request.getHeaders()) {
      if (h.lowercaseName().equals("sec-websocket-protocol")) all.append(h.value()).append(',');
    }
    return all.toString().replace(" ", "").split(",");
  }
}
