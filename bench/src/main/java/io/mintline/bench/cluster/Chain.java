package io.mintline.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The Mintline devnet's algod API as the benchmarks use it: faucet, parameters, submit, accounts. */
public final class Chain {
  private final String url;
  private final String token;

  public Chain(String url, String token) {
    this.url = url;
    this.token = token;
  }

  public String url() {
    return url;
  }

  public String token() {
    return token;
  }

  /** The devnet faucet ({@code POST /devnet/fund}); returns the payment's txid (not yet confirmed). */
  public String fund(String address, long microAlgos) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/devnet/fund"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JarProcess.JSON.writeValueAsString(
            Map.of("address", address, "microAlgos", microAlgos)))));
    if (r.statusCode() != 200) throw new IllegalStateException("faucet: " + r.statusCode() + " " + r.body());
    return JarProcess.JSON.readTree(r.body()).path("txId").asText();
  }

  /** {@code GET /v2/transactions/params}. */
  public JsonNode params() throws Exception {
    return getJson("/v2/transactions/params");
  }

  /** Submits signed msgpack bytes (one transaction or a whole group); returns algod's txid. */
  public String submit(byte[] signed) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/v2/transactions"))
        .header("Content-Type", "application/x-binary")
        .POST(HttpRequest.BodyPublishers.ofByteArray(signed)));
    if (r.statusCode() != 200) throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
    return JarProcess.JSON.readTree(r.body()).path("txId").asText();
  }

  public void awaitConfirmed(String txId, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode pending = getJson("/v2/transactions/pending/" + txId);
      if (!pending.path("pool-error").asText("").isEmpty()) {
        throw new IllegalStateException(txId + " dropped: " + pending.path("pool-error").asText());
      }
      if (pending.path("confirmed-round").asLong() > 0) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException(txId + " not confirmed within " + within);
  }

  public JsonNode account(String address) throws Exception {
    return getJson("/v2/accounts/" + address + "?exclude=all");
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    if (r.statusCode() != 200) throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
    return JarProcess.JSON.readTree(r.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return JarProcess.HTTP.send(request.header("X-Algo-API-Token", token).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
