package io.mintline.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** The Mintline HTTP API calls the benchmarks' set-up makes (the measured traffic goes through Gatling). */
public final class Api {
  private Api() {}

  /** Wallet login: nonce, the wallet's signature over {@code "MX" ‖ message}, login; the access token. */
  public static String login(String node, Wallet wallet) throws Exception {
    JsonNode nonce = get(node, "/api/v1/auth/nonce?address=" + URLEncoder.encode(wallet.address(), StandardCharsets.UTF_8), null);
    String message = nonce.path("message").asText();
    JsonNode login = post(node, "/api/v1/auth/login", null, Map.of(),
        Map.of("address", wallet.address(), "message", message, "signature", wallet.signLogin(message)));
    return login.path("accessToken").asText();
  }

  /** Makes {@code creator} a creator and waits until its TipProxy is active; returns the app's address. */
  public static String becomeCreator(String node, Wallet creator, Duration within) throws Exception {
    String token = login(node, creator);
    JsonNode requested = post(node, "/api/v1/creators", token, Map.of("Idempotency-Key", UUID.randomUUID().toString()),
        Map.of("displayName", "Bench"));
    String id = requested.path("deploymentId").asText();
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode deployment = null;
    while (System.nanoTime() < deadline) {
      deployment = get(node, "/api/v1/deployments/" + id, token);
      String status = deployment.path("status").asText();
      if (status.equals("active")) return deployment.path("appAddress").asText();
      if (status.equals("failed")) throw new IllegalStateException("the creator's deployment failed: " + deployment);
      Thread.sleep(300);
    }
    throw new IllegalStateException("the creator's deployment is not active within " + within + ": " + deployment);
  }

  public static JsonNode get(String node, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + path)).GET();
    if (token != null) request.header("Authorization", "Bearer " + token);
    return answer(request, path);
  }

  public static JsonNode post(String node, String path, String token, Map<String, String> headers, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JarProcess.JSON.writeValueAsString(body)));
    if (token != null) request.header("Authorization", "Bearer " + token);
    headers.forEach(request::header);
    return answer(request, path);
  }

  private static JsonNode answer(HttpRequest.Builder request, String path) throws Exception {
    HttpResponse<String> r = JarProcess.HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    return JarProcess.JSON.readTree(r.body());
  }
}
