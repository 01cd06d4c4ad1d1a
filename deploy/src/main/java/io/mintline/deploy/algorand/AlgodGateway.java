package io.mintline.deploy.algorand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.config.MintlineSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@link AlgorandGateway} on algod's REST API (v2), over the JDK's asynchronous HTTP client rather
 * than algosdk's {@code AlgodClient}: algosdk's client is blocking, has one global timeout and no
 * failover, while here every call has its own budget and moves from the primary to the backup URL
 * and back (see {@link AlgodHttp}). Transactions themselves are built and encoded with algosdk.
 *
 * <ul>
 *   <li>{@link #submit}: {@code POST /v2/transactions}; algod's "transaction already in ledger"
 *       answers the txid (computed from the bytes) instead of failing, so resending saved bytes
 *       is safe; any other 4xx is {@code REJECTED}.
 *   <li>{@link #lookup}: {@code GET /v2/transactions/pending/{txid}}, then the confirmations the
 *       block follower has seen, for txids algod has already dropped from its pool.
 *   <li>{@link #awaitConfirmation}: one shared {@link BlockFollower} per gateway.
 * </ul>
 * Close the gateway to stop its follower; pending waits then fail as {@code UNAVAILABLE}.
 */
public final class AlgodGateway implements AlgorandGateway, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AlgodHttp http;
  private final Duration timeout;
  private final Duration followTimeout;
  private final BlockFollower follower;

  /**
   * @param urls primary first, then backups (non-empty)
   * @param token the {@code X-Algo-API-Token}
   */
  public AlgodGateway(List<String> urls, String token, Duration timeout, Duration followTimeout,
      MintlineSettings.Retry retry, int recentTxids) {
    this.http = new AlgodHttp(urls, token, timeout, retry);
    this.timeout = timeout;
    this.followTimeout = followTimeout;
    this.follower = new BlockFollower(http, followTimeout, retry.minBackoff(), retry.maxBackoff(), recentTxids, this::pendingLookup);
  }

  /** A gateway for the configured algod (primary and backup URL, token, timeouts, retries). */
  public static AlgodGateway create(MintlineSettings.Algod algod) {
    return create(algod, algod.url(), algod.token());
  }

  /**
   * A gateway with the configured timeouts and retries but another primary URL and token — the
   * in-process devnet's, when the node runs the embedded default.
   */
  public static AlgodGateway create(MintlineSettings.Algod algod, String url, String token) {
    if (url == null || url.isEmpty()) {
      throw new IllegalArgumentException("no algod URL: mintline.algod.url is empty and no in-process devnet URL was given");
    }
    List<String> urls = new ArrayList<>();
    urls.add(url);
    if (!algod.backupUrl().isEmpty() && !algod.backupUrl().equals(url)) urls.add(algod.backupUrl());
    return new AlgodGateway(urls, token, algod.timeout(), algod.followTimeout(), algod.retry(), algod.recentTxids());
  }

  @Override
  public CompletionStage<ChainParams> params() {
    return settled(http.get("/v2/transactions/params", timeout).thenApply(a -> {
      JsonNode n = json(ok(a, "params"));
      return new ChainParams(n.path("last-round").asLong(), n.path("min-fee").asLong(), n.path("fee").asLong(),
          n.path("genesis-id").asText(), Base64.getDecoder().decode(n.path("genesis-hash").asText()));
    }));
  }

  @Override
  public CompletionStage<String> submit(byte[] signedBytes) {
    String txId;
    try {
      txId = Txids.firstTxId(signedBytes);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.REJECTED, "not signed transaction bytes: " + e.getMessage(), e));
    }
    return settled(http.post("/v2/transactions", signedBytes).thenApply(a -> {
      if (a.status() == 200) return json(a).path("txId").asText(txId);
      String message = message(a);
      if (message.contains("already in ledger")) return txId;
      throw new ChainException(ChainException.Kind.REJECTED, "algod refused " + txId + ": " + message, null);
    }));
  }

  @Override
  public CompletionStage<Optional<Confirmation>> lookup(String txId) {
    return settled(pendingLookup(txId));
  }

  private final java.util.concurrent.atomic.AtomicLong pendingLookups = new java.util.concurrent.atomic.AtomicLong();

  /** How many times this gateway asked algod's pending pool about a txid. */
  long pendingLookups() {
    return pendingLookups.get();
  }

  private CompletableFuture<Optional<Confirmation>> pendingLookup(String txId) {
    pendingLookups.incrementAndGet();
    return http.get("/v2/transactions/pending/" + txId + "?format=json", timeout).thenApply(a -> {
      if (a.status() == 404) return follower.seen(txId);
      JsonNode n = json(ok(a, "pending transaction " + txId));
      long round = n.path("confirmed-round").asLong(0);
      if (round <= 0) return follower.seen(txId);
      return Optional.of(new Confirmation(txId, round,
          n.hasNonNull("application-index") ? n.get("application-index").asLong() : null,
          n.hasNonNull("asset-index") ? n.get("asset-index").asLong() : null));
    });
  }

  @Override
  public CompletionStage<Confirmation> awaitConfirmation(String txId, long lastValid) {
    return settled(follower.await(txId, 0, lastValid));
  }

  @Override
  public CompletionStage<Confirmation> awaitConfirmation(String txId, long firstValid, long lastValid) {
    return settled(follower.await(txId, firstValid, lastValid));
  }

  /** Blocks read at once by {@link #findInRounds}: a proof of absence is rare, a validity window up to 1,000 rounds. */
  private static final int PROOF_PARALLELISM = 8;

  @Override
  public CompletionStage<Optional<Confirmation>> findInRounds(String txId, long firstRound, long lastRound) {
    long from = Math.max(1, firstRound);
    return lastRound().thenCompose(last -> {
      if (last <= lastRound) {
        return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE,
            "the chain (round " + last + ") is not past round " + lastRound + " yet: no proof about " + txId, null));
      }
      return searchBlocks(txId, from, lastRound);
    });
  }

  private CompletionStage<Optional<Confirmation>> searchBlocks(String txId, long from, long to) {
    if (from > to) return CompletableFuture.completedFuture(Optional.empty());
    long end = Math.min(to, from + PROOF_PARALLELISM - 1);
    List<CompletableFuture<AlgorandBlock>> blocks = new java.util.ArrayList<>();
    for (long r = from; r <= end; r++) blocks.add(block(r).toCompletableFuture());
    return CompletableFuture.allOf(blocks.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      for (CompletableFuture<AlgorandBlock> f : blocks) {
        AlgorandBlock b = f.join();
        for (AlgorandBlock.Txn t : b.txns()) {
          if (t.txId().equals(txId)) {
            return CompletableFuture.completedFuture(Optional.of(new Confirmation(txId, b.round(), t.createdAppId(), t.createdAssetId())));
          }
        }
      }
      return searchBlocks(txId, end + 1, to);
    });
  }

  @Override
  public CompletionStage<Optional<AssetHolding>> holding(String address, long assetId) {
    return settled(http.get("/v2/accounts/" + address + "/assets/" + assetId + "?format=json", timeout).thenApply(a -> {
      if (a.status() == 404) return Optional.<AssetHolding>empty();
      JsonNode h = json(ok(a, "holding of asset " + assetId)).path("asset-holding");
      if (h.isMissingNode() || h.isNull()) return Optional.<AssetHolding>empty();
      return Optional.of(new AssetHolding(assetId, h.path("amount").asLong(), h.path("is-frozen").asBoolean()));
    }));
  }

  @Override
  public String algodUrl() {
    return http.activeUrl();
  }

  /** The chain's last round ({@code GET /v2/status}). */
  public CompletionStage<Long> lastRound() {
    return settled(http.get("/v2/status", timeout).thenApply(a -> json(ok(a, "status")).path("last-round").asLong()));
  }

  /**
   * Completes with the last round once the chain is past {@code round}, or when algod's own wait
   * (about a minute) ends.
   */
  public CompletionStage<Long> waitForBlockAfter(long round) {
    return waitForBlockAfter(round, followTimeout);
  }

  /**
   * As {@link #waitForBlockAfter(long)}, but an algod that has not answered within {@code budget}
   * counts as failing: the wait moves on to the next URL (the backup), as any other call does. A
   * caller that knows the chain's pace (the listener's poll interval) so notices a hung primary in
   * one such budget instead of the follow timeout.
   */
  public CompletionStage<Long> waitForBlockAfter(long round, Duration budget) {
    return settled(http.get("/v2/status/wait-for-block-after/" + round, budget)
        .thenApply(a -> json(ok(a, "wait-for-block-after")).path("last-round").asLong()));
  }

  /** Block {@code round}, decoded, with txids recomputed. */
  public CompletionStage<AlgorandBlock> block(long round) {
    return settled(http.get("/v2/blocks/" + round + "?format=msgpack", followTimeout)
        .thenApply(a -> AlgorandBlock.decode(ok(a, "block " + round).body())));
  }

  @Override
  public void close() {
    follower.close();
  }

  /**
   * The stage as the interface promises it: failing with a bare {@link ChainException} (not
   * wrapped in a CompletionException); anything unexpected counts as the node being unusable.
   */
  private static <T> CompletableFuture<T> settled(CompletableFuture<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
        return;
      }
      Throwable cause = error;
      while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
      out.completeExceptionally(cause instanceof ChainException ? cause
          : new ChainException(ChainException.Kind.UNAVAILABLE, "algod answer not usable: " + cause, cause));
    });
    return out;
  }

  private static AlgodHttp.Answer ok(AlgodHttp.Answer a, String what) {
    if (a.status() == 200) return a;
    // 404 and other 4xx here mean a question algod will not answer: asking again will not help.
    throw new CompletionException(new ChainException(ChainException.Kind.REJECTED,
        "algod answered " + a.status() + " for " + what + ": " + message(a), null));
  }

  private static JsonNode json(AlgodHttp.Answer a) {
    try {
      return JSON.readTree(a.body());
    } catch (IOException e) {
      throw new CompletionException(new ChainException(ChainException.Kind.UNAVAILABLE,
          "algod at " + a.url() + " answered something that is not JSON: " + AlgodHttp.snippet(a.body()), e));
    }
  }

  /** algod's error text ({@code {"message": …}}), or the raw body. */
  private static String message(AlgodHttp.Answer a) {
    try {
      JsonNode n = JSON.readTree(a.body());
      if (n != null && n.hasNonNull("message")) return n.get("message").asText();
    } catch (IOException e) {
      // not JSON: fall through
    }
    return AlgodHttp.snippet(a.body());
  }
}
