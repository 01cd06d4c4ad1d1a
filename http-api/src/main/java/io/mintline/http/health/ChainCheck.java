package io.mintline.http.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Health probe of the Algorand node in use: {@code GET /v2/status} with the API token, reporting
 * the URL, whether it answered, its last round and the round trip time.
 */
public final class ChainCheck {
  private final String algodUrl;
  private final String token;
  private final boolean embeddedDevnet;
  private final Duration timeout;
  private final HttpClient client;

  public ChainCheck(String algodUrl, String token, boolean embeddedDevnet, Duration timeout) {
    this.algodUrl = algodUrl;
    this.token = token;
    this.embeddedDevnet = embeddedDevnet;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public String algodUrl() {
    return algodUrl;
  }

  public CompletionStage<Map<String, Object>> check() {
    long started = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(algodUrl + "/v2/status"))
        .header("X-Algo-API-Token", token)
        .timeout(timeout)
        .GET()
        .build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("ok", false);
      check.put("algodUrl", algodUrl);
      check.put("embeddedDevnet", embeddedDevnet);
      check.put("latencyMs", (System.nanoTime() - started) / 1_000_000);
      if (failure != null) {
        check.put("error", failure.getCause() == null ? String.valueOf(failure) : String.valueOf(failure.getCause()));
        return check;
      }
      if (response.statusCode() != 200) {
        check.put("error", "algod answered HTTP " + response.statusCode());
        return check;
      }
      try {
        JsonNode status = Json.MAPPER.readTree(response.body());
        check.put("ok", true);
        check.put("lastRound", status.path("last-round").asLong());
      } catch (Exception e) {
        check.put("error", "algod status is not JSON: " + e.getMessage());
      }
      return check;
    });
  }
}
