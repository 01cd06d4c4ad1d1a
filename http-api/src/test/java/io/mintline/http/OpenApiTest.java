package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;
import static org.junit.jupiter.api.Assertions.*;

import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.openapi.ApiDescription;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;
import java.time.Duration;

/**
 * The OpenAPI document against a real node: every documented operation is served, a route that
 * is served but not documented cannot be reached (the edge answers from the document), the
 * bodies the node answers match the document's schemas (networknt json-schema-validator, through
 * {@link TestNode#send}), and Swagger UI is served from the jar and renders in a real browser.
 */
class OpenApiTest {
  @TempDir static Path dataDir;
  static TestNode node;
  static Account admin;
  static String adminToken;

  @BeforeAll
  static void start() throws Exception {
    admin = new Account();
    node = TestNode.start(ConfigFactory.parseMap(Map.of("mintline.edge.admin-wallets", admin.getAddress().toString()))
        .withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
    adminToken = Creators.login(node, admin);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url(path)))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return node.send(b);
  }

  /** A request path for {@code template} with a plausible value for each parameter. */
  static String sample(String template, String address) {
    return template.replace("{address}", address).replace("{assetId}", "1").replace("{role}", "nobody").replace("{deliveryId}", "msg_unknown")
        .replace("{id}", template.startsWith("/api/v1/api-keys") ? "00000000-0000-0000-0000-000000000000" : "d-unknown");
  }

  @Test
  void theServedDocumentIsOpenApi31AndTheOneInTheJar() throws Exception {
    HttpResponse<String> served = call("GET", "/api/v1/openapi.json", null);
    assertEquals(200, served.statusCode());
    JsonNode doc = Json.MAPPER.readTree(served.body());
    assertEquals("3.1.0", doc.path("openapi").asText());
    assertEquals(ApiDescription.load().document(), doc);
    // Every operation names its answers and the error it falls back to; every $ref resolves.
    for (ApiDescription.Resource r : ApiSchemas.DESCRIPTION.resources()) {
      for (String method : r.methods()) {
        JsonNode op = doc.path("paths").path(r.template()).path(method.toLowerCase(Locale.ROOT));
        assertTrue(op.path("responses").has("default"), r.template() + " " + method);
        assertFalse(op.path("summary").asText().isBlank(), r.template() + " " + method);
        for (JsonNode p : op.path("parameters")) {
          if (p.path("in").asText().equals("path")) assertTrue(r.template().contains("{" + p.path("name").asText() + "}"), r.template());
        }
      }
    }
    Iterator<String> names = doc.path("components").path("schemas").fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      assertNotNull(ApiSchemas.errors(name, Json.MAPPER.createObjectNode()), name);
    }
  }

  @Test
  void everyDocumentedOperationIsServed() throws Exception {
    String address = new Account().getAddress().toString();
    List<String> missing = new ArrayList<>();
    int operations = 0;
    for (ApiDescription.Resource r : ApiSchemas.DESCRIPTION.resources()) {
      for (String method : r.methods()) {
        operations++;
        String path = sample(r.template(), address);
        String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
        HttpResponse<String> answer = call(method, path, body, "Authorization", "Bearer " + adminToken);
        boolean unknown = answer.statusCode() == 404 && answer.body().contains("no such resource");
        if (unknown || answer.statusCode() == 405) missing.add(method + " " + path + " -> " + answer.statusCode() + " " + answer.body());
      }
    }
    assertTrue(operations >= 27, "the document describes every route: " + operations);
    assertEquals(List.of(), missing, "documented but not served");
  }

  @Test
  void aServedRouteThatTheDocumentLeavesOutCannotBeReached() throws Exception {
    // The node's own edge around a route tree with one undocumented route: it is 404 like any unknown path.
    ServerBinding binding = Http.get(node.node.system()).newServerAt("127.0.0.1", 0)
        .bind(ApiRoutes.wrap(1024, java.time.Duration.ofSeconds(20), id -> node.node.edge().edge().guard(id, () -> concat(
            path(akka.http.javadsl.server.PathMatchers.segment("api").slash("v1").slash("secret"), () -> get(() -> complete("hidden"))),
            path(akka.http.javadsl.server.PathMatchers.segment("api").slash("v1").slash("minting").slash("status"),
                () -> get(() -> complete("documented")))))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      String base = "http://127.0.0.1:" + binding.localAddress().getPort();
      HttpResponse<String> hidden = node.http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/secret")).build(),
          HttpResponse.BodyHandlers.ofString());
      NodeHttpTest.assertErrorJson(hidden, 404, "not_found");
      HttpResponse<String> documented = node.http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/minting/status")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("documented", documented.body());
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theAnswersOfAWalletsWholeTourMatchTheDocument() throws Exception {
    int before = ApiSchemas.VALIDATED.get();
    Account wallet = new Account();
    String address = wallet.getAddress().toString();
    String nonce = call("GET", "/api/v1/auth/nonce?address=" + address, null).body();
    String message = Json.MAPPER.readTree(nonce).path("message").asText();
    String signature = java.util.Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> login = call("POST", "/api/v1/auth/login",
        Json.MAPPER.writeValueAsString(Map.of("address", address, "message", message, "signature", signature)));
    assertEquals(200, login.statusCode(), login.body());
    JsonNode tokens = Json.MAPPER.readTree(login.body());
    String bearer = "Bearer " + tokens.path("accessToken").asText();
    assertEquals(200, call("GET", "/api/v1/auth/session", null, "Authorization", bearer).statusCode());
    HttpResponse<String> key = call("POST", "/api/v1/api-keys", "{\"name\":\"tour\"}", "Authorization", bearer);
    assertEquals(201, key.statusCode(), key.body());
    assertEquals(200, call("GET", "/api/v1/api-keys", null, "X-Api-Key", Json.MAPPER.readTree(key.body()).path("key").asText()).statusCode());
    assertEquals(204, call("DELETE", "/api/v1/api-keys/" + Json.MAPPER.readTree(key.body()).path("id").asText(), null, "Authorization", bearer).statusCode());
    for (String path : List.of("/health", "/ready", "/alive", "/.well-known/jwks.json", "/api/v1/minting/status", "/api/v1/listener/status",
        "/api/v1/wallets/" + address + "/tips", "/api/v1/wallets/" + address + "/stickers", "/api/v1/deployments")) {
      HttpResponse<String> r = call("GET", path, null, "Authorization", bearer);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (call("GET", "/api/v1/wallets/" + address, null).statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "the wallet is known after its login");
      Thread.sleep(200);
    }
    assertEquals(200, call("PUT", "/api/v1/admin/tiers/" + address, "{\"tier\":\"paid\"}", "Authorization", "Bearer " + adminToken).statusCode());
    assertEquals(200, call("GET", "/api/v1/admin/tiers/" + address, null, "Authorization", "Bearer " + adminToken).statusCode());
    // The operator view's routes: admins only.
    HttpResponse<String> cluster = call("GET", "/api/v1/admin/cluster", null, "Authorization", "Bearer " + adminToken);
    assertEquals(200, cluster.statusCode(), cluster.body());
    assertEquals(1, Json.MAPPER.readTree(cluster.body()).path("membersUp").asInt(), cluster.body());
    assertEquals("Up", Json.MAPPER.readTree(cluster.body()).path("members").path(0).path("status").asText(), cluster.body());
    assertEquals(200, call("GET", "/api/v1/admin/failed-mints?limit=5", null, "Authorization", "Bearer " + adminToken).statusCode());
    assertEquals(400, call("GET", "/api/v1/admin/failed-mints?limit=0", null, "Authorization", "Bearer " + adminToken).statusCode());
    // The webhook failures: none on this node yet, both lists present (the answer is checked against the document).
    HttpResponse<String> hooks = call("GET", "/api/v1/admin/webhook-failures?limit=5", null, "Authorization", "Bearer " + adminToken);
    assertEquals(200, hooks.statusCode(), hooks.body());
    assertEquals(Json.MAPPER.readTree("{\"deliveries\":[],\"endpoints\":[]}"), Json.MAPPER.readTree(hooks.body()));
    for (String bad : List.of("0", "101", "x")) {
      HttpResponse<String> refused = call("GET", "/api/v1/admin/webhook-failures?limit=" + bad, null, "Authorization", "Bearer " + adminToken);
      NodeHttpTest.assertErrorJson(refused, 400, "invalid_parameter");
    }
    NodeHttpTest.assertErrorJson(call("GET", "/api/v1/admin/webhook-failures", null, "Authorization", bearer), 403, "forbidden");
    NodeHttpTest.assertErrorJson(call("GET", "/api/v1/admin/webhook-failures", null), 401, "unauthorized");
    assertEquals(403, call("GET", "/api/v1/admin/cluster", null, "Authorization", bearer).statusCode());
    assertEquals(403, call("GET", "/api/v1/admin/failed-mints", null, "Authorization", bearer).statusCode());
    assertEquals(401, call("GET", "/api/v1/admin/cluster", null).statusCode());
    HttpResponse<String> refreshed = call("POST", "/api/v1/auth/refresh",
        Json.MAPPER.writeValueAsString(Map.of("refreshToken", tokens.path("refreshToken").asText())));
    assertEquals(200, refreshed.statusCode(), refreshed.body());
    // Errors are validated too: a few on the way out.
    assertEquals(400, call("GET", "/api/v1/auth/nonce", null).statusCode());
    assertEquals(401, call("GET", "/api/v1/auth/session", null).statusCode());
    assertEquals(404, call("GET", "/api/v1/stickers/1/draw", null).statusCode());
    assertTrue(ApiSchemas.VALIDATED.get() - before >= 20, "answers validated: " + (ApiSchemas.VALIDATED.get() - before));
  }

  @Test
  void theValidatorCatchesABodyThatDoesNotMatch() throws Exception {
    assertTrue(ApiSchemas.errors("TokenResponse", Json.MAPPER.readTree("{\"accessToken\":\"a\"}")).size() > 0);
    assertTrue(ApiSchemas.errors("Error", Json.MAPPER.readTree(
        "{\"error\":\"x\",\"message\":\"m\",\"code\":200,\"retry\":false,\"requestId\":\"r\"}")).size() > 0, "code below 4000");
    assertEquals(List.of(), ApiSchemas.errors("Error", Json.MAPPER.readTree(
        "{\"error\":\"not_found\",\"message\":\"m\",\"code\":4040,\"retry\":false,\"requestId\":\"r\"}")));
  }

  @Test
  void swaggerUiIsServedFromTheJarAndRendersOffline() throws Exception {
    HttpResponse<String> redirect = call("GET", "/api/docs", null);
    assertEquals(302, redirect.statusCode());
    assertEquals("/api/docs/", redirect.headers().firstValue("Location").orElse(null));
    HttpResponse<String> index = call("GET", "/api/docs/", null);
    assertEquals(200, index.statusCode());
    assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(index.body().contains("swagger-ui-bundle.js"), index.body());
    assertFalse(index.body().contains("src=\"http"), "no script from elsewhere");
    HttpResponse<String> bundle = call("GET", "/api/docs/swagger-ui-bundle.js", null);
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().length() > 100_000, "the whole bundle, from swagger-ui-dist");
    assertEquals(200, call("GET", "/api/docs/swagger-ui.css", null).statusCode());
    assertTrue(call("GET", "/api/docs/swagger-initializer.js", null).body().contains("url: \"/api/v1/openapi.json\""));

    Path chromium = Path.of("/usr/bin/chromium");
    if (!Files.isExecutable(chromium)) {
      assertNotEquals("true", System.getenv("CI"), "CI must have Debian's chromium (.ci/run installs it)");
      return;
    }
    Path profile = Files.createTempDirectory(dataDir, "chromium");
    ProcessBuilder browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + profile, "--virtual-time-budget=20000", "--dump-dom", node.url("/api/docs/"))
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    String dom = Processes.run(browser, Duration.ofSeconds(60)).output();
    assertTrue(dom.contains("Mintline API"), "Swagger UI rendered the document's title: " + dom.substring(0, Math.min(2000, dom.length())));
    assertTrue(dom.contains("/api/v1/auth/nonce"), "and its operations");
  }
}
