package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.engine.testing.TestDatabases;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node on the embedded default (H2): health, error JSON for everything, request ids. */
class NodeHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(TestDatabases.h2(dataDir));
    awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static JsonNode awaitHealthy(TestNode node) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> health = node.get("/health");
      last = Json.MAPPER.readTree(health.body());
      if ("healthy".equals(last.path("status").asText())) return last;
      Thread.sleep(200);
    }
    fail("node not healthy within 60 s: " + last);
    return null;
  }

  static void assertErrorJson(HttpResponse<String> response, int status, String error) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(error, body.path("error").asText(), response.body());
    assertTrue(body.path("code").asInt() >= 4000, response.body());
    assertTrue(body.has("message") && !body.path("message").asText().isBlank(), response.body());
    assertTrue(body.has("retry"), response.body());
    assertEquals(response.headers().firstValue("X-Request-Id").orElse(null), body.path("requestId").asText());
  }

  @Test
  void healthReportsEveryCheckOnH2() throws Exception {
    JsonNode health = awaitHealthy(node);
    assertTrue(health.path("checks").path("database").path("ok").asBoolean());
    assertEquals("h2", health.path("checks").path("database").path("vendor").asText());
    assertTrue(health.path("checks").path("database").has("latencyMs"));
    assertEquals("Up", health.path("checks").path("cluster").path("selfStatus").asText());
    assertFalse(health.path("version").asText().isBlank());
    JsonNode chain = health.path("checks").path("chain");
    assertTrue(chain.path("ok").asBoolean(), chain.toString());
    assertTrue(chain.path("embeddedDevnet").asBoolean(), chain.toString());
    assertEquals(node.node.devnet().url(), chain.path("algodUrl").asText());
  }

  @Test
  void readyAndAliveAnswer200WhenAllIsWell() throws Exception {
    assertEquals(200, node.get("/ready").statusCode());
    assertEquals(200, node.get("/alive").statusCode());
  }

  @Test
  void managementPortServesAkkaManagementHealthChecks() throws Exception {
    int port = node.node.managementPort();
    assertTrue(port > 0);
    var ready = node.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode());
    var members = node.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cluster/members")).build(),
        HttpResponse.BodyHandlers.ofString());
    // The cluster routes are for admins only (OperationsHttpTest covers tokens and basic auth).
    assertEquals(401, members.statusCode(), members.body());
  }

  @Test
  void unknownRoutesGet404ErrorJson() throws Exception {
    assertErrorJson(node.get("/no/such/thing"), 404, "not_found");
    assertErrorJson(node.get("/api/v1/nothing-here"), 404, "not_found");
  }

  @Test
  void wrongMethodGets405ErrorJsonWithAllow() throws Exception {
    var response = node.send(HttpRequest.newBuilder(URI.create(node.url("/health")))
        .DELETE());
    assertErrorJson(response, 405, "method_not_allowed");
    assertEquals("GET", response.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void bodyOfGarbageToAnyRouteIsA4xx() throws Exception {
    var response = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/wallets")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"not json")));
    assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, response.statusCode() + " " + response.body());
    assertErrorJson(response, response.statusCode(), Json.MAPPER.readTree(response.body()).path("error").asText());
  }

  @Test
  void hugeHeadersGet431ErrorJson() throws Exception {
    var response = node.send(HttpRequest.newBuilder(URI.create(node.url("/health")))
        .header("X-Padding", "a".repeat(20_000)));
    assertEquals(431, response.statusCode(), response.body());
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals("headers_too_large", body.path("error").asText());
  }

  @Test
  void rawGarbageOnTheSocketGetsA400ErrorJson() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.node.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("\u0001\u0002GARBAGE \u00ff\u00fe NOT-HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
      assertTrue(answer.contains("\"error\":\""), answer);
      assertTrue(answer.contains("application/json"), answer);
    }
  }

  @Test
  void requestIdIsEchoedWhenValidAndGeneratedOtherwise() throws Exception {
    var echoed = node.send(HttpRequest.newBuilder(URI.create(node.url("/health"))).header("X-Request-Id", "trace-42.a_b"));
    assertEquals("trace-42.a_b", echoed.headers().firstValue("X-Request-Id").orElse(null));

    var generated = node.get("/health");
    assertTrue(generated.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{24}"));

    var invalid = node.send(HttpRequest.newBuilder(URI.create(node.url("/health"))).header("X-Request-Id", "x".repeat(65)));
    assertErrorJson(invalid, 400, "invalid_request_id");
  }

  @Test
  void walletLookupValidatesTheAddressAndAnswers404ForAnUnseenWallet() throws Exception {
    assertErrorJson(node.get("/api/v1/wallets/not-an-address"), 400, "invalid_address");
    assertErrorJson(node.get("/api/v1/wallets/0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), 400, "invalid_address");
    assertErrorJson(node.get("/api/v1/wallets/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), 404, "not_found");
  }
}
