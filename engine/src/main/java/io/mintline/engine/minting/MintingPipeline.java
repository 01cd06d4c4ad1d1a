package io.mintline.engine.minting;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import akka.stream.OverflowStrategy;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.SourceQueueWithComplete;
import io.mintline.config.MintingSettings;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Confirmation;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.metrics.MintlineMetrics;
import io.mintline.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's minting pipeline: one Akka Streams graph per node, fed by the wallets that live on it.
 *
 * <pre>
 *  Source.queue(queue-size, back-pressure)      a wallet's offer completes only when there is room
 *   → groupedWithin(group-size, group-window)   up to 16 sticker creations per atomic group
 *   → mapAsyncUnordered(parallelism)            sign the group (MINT key), ask every member wallet to
 *                                               persist its MintRequested, then submit — with
 *                                               exponential backoff and jitter while algod cannot take it
 *   → mapAsyncUnordered(confirming-groups)      await each member in the gateway's one block follower
 *   → Sink.ignore                               outcomes go to the member wallets
 * </pre>
 *
 * <p>Exactly once: a group is submitted only after <em>every</em> member wallet has persisted its
 * request with the signed bytes; if any did not, nothing is sent and the others rebuild. A wallet
 * that recovers with a request in flight resends its bytes when it was a single transaction, and for
 * a group member only looks the txid up and waits for lastValid (resending a group could create a
 * sticker for a member that never persisted). Every creation carries the lease H("mint" ‖ tip), so
 * any two creations for one tip with overlapping windows exclude each other on chain, and a wallet
 * rebuilds only once the chain is past its last request's lastValid without it.
 *
 * <p>Bounds: {@code queue-size} jobs waiting, {@code max-waiting-offers} offers waiting for room,
 * {@code parallelism} groups being prepared and {@code confirming-groups} groups awaiting rounds.
 * When algod or the journal slows, these fill and offers wait; nothing else buffers.
 */
public final class MintingPipeline {
  private static final Logger log = LoggerFactory.getLogger(MintingPipeline.class);

  /** What an owner of mints (a sticker book) hands the pipeline; {@code replyTo} hears about the job. */
  public sealed interface Job extends CborSerializable permits NewMint, Resume {
    String tipTxId();

    ActorRef<Reply> replyTo();
  }

  /**
   * Sign and submit a sticker for a tip. {@code alone}: keep it out of groups (after its group was
   * refused, so one bad member cannot fail others twice).
   */
  public record NewMint(String tipTxId, boolean golden, boolean alone, ActorRef<Reply> replyTo) implements Job {}

  /**
   * Finish a request persisted earlier (after a crash or restart): resend if single, then await;
   * {@code firstValid} is 0 for a request persisted before it was recorded.
   */
  public record Resume(String tipTxId, String txId, byte[] signedBytes, long firstValid, long lastValid, boolean grouped,
      ActorRef<Reply> replyTo) implements Job {}

  /** What the pipeline tells the owner of a job: its own protocol, so it depends on no owner. */
  public sealed interface Reply extends CborSerializable permits PersistRequest, Confirmed, Expired, NotSubmitted, Rejected, Undecided {
    String tipTxId();
  }

  /** Persist the signed creation for a tip, then reply: nothing is submitted before every member did. */
  public record PersistRequest(String tipTxId, String txId, byte[] signedBytes, long firstValid, long lastValid, boolean grouped,
      ActorRef<StatusReply<Done>> replyTo) implements Reply {}

  /** The creation is confirmed. */
  public record Confirmed(String tipTxId, String txId, long assetId, long round) implements Reply {}

  /**
   * The chain passed lastValid and the blocks of rounds firstValid..lastValid, read one by one, do not
   * hold the creation: rebuild (same lease).
   */
  public record Expired(String tipTxId, String txId) implements Reply {}

  /** The creation was not submitted (or its group was refused whole): rebuild, {@code alone} outside any group. */
  public record NotSubmitted(String tipTxId, String txId, boolean alone) implements Reply {}

  /** The chain refused the creation for good. */
  public record Rejected(String tipTxId, String txId, String reason) implements Reply {}

  /** No verdict (the gateway stopped, or the window's blocks could not all be read): resume the request later. */
  public record Undecided(String tipTxId, String txId, String reason) implements Reply {}

