package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command: the shaded jar, started with no configuration in an empty directory,
 * is healthy on H2 within 180 s and stops cleanly on SIGTERM (coordinated shutdown). Only the ports
 * are moved, so the test does not collide with a node running on the defaults.
 */
class NodeJarIT {
  @TempDir Path workDir;

  @Test
  void theFatJarServesHealthyOnTheEmbeddedDefaultAndStopsOnSigterm() throws Exception {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    int http = freePort();
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("node.log").toFile());
    builder.environment().put("MINTLINE_HTTP_PORT", String.valueOf(http));
    int management = freePort();
    builder.environment().put("MINTLINE_MANAGEMENT_PORT", String.valueOf(management));
    builder.environment().put("MINTLINE_REMOTE_PORT", String.valueOf(freePort()));
    int devnetPort = freePort();
    builder.environment().put("MINTLINE_DEVNET_PORT", String.valueOf(devnetPort));
    builder.environment().keySet().removeIf(k -> k.equals("MINTLINE_DB_URL"));
    // Kanela's instrumentation makes every class load slower: measured 63 s for Kamon and over 180 s to
    // healthy at load 47 on 2 cores. The jar's metrics path is checked below; OperationsHttpTest
    // checks the instrumented instruments in-process.
    builder.environment().put("MINTLINE_METRICS_INSTRUMENTATION", "false");
    Process node = builder.start();
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      JsonNode health = null;
      while (System.nanoTime() < deadline && node.isAlive()) {
        try {
          HttpResponse<String> response = client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
          health = Json.MAPPER.readTree(response.body());
          if ("healthy".equals(health.path("status").asText())) break;
        } catch (java.io.IOException notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      assertNotNull(health, "no answer within 180 s; log:\n" + log());
      assertEquals("healthy", health.path("status").asText(), health + "\n" + log());
      assertEquals("h2", health.path("checks").path("database").path("vendor").asText());
      assertTrue(Files.isDirectory(workDir.resolve("data")), "the embedded H2 database lives under ./data");
      assertEquals("http://127.0.0.1:" + devnetPort, health.path("checks").path("chain").path("algodUrl").asText(), health.toString());
      HttpResponse<String> algodStatus = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + devnetPort + "/v2/status"))
              .header("X-Algo-API-Token", "a".repeat(64)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, algodStatus.statusCode(), "wallets on this machine reach the node's devnet: " + algodStatus.body());

      // The jar's merged config starts Kamon and serves /metrics on the management port (not on Kamon's own ports).
      HttpResponse<String> metrics;
      long metricsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      do {
        metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), metrics.body());
        if (metrics.body().contains("mintline_cluster_members{")) break;
        Thread.sleep(500);
      } while (System.nanoTime() < metricsDeadline);
      assertTrue(metrics.body().contains("mintline_cluster_members{status=\"up\"} 1.0"), metrics.body());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "Kamon's JVM metrics");
      assertFalse(java.util.regex.Pattern.compile(":5266\\b|(?i)status page").matcher(log()).find(), "Kamon's status page stays off; log:\n" + log());
      // The jar's entry point widens the common pool before anything fixes its size: with one thread,
      // every callback on a stage Akka hands out starts a thread of its own.
      java.util.regex.Matcher pool = java.util.regex.Pattern.compile("common pool parallelism (\\d+)").matcher(log());
      assertTrue(pool.find(), "the start line names the common pool's parallelism; log:\n" + log());
      assertTrue(Integer.parseInt(pool.group(1)) >= 2, "common pool parallelism " + pool.group(1) + " in the jar");
      assertFalse(log().contains("The common pool has one thread"), log());

      node.destroy(); // SIGTERM: the JVM hook runs coordinated shutdown
      assertTrue(node.waitFor(45, TimeUnit.SECONDS), "node did not stop within 45 s of SIGTERM; log:\n" + log());
      assertTrue(log().contains("\"message\""), "logs are JSON lines by default");
    } finally {
      node.destroyForcibly();
    }
  }

  private String log() throws Exception {
    File file = workDir.resolve("node.log").toFile();
    return file.exists() ? Files.readString(file.toPath()) : "";
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
