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
final class TestNode implements AutoCloseable {
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
    Config config = overrides.withFallback(database).withFallback(ConfigFactory.load());
    return new TestNode(MintlineNode.start(config));
  }

  String url(String path) {
    return "http://127.0.0.1:" + node.httpPort() + path;
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    node.stop();
  }
}