  /**
   * An earlier signed creation of a tip, kept by its owner while the sticker is unfinished: a request
   * the owner replaced by a rebuild, or one another incarnation of the owner persisted (a paused node
   * writing once more before it learns it was downed). Any of them may be the one on chain.
   */
  public record Attempt(String txId, long firstValid, long lastValid) implements CborSerializable {}

  /** Why an offer was not taken. */
  public enum Offer {
    ACCEPTED,
    /** Too many offers already wait for room: try again later. */
    BUSY,
    /** The pipeline is shutting down. */
    CLOSED
  }

  /** What {@code GET /api/v1/minting/status} shows of this node. */
  public record Status(long inFlight, long queued, long mintedTotal, long failedTotal, double mintsPerSecond,
      long oldestPendingAgeMs) {}

  private final ActorSystem<?> system;
  private final MintingSettings settings;
  private final StickerMinter minter;
  private final AlgorandGateway gateway;
  private final SourceQueueWithComplete<Job> queue;
  private final CompletionStage<Done> done;
  private final AtomicReference<CachedParams> params = new AtomicReference<>();
  /** Tip → when its job was accepted (nanoTime), until its outcome; for the status's oldest age. */
  private final Map<String, Long> pending = new ConcurrentHashMap<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong minted = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  /** Confirmations per second over the last {@link #RATE_WINDOW} seconds (ring by epoch second). */
  private static final int RATE_WINDOW = 10;
  private final AtomicLongArray perSecond = new AtomicLongArray(RATE_WINDOW);
  private final AtomicLongArray secondOf = new AtomicLongArray(RATE_WINDOW);

  private record CachedParams(ChainParams params, long fetchedNanos) {}

  /** Told the tip txid of every confirmed sticker (benchmarks, metrics); must not block. */
  private volatile java.util.function.Consumer<String> mintedObserver = tip -> { };

  public void onMinted(java.util.function.Consumer<String> observer) {
    this.mintedObserver = observer;
  }

  private record Member(StickerMinter.SignedMint mint, ActorRef<Reply> owner, boolean grouped) {}

  private MintingPipeline(ActorSystem<?> system, MintingSettings settings, StickerMinter minter, AlgorandGateway gateway) {
    this.system = system;
    this.settings = settings;
    this.minter = minter;
    this.gateway = gateway;
    var materialized = Source.<Job>queue(settings.queueSize(), OverflowStrategy.backpressure(), settings.maxWaitingOffers())
        .map(job -> {
          queued.decrementAndGet();
          return job;
        })
        .groupedWithin(settings.groupSize(), settings.groupWindow())
        .mapConcat(this::split)
        .mapAsyncUnordered(settings.parallelism(), this::prepare)
        .mapAsyncUnordered(settings.confirmingGroups(), this::confirm)
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    this.queue = materialized.first();
    this.done = materialized.second();
    done.whenComplete((d, e) -> {
      if (e != null) log.error("minting pipeline stopped", e);
    });
  }

