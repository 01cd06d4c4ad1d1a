package io.mintline.http.listener;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.http.Json;
import java.time.Duration;

/**
 * {@code GET /api/v1/listener/status}: the Algorand chain listener's round, lag, heartbeat age and
 * state at the top level (as before EVM listeners), and {@code listeners}: every listener, the
 * Algorand one and each EVM network's tip listener, each naming its {@code chain}. An unanswered
 * ask of the Algorand listener (the singleton moving between nodes) is a 503 timeout like any other.
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
        listener.status(askTimeout).thenCombine(listener.evmStatuses(askTimeout), (status, evm) -> {
          com.fasterxml.jackson.databind.node.ObjectNode body = Json.MAPPER.valueToTree(status);
          com.fasterxml.jackson.databind.node.ArrayNode all = body.putArray("listeners");
          com.fasterxml.jackson.databind.node.ObjectNode algorand = Json.MAPPER.valueToTree(status);
          algorand.put("chain", "algorand");
          all.add(algorand);
          for (var each : evm) {
            com.fasterxml.jackson.databind.node.ObjectNode e = Json.MAPPER.valueToTree(each);
            e.put("chain", "evm");
            all.add(e);
          }
          return Json.response(StatusCodes.OK, body);
        })))));
  }
}
