package io.mintline.http.listener;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.http.Json;
import java.time.Duration;

/**
 * {@code GET /api/v1/listener/status}: the chain listener's round, lag, heartbeat age and state. An
 * unanswered ask (the singleton moving between nodes) is a 503 timeout like any other.
 */
public final class ListenerRoutes {
  private final ListenerClient listener;
  private final Duration askTimeout;

  public ListenerRoutes(ListenerClient listener, Duration askTimeout) {
    this.listener = listener;
    this.askTimeout = askTimeout;
  }

  public Route route() {
    return pathPrefix("listener", () -> path("status", () -> get(() -> completeWithFuture(
        listener.status(askTimeout).thenApply(status -> Json.response(StatusCodes.OK, status))))));
  }
}
