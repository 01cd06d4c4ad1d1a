package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a wallet dApp does to become a creator, against any test node (in process, its own JVM, the jar). */
final class Creators {
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(150);

  private Creators() {}

  /** Logs {@code wallet} in (nonce, Ed25519 signBytes, login) and answers its access token. */
  static String login(ApiNode node, Account wallet) throws Exception {
    String address = wallet.getAddress().toString();
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    String signature = Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> tokens = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", signature)))));
    assertEquals(200, tokens.statusCode(), tokens.body());
    return Json.MAPPER.readTree(tokens.body()).path("accessToken").asText();
  }

  /**
   * POST /api/v1/creators with {@code body}. With an Idempotency-Key it does what the API asks of a
   * client: an answer that says {@code "retry": true} (503 timeout on a loaded machine, say) is sent
   * again with the same key, up to five times. The first EVM creator on a node waits for the tip
   * jar's compilation, hence the long timeout.
   */
  static HttpResponse<String> becomeCreator(ApiNode node, String token, String key, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url("/api/v1/creators")))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key == null) return node.send(request, CREATE_TIMEOUT);
    request.header("Idempotency-Key", key);
    HttpResponse<String> response = node.send(request, CREATE_TIMEOUT);
    for (int attempt = 1; attempt < 5 && retryable(response); attempt++) {
      System.err.println("POST /api/v1/creators answered " + response.statusCode() + " " + response.body() + "; sent again");
      Thread.sleep(1000);
      response = node.send(request, CREATE_TIMEOUT);
    }
    return response;
  }

  private static boolean retryable(HttpResponse<String> response) throws Exception {
    if (response.statusCode() < 500) return false;
    try {
      return Json.MAPPER.readTree(response.body()).path("retry").asBoolean(false);
    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
      return false;
    }
  }

  static HttpResponse<String> get(ApiNode node, String token, String path) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path))).header("Authorization", "Bearer " + token).GET());
  }

  static JsonNode awaitActive(ApiNode node, String token, String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(node, token, "/api/v1/deployments/" + id);
      assertEquals(200, r.statusCode(), r.body());
      last = Json.MAPPER.readTree(r.body());
      if ("active".equals(last.path("status").asText())) return last;
      assertNotEquals("failed", last.path("status").asText(), last.toString());
      Thread.sleep(100);
    }
    fail("not active within 90 s: " + last);
    return null;
  }

  /** App-create transactions on the chain that carry this deployment's note, over every block. */
  static int appCreations(ApiNode node, String algodUrl, String token, long lastRound, String deploymentId) throws Exception {
    String note = Base64.getEncoder().encodeToString(("mintline:deploy:" + deploymentId).getBytes(StandardCharsets.UTF_8));
    int count = 0;
    for (long round = 1; round <= lastRound; round++) {
      HttpResponse<String> block = node.http().send(
          HttpRequest.newBuilder(URI.create(algodUrl + "/v2/blocks/" + round + "?format=json"))
              .header("X-Algo-API-Token", token).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, block.statusCode(), block.body());
      for (JsonNode txn : Json.MAPPER.readTree(block.body()).path("block").path("txns")) {
        JsonNode body = txn.path("txn");
        if ("appl".equals(body.path("type").asText()) && note.equals(body.path("note").asText())) count++;
      }
    }
    return count;
  }
}
