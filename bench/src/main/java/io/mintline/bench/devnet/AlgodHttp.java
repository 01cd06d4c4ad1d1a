package io.mintline.bench.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;

/**
 * The algod calls the benchmarks make besides submitting: msgpack blocks, status, wait-for-block-after
 * and pending transactions, in algod's JSON. One instance per thread (it owns one connection).
 */
final class AlgodHttp implements Closeable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeepAliveConnection connection;

  AlgodHttp(String baseUrl, String token) {
    this.connection = new KeepAliveConnection(baseUrl, token);
  }

  /** POST /v2/transactions with signed msgpack bytes (one transaction or a whole group). */
  KeepAliveConnection.Response submit(byte[] signedBytes) throws IOException {
    return connection.post("/v2/transactions", "application/x-binary", signedBytes);
  }

  /** GET /v2/blocks/{round}?format=msgpack: the block exactly as algod serves it. */
  byte[] blockMsgpack(long round) throws IOException {
    KeepAliveConnection.Response response = connection.get("/v2/blocks/" + round + "?format=msgpack");
    if (response.status() != 200) {
      throw new IOException("block " + round + ": HTTP " + response.status() + " " + response.text());
    }
    return response.body();
  }

  long lastRound() throws IOException {
    return getJson("/v2/status").path("last-round").asLong();
  }

  /** Blocks until a round after {@code round} exists (or algod's own timeout); returns the last round then. */
  long waitForBlockAfter(long round) throws IOException {
    return getJson("/v2/status/wait-for-block-after/" + round).path("last-round").asLong();
  }

  /** The confirmed round of a transaction, 0 while it is pending. */
  long confirmedRound(String txid) throws IOException {
    JsonNode pending = getJson("/v2/transactions/pending/" + txid);
    String poolError = pending.path("pool-error").asText("");
    if (!poolError.isEmpty()) {
      throw new IOException("transaction " + txid + " was dropped: " + poolError);
    }
    return pending.path("confirmed-round").asLong(0);
  }

  private JsonNode getJson(String path) throws IOException {
    KeepAliveConnection.Response response = connection.get(path);
    if (response.status() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.status() + " " + response.text());
    }
    return JSON.readTree(response.body());
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