  /**
   * Starts the node's pipeline and registers its drain with coordinated shutdown: new offers are
   * refused, queued and submitted mints get {@code drain-timeout} to finish; the rest resume from
   * their persisted requests when their wallets next start.
   */
  public static MintingPipeline start(ActorSystem<?> system, MintingSettings settings, StickerMinter minter,
      AlgorandGateway gateway) {
    MintingPipeline pipeline = new MintingPipeline(system, settings, minter, gateway);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-minting-pipeline",
        () -> pipeline.drain().thenApply(d -> Done.getInstance()));
    return pipeline;
  }

  public MintingSettings settings() {
    return settings;
  }

  /** Completes when there is room for {@code job} (or says why not): the wallet acks after this. */
  public CompletionStage<Offer> offer(Job job) {
    CompletionStage<QueueOfferResult> offered;
    try {
      offered = Stages.direct(queue.offer(job));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Offer.CLOSED);
    }
    return offered.handle((result, error) -> {
      if (error != null) {
        return error instanceof IllegalStateException || cause(error) instanceof IllegalStateException ? Offer.BUSY : Offer.CLOSED;
      }
      if (result instanceof QueueOfferResult.Enqueued$) {
        queued.incrementAndGet();
        pending.putIfAbsent(job.tipTxId(), System.nanoTime());
        return Offer.ACCEPTED;
      }
      return Offer.CLOSED;
    });
  }

  /** Stops taking offers and waits (up to {@code drain-timeout}) for what is in the pipeline. */
  public CompletionStage<Done> drain() {
    queue.complete();
    return done.toCompletableFuture()
        .completeOnTimeout(Done.getInstance(), settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> Done.getInstance())
        .thenApply(d -> {
          if (!pending.isEmpty()) log.info("minting pipeline drained; {} mints resume from their persisted requests", pending.size());
          return d;
        });
  }

  public Status status() {
    long now = System.nanoTime();
    long oldest = pending.values().stream().mapToLong(t -> now - t).max().orElse(0);
    long q = Math.max(0, queued.get());
    return new Status(Math.max(0, pending.size() - q), q, minted.get(), failed.get(), rate(), oldest / 1_000_000);
  }

  // ---- stages ----

  /** Resumes go alone, as do jobs marked alone; new mints of a batch form one group. */
  private List<List<Job>> split(List<Job> batch) {
    List<List<Job>> out = new ArrayList<>();
    List<Job> group = new ArrayList<>(batch.size());
    for (Job job : batch) {
      if (job instanceof NewMint m && !m.alone()) group.add(job);
      else out.add(List.of(job));
    }
    if (!group.isEmpty()) out.add(group);
    return out;
  }

  /** Signs, has every member persist, submits; answers the members to await (empty if none). */
  private CompletionStage<List<Member>> prepare(List<Job> jobs) {
    if (jobs.get(0) instanceof Resume r) return resume(r);
    List<NewMint> mints = jobs.stream().map(NewMint.class::cast).toList();
    return currentParams().thenCompose(p -> {
      List<StickerMinter.MintOrder> orders = mints.stream().map(m -> new StickerMinter.MintOrder(m.tipTxId(), m.golden())).toList();
      StickerMinter.SignedGroup group = minter.signGroup(orders, p);
      List<Member> members = new ArrayList<>(mints.size());
      for (int i = 0; i < mints.size(); i++) members.add(new Member(group.members().get(i), mints.get(i).replyTo(), group.grouped()));
      return persistAll(members).thenCompose(persisted -> {
        if (persisted.size() < members.size()) {
          // Not every member holds its request: these bytes must never reach the chain.
          // Every member hears it (one that persisted late included) and signs anew.
          for (Member m : members) m.owner().tell(new NotSubmitted(m.mint().tipTxId(), m.mint().txId(), false));
          MintlineMetrics.mintFailed(MintlineMetrics.MintFailure.UNPREPARED, members.size());
          return CompletableFuture.completedFuture(List.<Member>of());
        }
        return submit(group.submitBytes(), members, 1);
      });
    }).exceptionally(error -> {
      // No params (algod unreachable) or a signing bug: nothing was persisted or sent; the wallets offer again.
      log.warn("minting: could not prepare a group of {}: {}", mints.size(), message(error));
      MintlineMetrics.mintFailed(MintlineMetrics.MintFailure.UNPREPARED, mints.size());
      for (NewMint m : mints) m.replyTo().tell(new NotSubmitted(m.tipTxId(), null, false));
      return List.of();
    });
  }

  private CompletionStage<List<Member>> persistAll(List<Member> members) {
    List<CompletableFuture<Optional<Member>>> asks = new ArrayList<>(members.size());
    for (Member m : members) {
      StickerMinter.SignedMint s = m.mint();
      asks.add(Stages.direct(AskPattern.<Reply, StatusReply<Done>>ask(m.owner(),
              replyTo -> new PersistRequest(s.tipTxId(), s.txId(), s.signedBytes(), s.firstValid(), s.lastValid(), m.grouped(), replyTo),
              settings.persistTimeout(), system.scheduler()))
          .handle((reply, error) -> error == null && reply.isSuccess() ? Optional.of(m) : Optional.<Member>empty()));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
  }

  /** Submits with backoff while algod cannot take it; a refusal goes to the members. */
  private CompletionStage<List<Member>> submit(byte[] bytes, List<Member> members, int attempt) {
    return gateway.submit(bytes).handle((txId, error) -> {
      if (error == null) MintlineMetrics.mintsSubmitted(members.size());
      if (error == null) return CompletableFuture.completedFuture(members);
      ChainException chain = chainFailure(error);
      if (chain != null && chain.retryable() && attempt < settings.retry().maxAttempts()) {
        Duration delay = settings.retry().delay(attempt);
        if (attempt == 1) log.warn("minting: algod cannot take a group of {} ({}); retrying with backoff", members.size(), message(error));
        return after(delay).thenCompose(v -> submit(bytes, members, attempt + 1));
      }
      if (chain != null && chain.retryable()) {
        // Still unavailable after every attempt: the members wait for lastValid, then rebuild.
        log.warn("minting: giving up resending a group of {} after {} attempts: {}", members.size(), attempt, message(error));
        return CompletableFuture.completedFuture(members);
      }
      String reason = message(error);
      if (reason.contains("txn dead") || signedByReplacedKey(reason)) {
        // The window passed before algod took the bytes (a slow journal, a loaded node), or they were
        // signed by the minting key a rotation just replaced: they are in no block and never will be,
        // so every member signs anew, alone, with the same lease (and the current key).
        for (Member m : members) {
          m.owner().tell(new NotSubmitted(m.mint().tipTxId(), m.mint().txId(), true));
          pending.remove(m.mint().tipTxId());
        }
        return CompletableFuture.completedFuture(List.<Member>of());
      }
      if (members.size() == 1 && !members.get(0).grouped() && reason.contains("lease")) {
        // Another creation for this tip holds the lease: await ours; the chain has at most one.
        return CompletableFuture.completedFuture(members);
      }
      for (Member m : members) {
        // A group is refused whole: its members retry alone, so one bad member fails only itself.
        m.owner().tell(m.grouped()
            ? new NotSubmitted(m.mint().tipTxId(), m.mint().txId(), true)
            : new Rejected(m.mint().tipTxId(), m.mint().txId(), reason));
        if (!m.grouped()) failed.incrementAndGet();
        if (!m.grouped()) MintlineMetrics.mintFailed(MintlineMetrics.MintFailure.REJECTED, 1);
        pending.remove(m.mint().tipTxId());
      }
      return CompletableFuture.completedFuture(List.<Member>of());
    }).thenCompose(stage -> stage);
  }

  /**
   * The chain wants the minting key the account is being (or was just) rekeyed to, and got another:
   * signed before the rotation ({@code KeyRotation}), sent after. Signed anew the mints go through.
   * A refusal naming any other key is a wrong key, and stands.
   */
  private boolean signedByReplacedKey(String reason) {
    java.util.regex.Matcher m = AUTHORIZED_BY.matcher(reason);
    return m.find() && !m.group(1).equals(m.group(2)) && minter.signsOrWillSignWith(m.group(1));
  }

  private static final java.util.regex.Pattern AUTHORIZED_BY = java.util.regex.Pattern.compile(
      "should have been authorized by ([A-Z2-7]{58}) but was actually authorized by ([A-Z2-7]{58})");

  private CompletionStage<List<Member>> resume(Resume r) {
    StickerMinter.SignedMint mint = new StickerMinter.SignedMint(r.tipTxId(), r.txId(), r.signedBytes(), null, r.firstValid(),
        r.lastValid());
    List<Member> one = List.of(new Member(mint, r.replyTo(), r.grouped()));
    if (r.grouped() || r.signedBytes() == null) return CompletableFuture.completedFuture(one);
    // A refusal of saved bytes (e.g. past lastValid) is no verdict: the lookup and follower decide.
    return gateway.submit(r.signedBytes()).handle((txId, error) -> one);
  }

  /**
   * Looks for earlier creations of tip {@code tipTxId} in the blocks of their validity windows, oldest
   * first: the first that created an asset, as a confirmation, or empty when none is on chain. Fails
   * (no verdict) while the chain is not past an attempt's lastValid or its blocks cannot be read. The
   * creations share the tip's lease, so the chain holds at most one of them.
   */
  public CompletionStage<Optional<Confirmed>> findEarlier(String tipTxId, List<Attempt> attempts) {
    CompletionStage<Optional<Confirmed>> result = CompletableFuture.completedFuture(Optional.empty());
    for (Attempt a : attempts) {
      result = result.thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found)
          : gateway.findInRounds(a.txId(), a.firstValid() > 0 ? a.firstValid() : Math.max(1, a.lastValid() - 1000), a.lastValid())
              .thenApply(c -> c.filter(x -> x.assetId() != null)
                  .map(x -> new Confirmed(tipTxId, a.txId(), x.assetId(), x.round()))));
    }
    return result;
  }

  /**
   * Awaits every member in the block follower and tells each owner the outcome. Past lastValid a
   * creation counts as expired only when the gateway has read every block of its validity window and
   * found it in none (algod's pending pool forgets, and the follower may not have read those rounds);
   * until that proof succeeds nothing is rebuilt: the owner resumes the request later.
   */
  private CompletionStage<Done> confirm(List<Member> members) {
    List<CompletableFuture<Void>> waits = new ArrayList<>(members.size());
    for (Member m : members) {
      StickerMinter.SignedMint s = m.mint();
      waits.add(gateway.awaitConfirmation(s.txId(), s.firstValid(), s.lastValid())
          .<Optional<Confirmation>>thenApply(Optional::of)
          .exceptionallyCompose(error -> {
            ChainException chain = chainFailure(error);
            if (chain != null && chain.kind() == ChainException.Kind.EXPIRED) {
              return gateway.findInRounds(s.txId(), validFrom(s), s.lastValid());
            }
            return CompletableFuture.failedFuture(error);
          })
          .<Void>handle((found, error) -> {
            Long accepted = pending.remove(s.tipTxId());
            if (error != null) {
              // The gateway stopped, or the blocks could not all be read: no verdict, nothing rebuilt.
              m.owner().tell(new Undecided(s.tipTxId(), s.txId(), message(error)));
              return null;
            }
            if (found.isPresent() && found.get().assetId() != null) {
              countMinted();
              MintlineMetrics.mintConfirmed(accepted);
              mintedObserver.accept(s.tipTxId());
              m.owner().tell(new Confirmed(s.tipTxId(), s.txId(), found.get().assetId(), found.get().round()));
            } else if (found.isPresent()) {
              failed.incrementAndGet();
              MintlineMetrics.mintFailed(MintlineMetrics.MintFailure.NO_ASSET, 1);
              m.owner().tell(new Rejected(s.tipTxId(), s.txId(), "confirmed transaction created no asset"));
            } else {
              MintlineMetrics.mintFailed(MintlineMetrics.MintFailure.EXPIRED, 1);
              m.owner().tell(new Expired(s.tipTxId(), s.txId()));
            }
            return null;
          })
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(v -> Done.getInstance());
  }

  /**
   * The first round a creation can be in: its recorded firstValid, or for a request persisted
   * without it, lastValid minus Algorand's longest validity window (1,000 rounds).
   */
  private static long validFrom(StickerMinter.SignedMint s) {
    return s.firstValid() > 0 ? s.firstValid() : Math.max(1, s.lastValid() - 1000);
  }

  // ---- helpers ----

  private CompletionStage<ChainParams> currentParams() {
    CachedParams cached = params.get();
    long now = System.nanoTime();
    if (cached != null && now - cached.fetchedNanos() < settings.paramsMaxAge().toNanos()) {
      return CompletableFuture.completedFuture(cached.params());
    }
    return gateway.params().thenApply(p -> {
      params.set(new CachedParams(p, System.nanoTime()));
      return p;
    });
  }

  private CompletionStage<Void> after(Duration delay) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    system.scheduler().scheduleOnce(delay, () -> f.complete(null), system.executionContext());
    return f;
  }

  private void countMinted() {
    minted.incrementAndGet();
    long second = System.currentTimeMillis() / 1000;
    int slot = (int) (second % RATE_WINDOW);
    if (secondOf.get(slot) != second) {
      secondOf.set(slot, second);
      perSecond.set(slot, 0);
    }
    perSecond.incrementAndGet(slot);
  }

  /** Mints confirmed per second over the last full seconds of the window. */
  private double rate() {
    long now = System.currentTimeMillis() / 1000;
    long sum = 0;
    for (int i = 0; i < RATE_WINDOW; i++) {
      long s = secondOf.get(i);
      if (s < now && s >= now - RATE_WINDOW + 1) sum += perSecond.get(i);
    }
    return sum / (double) (RATE_WINDOW - 1);
  }

  private static ChainException chainFailure(Throwable error) {
    Throwable c = cause(error);
    return c instanceof ChainException e ? e : null;
  }

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  private static String message(Throwable error) {
    Throwable c = cause(error);
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
