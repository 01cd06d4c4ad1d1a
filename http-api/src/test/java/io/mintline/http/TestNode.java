package io.mintline.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Starts a real node on loopback with ephemeral ports, on the given database overlay. */
final class TestNode implements ApiNode, AutoCloseable {
  final MintlineNode node;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(MintlineNode node) {
    this.node = node;
  }

  static TestNode start(Config database) {
    Config overrides = ConfigFactory.parseMap(Map.of(
        "mintline.http.host", "127.0.0.1",
        "mintline.http.port", 0,
        "akka.management.http.port", 0,
        "akka.remote.artery.canonical.port", 0,
        "mintline.devnet.port", 0,
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));
    // Tests drive hundreds of requests from 127.0.0.1: limits far above them, unless a test sets its own.
    Config generousLimits = ConfigFactory.parseMap(Map.of(
        "mintline.edge.rate-limits.anonymous-per-minute", 1_000_000,
        "mintline.edge.rate-limits.free-per-minute", 1_000_000,
        "mintline.edge.rate-limits.paid-per-minute", 1_000_000));
    Config config = overrides.withFallback(database).withFallback(generousLimits).withFallback(ConfigFactory.load());
    return new TestNode(MintlineNode.start(config));
  }

  @Override
  public String url(String path) {
    return "http://127.0.0.1:" + node.httpPort() + path;
  }

  @Override
  public HttpClient http() {
    return http;
  }

  @Override
  public HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  /** Sends {@code request}; a JSON answer must match the OpenAPI document (see {@link ApiSchemas}). */
  @Override
  public HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) throws Exception {
    HttpRequest built = request.timeout(timeout).build();
    HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
    ApiSchemas.check(built.method(), built.uri().getRawPath(), response);
    return response;
  }

  @Override
  public void close() {
    node.stop();
  }
}
