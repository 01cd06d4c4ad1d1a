package io.mintline.deploy.algorand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one block follower behind a gateway's {@code awaitConfirmation}: while anyone waits, it
 * long-polls {@code /v2/status/wait-for-block-after/{r}}, reads each new block
 * ({@code /v2/blocks/{r}?format=msgpack}), recomputes its txids, completes the waiters of every
 * txid it finds and fails, as {@code EXPIRED}, those whose last valid round the chain has passed.
 * Confirmations it has seen are remembered (a bounded, oldest-first cache) for lookups algod can
 * no longer answer from its pending pool. With nobody waiting it reads no blocks; when waiting
 * resumes it catches up from where it stopped, at most {@link #MAX_CATCH_UP} rounds back (the
 * longest validity window, so no waiting transaction can have confirmed earlier).
 */
final class BlockFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BlockFollower.class);
  static final long MAX_CATCH_UP = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Waiter(String txId, long firstValid, long lastValid, CompletableFuture<Confirmation> result) {}

  private final AlgodHttp http;
  private final Duration followTimeout;
  private final Duration minPause;
  private final Duration maxPause;
  private final Function<String, CompletableFuture<Optional<Confirmation>>> pendingLookup;
  private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
  private final Map<String, Confirmation> recent;
  private final Object signal = new Object();
  private volatile boolean closed;
  private volatile long processed = -1;
  /** The first round of the follower's gap-free run of blocks read (-1 before it starts). */
  private volatile long coveredFrom = -1;
  private Thread thread;

  BlockFollower(AlgodHttp http, Duration followTimeout, Duration minPause, Duration maxPause, int recentTxids,
      Function<String, CompletableFuture<Optional<Confirmation>>> pendingLookup) {
    this.http = http;
    this.followTimeout = followTimeout;
    this.minPause = minPause;
    this.maxPause = maxPause;
    this.pendingLookup = pendingLookup;
    this.recent = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Confirmation> eldest) {
        return size() > recentTxids;
      }
    };
  }

  /** A confirmation this follower has seen in a block, if it still remembers it. */
  Optional<Confirmation> seen(String txId) {
    synchronized (recent) {
      return Optional.ofNullable(recent.get(txId));
    }
  }

  /** The last round whose block was read, or -1 before the first. */
  long processedRound() {
    return processed;
  }

  /**
   * Completes with {@code txId}'s confirmation. {@code firstValid} (0 if unknown) lets it skip the
   * pending lookup when every round from there on has been or will be read by this follower.
   */
  CompletableFuture<Confirmation> await(String txId, long firstValid, long lastValid) {
    Optional<Confirmation> known = seen(txId);
    if (known.isPresent()) return CompletableFuture.completedFuture(known.get());
    Waiter w = new Waiter(txId, firstValid, lastValid, new CompletableFuture<>());
    // Added inside compute(), so a concurrent complete() either sees this waiter or ran before it.
    waiters.compute(txId, (k, ws) -> {
      List<Waiter> list = ws != null ? ws : new CopyOnWriteArrayList<>();
      list.add(w);
      return list;
    });
    // It may have confirmed before we started watching: the follower only sees blocks from now on.
    seen(txId).ifPresent(c -> complete(txId, c));
    long covered = coveredFrom;
    if (firstValid <= 0 || covered < 0 || firstValid < covered) lookUp(txId);
    startIfNeeded();
    synchronized (signal) {
      signal.notifyAll();
    }
    return w.result;
  }

  private synchronized void startIfNeeded() {
    if (thread != null || closed) return;
    thread = new Thread(this::run, "algod-block-follower");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    int failures = 0;
    while (!closed) {
      try {
        synchronized (signal) {
          while (!closed && waiters.isEmpty()) signal.wait(1_000);
        }
        if (closed) return;
        long last = waitForBlockAfter(processed < 0 ? currentRound() - 1 : processed);
        boolean skipped = processed < 0 || last - processed > MAX_CATCH_UP;
        if (skipped) {
          processed = Math.max(0, last - (processed < 0 ? 1 : MAX_CATCH_UP));
          coveredFrom = -1; // rounds were skipped: nothing before the next block read is covered
        }
        while (!closed && processed < last) {
          long round = processed + 1;
          handle(block(round));
          processed = round;
          if (coveredFrom < 0) coveredFrom = round;
        }
        // A waiter's lookup when it came may have found its transaction still in the pool; if it was
        // confirmed in a round the follower skipped, no block read will show it: ask again.
        if (skipped) lookUpUncovered();
        expire(processed);
        if (failures > 0) log.info("block follower: algod answers again at round {} (after {} failed tries)", processed, failures);
        failures = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (closed) return;
        failures++;
        long pause = Math.min(maxPause.toMillis(), minPause.toMillis() << Math.min(failures - 1, 20));
        // One warning per outage; the retries after it are debug noise.
        if (failures == 1) log.warn("block follower: {} — retrying with backoff up to {} ms", rootMessage(e), maxPause.toMillis());
        else log.debug("block follower: {} (try {}, next in {} ms)", rootMessage(e), failures, pause);
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && (t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private long currentRound() throws Exception {
    return lastRound(http.get("/v2/status", followTimeout).get());
  }

  private long waitForBlockAfter(long round) throws Exception {
    return lastRound(http.get("/v2/status/wait-for-block-after/" + Math.max(0, round), followTimeout).get());
  }

  private static long lastRound(AlgodHttp.Answer a) throws Exception {
    if (a.status() != 200) throw new IllegalStateException("algod status answered " + a.status() + ": " + AlgodHttp.snippet(a.body()));
    JsonNode n = JSON.readTree(a.body());
    return n.path("last-round").asLong();
  }

  private AlgorandBlock block(long round) throws ExecutionException, InterruptedException {
    AlgodHttp.Answer a = http.get("/v2/blocks/" + round + "?format=msgpack", followTimeout).get();
    if (a.status() != 200) throw new IllegalStateException("algod block " + round + " answered " + a.status() + ": " + AlgodHttp.snippet(a.body()));
    return AlgorandBlock.decode(a.body());
  }

  private void handle(AlgorandBlock block) {
    List<Confirmation> found = new ArrayList<>(block.txns().size());
    for (AlgorandBlock.Txn t : block.txns()) {
      found.add(new Confirmation(t.txId(), block.round(), t.createdAppId(), t.createdAssetId()));
    }
    synchronized (recent) {
      for (Confirmation c : found) recent.put(c.txId(), c);
    }
    for (Confirmation c : found) {
      if (waiters.containsKey(c.txId())) complete(c.txId(), c);
    }
  }

  /** Asks algod's pending pool for {@code txId}: it answers a recent confirmation too. */
  private void lookUp(String txId) {
    pendingLookup.apply(txId).whenComplete((c, e) -> {
      if (e == null && c.isPresent()) complete(txId, c.get());
    });
  }

  private void lookUpUncovered() {
    long covered = coveredFrom;
    for (List<Waiter> ws : waiters.values()) {
      for (Waiter w : ws) {
        if (w.firstValid() <= 0 || covered < 0 || w.firstValid() < covered) {
          lookUp(w.txId());
          break;
        }
      }
    }
  }

  private void complete(String txId, Confirmation c) {
    List<Waiter> ws = waiters.remove(txId);
    if (ws != null) ws.forEach(w -> w.result.complete(c));
  }

  /** Fails waiters whose window the chain has passed — after one last pending lookup, to be sure. */
  private void expire(long round) {
    for (Map.Entry<String, List<Waiter>> e : waiters.entrySet()) {
      for (Waiter w : e.getValue()) {
        if (w.lastValid >= round) continue;
        Optional<Confirmation> c;
        try {
          c = pendingLookup.apply(w.txId).get();
        } catch (Exception ex) {
          continue; // cannot tell now; try again after the next block
        }
        if (c.isPresent()) {
          complete(w.txId, c.get());
        } else if (e.getValue().remove(w)) {
          w.result.completeExceptionally(new ChainException(ChainException.Kind.EXPIRED,
              "transaction " + w.txId + " was not confirmed by its last valid round " + w.lastValid + " (chain at " + round + ")", null));
        }
      }
      waiters.computeIfPresent(e.getKey(), (k, v) -> v.isEmpty() ? null : v);
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) t.interrupt();
    ChainException stopped = new ChainException(ChainException.Kind.UNAVAILABLE, "the algod gateway was closed", null);
    waiters.values().forEach(ws -> ws.forEach(w -> w.result.completeExceptionally(stopped)));
    waiters.clear();
  }
}
