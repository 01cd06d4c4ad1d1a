package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one cluster on one PostgreSQL: a nonce issued by one node is accepted by the other,
 * both sign with the same devnet key, and a logout on one node is refused on the other.
 */
class AuthClusterTest {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void loginWorksAcrossNodesAndLogoutReachesEveryNode() throws Exception {
    Config database = TestDatabases.postgres();
    TestNode nodeA = TestNode.start(database);
    MintlineNode a = nodeA.node;
    TestNode nodeB = null;
    try {
      String seed = Cluster.get(a.system()).selfMember().address().toString();
      Config joinA = ConfigFactory.parseMap(Map.of(
          "akka.cluster.seed-nodes", List.of(seed),
          "mintline.algod.url", a.devnet().url(),
          "mintline.algod.token", a.devnet().apiToken()));
      nodeB = TestNode.start(joinA.withFallback(database));
      MintlineNode b = nodeB.node;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (upMembers(b) < 2) {
        assertTrue(System.nanoTime() < deadline, "two members not Up within 60 s");
        Thread.sleep(200);
      }

      Account wallet = new Account();
      String address = wallet.getAddress().toString();
      JsonNode tokens = null;
      while (tokens == null) {
        // A nonce from node A, the login at node B. As a wallet does when the login's answer is lost
        // (503 while the cluster settles: the nonce may be spent all the same), it signs a new nonce.
        String message = json(send(a, HttpRequest.newBuilder(uri(a, "/api/v1/auth/nonce?address=" + address)).GET(), 200, deadline))
            .path("message").asText();
        String signature = Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
        HttpResponse<String> login = http.send(post(b, "/api/v1/auth/login",
            Map.of("address", address, "message", message, "signature", signature)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (login.statusCode() == 200) tokens = json(login);
        else assertTrue(login.statusCode() == 503 && System.nanoTime() < deadline, "login at node B: " + login.body());
      }
      String access = tokens.path("accessToken").asText();

      assertEquals(json(send(a, HttpRequest.newBuilder(uri(a, "/.well-known/jwks.json")).GET(), 200, deadline)),
          json(send(b, HttpRequest.newBuilder(uri(b, "/.well-known/jwks.json")).GET(), 200, deadline)),
          "every node of the devnet cluster shares the signing key");
      assertEquals(200, send(a, session(a, access), 200, deadline).statusCode());

      HttpRequest.Builder logout = post(a, "/api/v1/auth/logout", Map.of("refreshToken", tokens.path("refreshToken").asText()))
          .header("Authorization", "Bearer " + access);
      assertEquals(204, http.send(logout.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      HttpResponse<String> refused = send(b, session(b, access), 401, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
      assertEquals("invalid_token", json(refused).path("error").asText());

      try (Connection c = DriverManager.getConnection(database.getString("mintline.db.url"), database.getString("mintline.db.user"), "");
          ResultSet rs = c.createStatement().executeQuery(
              "SELECT action, details->>'network' FROM audit_logs WHERE actor = '" + address + "' ORDER BY id")) {
        assertTrue(rs.next());
        assertEquals("auth.login", rs.getString(1));
        assertEquals("algorand:" + a.devnet().genesisHashBase64(), rs.getString(2), "details are JSONB on PostgreSQL");
        assertTrue(rs.next());
        assertEquals("auth.logout", rs.getString(1));
      }
    } finally {
      if (nodeB != null) nodeB.close();
      nodeA.close();
    }
  }

  private static URI uri(MintlineNode node, String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }

  private static HttpRequest.Builder session(MintlineNode node, String access) {
    return HttpRequest.newBuilder(uri(node, "/api/v1/auth/session")).header("Authorization", "Bearer " + access).GET();
  }

  private static HttpRequest.Builder post(MintlineNode node, String path, Object body) throws Exception {
    return HttpRequest.newBuilder(uri(node, path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
  }

  /** Sends until the answer has {@code status} (the cluster and the keys settle) or the deadline passes. */
  private HttpResponse<String> send(MintlineNode node, HttpRequest.Builder request, int status, long deadline) throws Exception {
    HttpResponse<String> last;
    do {
      last = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() == status) return last;
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    fail("expected " + status + " from node " + node.httpPort() + ", got " + last.statusCode() + ": " + last.body());
    return last;
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  private static long upMembers(MintlineNode node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }
}
