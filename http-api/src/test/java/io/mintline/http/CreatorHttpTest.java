package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creator onboarding through the API on a real node (H2, in-process devnet): a logged-in Algorand
 * wallet becomes a creator exactly once per Idempotency-Key, sees its deployment (and nobody
 * else's), and can watch it go live over a WebSocket.
 */
class CreatorHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Config fast = ConfigFactory.parseMap(Map.of("mintline.devnet.block-interval", "0s"));
    node = TestNode.start(fast.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static String login(Account wallet) throws Exception {
    return Creators.login(node, wallet);
  }

  static HttpResponse<String> becomeCreator(String token, String key, String body) throws Exception {
    return Creators.becomeCreator(node, token, key, body);
  }

  static HttpResponse<String> get(String token, String path) throws Exception {
    return Creators.get(node, token, path);
  }

  static JsonNode awaitActive(String token, String id) throws Exception {
    return Creators.awaitActive(node, token, id);
  }

  @Test
  void badInputIs400AndPersistsNothing() throws Exception {
    String token = login(new Account());
    NodeHttpTest.assertErrorJson(becomeCreator(token, null, "{\"displayName\":\"Ann\"}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k".repeat(65), "{\"displayName\":\"Ann\"}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "bad key!", "{\"displayName\":\"Ann\"}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k1", "{\"displayName\":\"Ann\",\"admin\":true}"), 400, "invalid_json");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k1", "{\"displayName\":\"<script>\"}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k1", "{\"displayName\":\"" + "a".repeat(33) + "\"}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k1", "{}"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(token, "k1", "not json"), 400, "invalid_json");
    var unauthenticated = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/creators")))
        .header("Content-Type", "application/json").header("Idempotency-Key", "k1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Ann\"}")));
    assertEquals(401, unauthenticated.statusCode(), unauthenticated.body());

    Thread.sleep(500);
    JsonNode list = Json.MAPPER.readTree(get(token, "/api/v1/deployments").body());
    assertEquals(0, list.path("items").size(), "nothing persisted: " + list);
  }

  @Test
  void oneKeyMeansOneDeploymentAndOneAppEvenWhenSentConcurrently() throws Exception {
    Account wallet = new Account();
    String token = login(wallet);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(pool.submit(() -> becomeCreator(token, "onboard-1", "{\"displayName\":\"Ann\"}")));
    }
    Set<String> ids = new HashSet<>();
    int accepted = 0;
    for (Future<HttpResponse<String>> answer : answers) {
      HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
      assertTrue(r.statusCode() == 202 || r.statusCode() == 200, r.body());
      if (r.statusCode() == 202) accepted++;
      ids.add(Json.MAPPER.readTree(r.body()).path("deploymentId").asText());
    }
    pool.shutdown();
    assertEquals(1, ids.size(), "one deployment for one key: " + ids);
    assertEquals(1, accepted, "exactly one request created it (202), the others saw it (200)");
    String id = ids.iterator().next();

    JsonNode active = awaitActive(token, id);
    assertEquals(wallet.getAddress().toString(), active.path("owner").asText());
    assertTrue(active.path("appId").asLong() > 0);
    assertFalse(active.path("appAddress").asText().isBlank());
    assertEquals(1, appCreations(id), "one app on the chain for the deployment");

    HttpResponse<String> again = becomeCreator(token, "onboard-1", "{\"displayName\":\"Ann\"}");
    assertEquals(200, again.statusCode());
    assertEquals(id, Json.MAPPER.readTree(again.body()).path("deploymentId").asText());
    NodeHttpTest.assertErrorJson(becomeCreator(token, "onboard-1", "{\"displayName\":\"Bob\"}"), 409, "conflict");

    HttpResponse<String> other = becomeCreator(token, "onboard-2", "{\"displayName\":\"Ann\"}");
    assertEquals(202, other.statusCode(), other.body());
    assertNotEquals(id, Json.MAPPER.readTree(other.body()).path("deploymentId").asText());
  }

  @Test
  void aWalletSeesOnlyItsOwnDeploymentsAndListsArePaged() throws Exception {
    String owner = login(new Account());
    String stranger = login(new Account());
    String id = Json.MAPPER.readTree(becomeCreator(owner, "mine", "{\"displayName\":\"Ann\"}").body()).path("deploymentId").asText();
    awaitActive(owner, id);
    NodeHttpTest.assertErrorJson(get(stranger, "/api/v1/deployments/" + id), 404, "not_found");
    NodeHttpTest.assertErrorJson(get(stranger, "/api/v1/deployments/not-an-id"), 404, "not_found");
    NodeHttpTest.assertErrorJson(get(stranger, "/api/v1/deployments/00000000000000000000000000000000"), 404, "not_found");

    String second = Json.MAPPER.readTree(becomeCreator(owner, "mine-2", "{\"displayName\":\"Ann\"}").body()).path("deploymentId").asText();
    awaitActive(owner, second);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode firstPage;
    do {
      firstPage = Json.MAPPER.readTree(get(owner, "/api/v1/deployments?limit=1&status=active").body());
      if (!firstPage.path("next").isNull()) break;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertEquals(1, firstPage.path("items").size(), firstPage.toString());
    assertEquals(id, firstPage.path("items").get(0).path("id").asText());
    JsonNode secondPage = Json.MAPPER.readTree(
        get(owner, "/api/v1/deployments?limit=1&status=active&after=" + firstPage.path("next").asText()).body());
    assertEquals(second, secondPage.path("items").get(0).path("id").asText());
    assertTrue(secondPage.path("next").isNull(), secondPage.toString());

    assertEquals(0, Json.MAPPER.readTree(get(stranger, "/api/v1/deployments").body()).path("items").size());
    NodeHttpTest.assertErrorJson(get(stranger, "/api/v1/deployments?owner=" + new Account().getAddress()), 403, "forbidden");
    NodeHttpTest.assertErrorJson(get(owner, "/api/v1/deployments?limit=0"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(get(owner, "/api/v1/deployments?status=sideways"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(get(owner, "/api/v1/deployments?after=%27%3B%20DROP%20TABLE"), 400, "invalid_parameter");
  }

  @Test
  void aWebSocketClientSeesEveryTransitionInOrderAndTheSocketCloses() throws Exception {
    String token = login(new Account());
    node.node.devnet().pause(); // hold the deployment before the chain until the socket listens
    String id;
    try {
      HttpResponse<String> created = becomeCreator(token, "ws-1", "{\"displayName\":\"Ann\"}");
      assertEquals(202, created.statusCode(), created.body());
      id = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    } catch (RuntimeException e) {
      node.node.devnet().resume();
      throw e;
    }
    List<String> statuses = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    node.http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .buildAsync(URI.create("ws://127.0.0.1:" + node.node.httpPort() + "/api/v1/deployments/" + id + "/updates"),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                try {
                  statuses.add(Json.MAPPER.readTree(data.toString()).path("status").asText());
                } catch (Exception e) {
                  closed.completeExceptionally(e);
                }
                ws.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
              }
            })
        .get(10, TimeUnit.SECONDS);
    Thread.sleep(500);
    node.node.devnet().resume();
    closed.get(60, TimeUnit.SECONDS);
    // First the state at connect time (the chain is paused, so not beyond submitted), then the rest.
    assertTrue(List.of("requested", "submitted").contains(statuses.get(0)), statuses.toString());
    assertEquals("active", statuses.get(statuses.size() - 1), statuses.toString());
    List<String> order = List.of("requested", "submitted", "confirmed", "funding", "active");
    int previous = -1;
    for (String status : statuses) {
      int index = order.indexOf(status);
      assertTrue(index > previous, "transitions out of order: " + statuses);
      previous = index;
    }
    assertTrue(statuses.containsAll(List.of("confirmed", "funding", "active")), statuses.toString());
  }

  /**
   * A browser offers its token as a subprotocol (it cannot set Authorization on a WebSocket), and
   * opens the socket right after the request, with no pause: every state from the current one on
   * still arrives (they are read from the journal), and the node selects {@code mintline.v1}.
   */
  @Test
  void aBrowserStyleSocketWithTheTokenAsSubprotocolMissesNoTransition() throws Exception {
    String token = login(new Account());
    HttpResponse<String> created = becomeCreator(token, "ws-browser", "{\"displayName\":\"Bea\"}");
    assertEquals(202, created.statusCode(), created.body());
    String id = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    URI updates = URI.create("ws://127.0.0.1:" + node.node.httpPort() + "/api/v1/deployments/" + id + "/updates");
    List<String> statuses = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket socket = node.http.newWebSocketBuilder()
        .subprotocols("mintline.v1", "mintline.bearer." + token)
        .buildAsync(updates, new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            try {
              statuses.add(Json.MAPPER.readTree(data.toString()).path("status").asText());
            } catch (Exception e) {
              closed.completeExceptionally(e);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }
        })
        .get(10, TimeUnit.SECONDS);
    assertEquals("mintline.v1", socket.getSubprotocol());
    closed.get(60, TimeUnit.SECONDS);
    List<String> order = List.of("requested", "submitted", "confirmed", "funding", "active");
    int first = order.indexOf(statuses.get(0));
    assertTrue(first >= 0, statuses.toString());
    assertEquals(order.subList(first, order.size()), statuses, "every state from the one at connect time, in order");

    // A token that does not verify, offered the same way, is refused before the upgrade.
    var refused = node.http.newWebSocketBuilder().subprotocols("mintline.v1", "mintline.bearer.not-a-token")
        .buildAsync(updates, new WebSocket.Listener() {});
    var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
    assertTrue(failure.getCause() instanceof java.net.http.WebSocketHandshakeException, failure.toString());
    assertEquals(401, ((java.net.http.WebSocketHandshakeException) failure.getCause()).getResponse().statusCode());
  }

  private static int appCreations(String deploymentId) throws Exception {
    var devnet = node.node.devnet();
    return Creators.appCreations(node, devnet.url(), devnet.apiToken(), devnet.currentRound(), deploymentId);
  }
}
