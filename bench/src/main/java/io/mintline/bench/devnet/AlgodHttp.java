package io.mintline.bench.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The few algod calls the benchmarks make, over plain HTTP/1.1 as any algod client does: submitting
 * signed bytes, fetching msgpack blocks, reading status and pending transactions.
 */
final class AlgodHttp {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** algod's own wait-for-block-after gives up after about a minute; a request never waits longer. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(70);

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String baseUrl;
  private final String token;

  AlgodHttp(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  /** POST /v2/transactions; returns the HTTP status and, on a rejection, algod's message. */
  Submission submit(byte[] signedBytes) throws IOException, InterruptedException {
    HttpRequest request = request("/v2/transactions")
        .header("Content-Type", "application/x-binary")
        .POST(HttpRequest.BodyPublishers.ofByteArray(signedBytes))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Submission(response.statusCode(), response.body());
  }

  /** GET /v2/blocks/{round}?format=msgpack: the block exactly as algod serves it. */
  byte[] blockMsgpack(long round) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(
        request("/v2/blocks/" + round + "?format=msgpack").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("block " + round + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  long lastRound() throws IOException, InterruptedException {
    return getJson("/v2/status").path("last-round").asLong();
  }

  /** Blocks until a round after {@code round} exists (or algod's own timeout); returns the last round then. */
  long waitForBlockAfter(long round) throws IOException, InterruptedException {
    return getJson("/v2/status/wait-for-block-after/" + round).path("last-round").asLong();
  }

  /** The confirmed round of a transaction, 0 while it is pending. */
  long confirmedRound(String txid) throws IOException, InterruptedException {
    JsonNode pending = getJson("/v2/transactions/pending/" + txid);
    if (pending.hasNonNull("pool-error") && !pending.get("pool-error").asText().isEmpty()) {
      throw new IOException("transaction " + txid + " was dropped: " + pending.get("pool-error").asText());
    }
    return pending.path("confirmed-round").asLong(0);
  }

  private JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(REQUEST_TIMEOUT)
        .header("X-Algo-API-Token", token);
  }

  /** An answer to a submission. */
  record Submission(int status, String body) {
    boolean accepted() {
      return status == 200;
    }
  }
}
