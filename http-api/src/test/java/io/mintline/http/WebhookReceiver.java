package io.mintline.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback (the JDK's HTTP server, port 0) that records every request it
 * gets and answers what the {@link Policy} of the request's path says for the n-th arrival of a webhook-id.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as it arrived. */
  record Arrival(String path, String id, String timestamp, String signature, String body, Instant at, int answered) {
    Map<String, String> headers() {
      return Map.of("webhook-id", id, "webhook-timestamp", timestamp, "webhook-signature", signature);
    }
  }

  /** What to answer: a status and an optional Retry-After. */
  record Answer(int status, String retryAfter) {
    static Answer of(int status) {
      return new Answer(status, null);
    }
  }

  /** The answer to the {@code nth} (1-based) arrival of {@code id}. */
  interface Policy {
    Answer answer(String id, int nth);
  }

  private final HttpServer server;
  private final List<Arrival> arrivals = new ArrayList<>();
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  /** The policy of each path; 200 for a path without one. */
  final Map<String, Policy> policies = new ConcurrentHashMap<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      int nth = seen.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger()).incrementAndGet();
      Answer answer = policies.getOrDefault(exchange.getRequestURI().getPath(), (i, n) -> Answer.of(200)).answer(id, nth);
      synchronized (arrivals) {
        arrivals.add(new Arrival(exchange.getRequestURI().getPath(), id, exchange.getRequestHeaders().getFirst("webhook-timestamp"),
            exchange.getRequestHeaders().getFirst("webhook-signature"), body, Instant.now(), answer.status()));
      }
      if (answer.retryAfter() != null) exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
      exchange.sendResponseHeaders(answer.status(), -1);
      exchange.close();
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Arrival> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  List<Arrival> arrivals(String id) {
    return arrivals().stream().filter(a -> id.equals(a.id())).toList();
  }

  List<Arrival> arrivalsAt(String path) {
    return arrivals().stream().filter(a -> path.equals(a.path())).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
