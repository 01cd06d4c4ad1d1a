package io.mintline.engine.listener;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.mintline.config.ListenerSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandBlock;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain listener of one network: a cluster singleton that follows algod round by round and
 * hands every tip to the wallets concerned.
 *
 * <p>Each poll cycle asks the chain's last round. Behind it, the listener streams the missing
 * blocks, fetched {@code fetch-parallelism} at a time and handled strictly in round order
 * ({@code mapAsync} keeps order); at the tip it waits with {@code wait-for-block-after}. Each tip
 * (see {@link TipScanner}) goes to the fan's {@link WalletEntity} as {@link WalletEntity.RecordTip}
 * and, with the round's other tips to the same creator, to the creator's as one
 * {@link WalletEntity.RecordReceivedTips}, {@code delivery-parallelism} at a time, and a round counts as
 * handled only when the acknowledgements of all its tips are in. The {@link ListenerStore.Watermark}
 * (last handled round + genesis hash) is written after every {@code batch-rounds} handled rounds,
 * so a restart re-reads at most that batch, and wallets ignore a txid they already have.
 *
 * <p>Heartbeat: every completed poll cycle (algod answered and every round up to its answer is
 * handled) and every handled round. A watchdog tick (half a poll interval) reports the listener
 * {@code stale} when the heartbeat is older than two poll intervals — algod hangs or is
 * unreachable, or the chain stopped making rounds (algod holds {@code wait-for-block-after} up to a
 * minute; the devnet 5 s) — and restarts the run with exponential backoff, aborting
 * the stream and ignoring whatever the old run still answers. The backoff is for algod: a run that
 * fails for anything else (the database is down, wallets cannot persist and so do not acknowledge)
 * is retried after {@code restart.min-backoff} every time, since each try is already bounded by the
 * pool's connection timeout or the delivery timeout, and the listener must go on as soon as the
 * database is back rather than up to {@code restart.max-backoff} later; nor does the watchdog restart
 * a run that waits for wallets' acknowledgements (they time out by themselves) or that such failures
 * keep restarting. A chain whose genesis hash differs
 * from the watermark's stops the listener ({@code stopped}, with the reason) instead of
 * reprocessing another chain's rounds.
 *
 * <p>The watched TipProxy set is re-read from the deployments read side every {@code watch-refresh};
 * a deployment the listener has not taken in yet is first rescanned from its confirmation round up
 * to the watermark, then watched like the others.
 */
public final class ChainListener extends AbstractBehavior<ChainListener.Command> {
  private static final Logger log = LoggerFactory.getLogger(ChainListener.class);

  /** Messages to the listener. */
  public interface Command extends CborSerializable {}

  /** Asks for the listener's {@link ListenerStatus}. */
  public record GetStatus(ActorRef<ListenerStatus> replyTo) implements Command {}

  /** Stops the listener (the singleton's hand-over message). */
  public enum Stop implements Command { INSTANCE }

  // ---- internal, never leaves the node ----
  private enum WatchdogTick implements Command { INSTANCE }

  private record Restart(long run) implements Command {}

  private record Cycle(long run) implements Command {}

  private record Started(long run, RunStart start, Throwable error) implements Command {}

  private record StepDone(long run, StepResult result, Throwable error) implements Command {}

  private record RunStart(ListenerStore.Watermark watermark, Map<String, ListenerStore.Watched> watched) {}

  private record StepResult(Map<String, ListenerStore.Watched> watched, boolean refreshed) {}

  private record RoundEnd(long round, int txns) {}

  /** One creator's received side of a round's tips (at most {@link #CREATOR_BATCH}). */
  private record CreatorTips(String creator, List<TipReceived> tips) {}

  /** Tips per creator command: one journal write, far below the delivery timeout at any journal latency seen. */
  private static final int CREATOR_BATCH = 256;

  /** The chain is not the one the watermark belongs to. */
  static final class GenesisMismatch extends RuntimeException {
    GenesisMismatch(String message) {
      super(message);
    }
  }

  /** Starts (or joins) the singleton listener of {@code network}; answers its proxy. */
  public static ActorRef<Command> init(ActorSystem<?> system, AlgodGateway gateway, ListenerSettings settings, String network,
      Set<String> platformAccounts) {
    Behavior<Command> behavior = Behaviors.supervise(create(gateway, settings, network, platformAccounts))
        .onFailure(SupervisorStrategy.restartWithBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2));
    return ClusterSingleton.get(system).init(
        SingletonActor.of(behavior, "chain-listener-" + network).withStopMessage(Stop.INSTANCE));
  }

  public static Behavior<Command> create(AlgodGateway gateway, ListenerSettings settings, String network, Set<String> platformAccounts) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ChainListener(context, timers, gateway, settings, network, Set.copyOf(platformAccounts))));
  }

  private final TimerScheduler<Command> timers;
  private final AlgodGateway gateway;
  private final ListenerSettings settings;
  private final String network;
  private final Set<String> platformAccounts;
  private final ListenerStore store;
  private final ClusterSharding sharding;
  /**
   * Taken from the context once, on the actor's thread: the scans run in future callbacks, where
   * the ActorContext must not be touched (Akka allows it only while a message is being handled).
   */
  private final ActorSystem<?> system;

  private long run;
  private byte[] genesisHash;
  private Map<String, ListenerStore.Watched> watched = Map.of();
  private long lastRefreshNanos;
  private String stoppedReason;
  private String lastError;
  private int failures;
  /** Failures in a row that were algod's ({@link ChainException}): they alone grow the backoff. */
  private int chainFailures;
  private long lastFailureNanos;
  private boolean lastFailureChain;
  private int restarts;
  private long restartedAtNanos;
  private final AtomicLong persistedRound = new AtomicLong(-1);
  private final AtomicLong handledRound = new AtomicLong(-1);
  private final AtomicLong chainRound = new AtomicLong(-1);
  private final AtomicLong heartbeatNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong tipsSeen = new AtomicLong();
  /** Deliveries sent to wallets and not yet acknowledged (nor timed out). */
  private final AtomicInteger deliveriesInFlight = new AtomicInteger();
  private final AtomicReference<UniqueKillSwitch> currentScan = new AtomicReference<>();
  private final WatermarkWrites watermarkWrites = new WatermarkWrites();
  private long rateRound = -1;
  private long rateNanos = System.nanoTime();
  private double roundsPerSecond;

  private ChainListener(ActorContext<Command> context, TimerScheduler<Command> timers, AlgodGateway gateway,
      ListenerSettings settings, String network, Set<String> platformAccounts) {
    super(context);
    this.timers = timers;
    this.gateway = gateway;
    this.settings = settings;
    this.network = network;
    this.platformAccounts = platformAccounts;
    this.store = new ListenerStore(context.getSystem());
    this.sharding = ClusterSharding.get(context.getSystem());
    this.system = context.getSystem();
    Duration tick = settings.pollInterval().dividedBy(2);
    timers.startTimerWithFixedDelay(WatchdogTick.INSTANCE, tick.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : tick);
    log.info("chain listener for {} starting on {} (algod {})", network, context.getSystem().address(), gateway.algodUrl());
    begin();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStatus.class, m -> {
          m.replyTo().tell(status());
          return this;
        })
        .onMessage(WatchdogTick.class, m -> onWatchdog())
        .onMessage(Restart.class, m -> {
          if (m.run() == run && stoppedReason == null) begin();
          return this;
        })
        .onMessage(Started.class, this::onStarted)
        .onMessage(Cycle.class, m -> {
          if (m.run() == run && stoppedReason == null) cycle();
          return this;
        })
        .onMessage(StepDone.class, this::onStepDone)
        .onMessage(Stop.class, m -> {
          abortScan();
          log.info("chain listener for {} stops on this node at round {} (handing over)", network, persistedRound.get());
          return Behaviors.stopped();
        })
        .onSignal(akka.actor.typed.PostStop.class, s -> {
          abortScan();
          return this;
        })
        .build();
  }

  // ---- run start: watermark, genesis check, watched set ----

  private void begin() {
    long thisRun = ++run;
    if (!JournalDatabase.get(getContext().getSystem()).migrated()) {
      // Starting up: the schema is still being migrated (the database check reports why if it never is).
      heartbeatNanos.set(System.nanoTime());
      timers.startSingleTimer(new Restart(thisRun), Duration.ofMillis(200));
      return;
    }
    // The run reads the watermark only once every write of the runs before it has landed.
    getContext().pipeToSelf(watermarkWrites.beginRun(thisRun).thenCompose(x -> startRun()),
        (start, error) -> new Started(thisRun, start, unwrap(error)));
  }

  private CompletionStage<RunStart> startRun() {
    return gateway.params().thenCompose(params -> store.watermark(network).thenCompose(stored -> {
      chainRound.set(params.lastRound());
      if (stored.isPresent()) {
        if (!Arrays.equals(stored.get().genesisHash(), params.genesisHash())) {
          throw new GenesisMismatch("the chain at " + gateway.algodUrl() + " has genesis hash "
              + Base64.getEncoder().encodeToString(params.genesisHash()) + " but the watermark (round " + stored.get().round()
              + ") belongs to genesis hash " + stored.get().genesisHashBase64()
              + ": a different chain (a devnet restarted fresh, or a wrong algod URL). Not reprocessing it.");
        }
        return loadWatched(stored.get());
      }
      // First start on this network: from just before the oldest active TipProxy, else the chain's tip.
      return store.activeDeployments(network).thenCompose(active -> {
        long from = active.values().stream().mapToLong(w -> w.sinceRound() - 1).min().orElse(params.lastRound());
        return store.initialize(new ListenerStore.Watermark(network, params.genesisHash(), Math.max(0, Math.min(from, params.lastRound()))));
      }).thenCompose(this::loadWatched);
    }));
  }

  /** The active deployments already taken in; the others are picked up (with a rescan) by the next refresh. */
  private CompletionStage<RunStart> loadWatched(ListenerStore.Watermark watermark) {
    return store.activeDeployments(network).thenCombine(store.knownAddresses(network), (active, known) -> {
      Map<String, ListenerStore.Watched> taken = new HashMap<>(active);
      taken.keySet().retainAll(known);
      return new RunStart(watermark, Map.copyOf(taken));
    });
  }

  private Behavior<Command> onStarted(Started m) {
    if (m.run() != run) return this;
    if (m.error() != null) return failed(m.error());
    genesisHash = m.start().watermark().genesisHash();
    watched = m.start().watched();
    lastRefreshNanos = 0; // refresh (and take in new deployments) on the first cycle
    persistedRound.set(m.start().watermark().round());
    handledRound.set(m.start().watermark().round());
    heartbeatNanos.set(System.nanoTime());
    log.info("chain listener for {} resumes after round {} (chain at {}, genesis {}, {} TipProxy addresses watched)", network,
        persistedRound.get(), chainRound.get(), m.start().watermark().genesisHashBase64(), watched.size());
    cycle();
    return this;
  }

  // ---- poll cycles ----

  private void cycle() {
    long thisRun = run;
    long watermark = persistedRound.get();
    Map<String, ListenerStore.Watched> current = watched;
    byte[] genesis = genesisHash;
    boolean refreshDue = System.nanoTime() - lastRefreshNanos >= settings.watchRefresh().toNanos() || lastRefreshNanos == 0;
    CompletionStage<Map<String, ListenerStore.Watched>> watching =
        refreshDue ? refreshWatched(current, watermark, genesis) : CompletableFuture.completedFuture(current);
    CompletionStage<StepResult> step = watching.thenCompose(now -> gateway.lastRound().thenCompose(last -> {
      chainRound.accumulateAndGet(last, Math::max);
      if (last > watermark) return scan(thisRun, watermark + 1, last, now, null, genesis);
      // At the tip: algod answers as soon as a round past ours exists. No round within a poll interval
      // means a hung algod (the interval is above the block time): the wait fails over to the backup.
      return gateway.waitForBlockAfter(watermark, settings.pollInterval()).thenCompose(next -> {
        chainRound.accumulateAndGet(next, Math::max);
        return next > watermark ? scan(thisRun, watermark + 1, next, now, null, genesis) : CompletableFuture.completedFuture(Done.getInstance());
      });
    }).thenApply(done -> new StepResult(now, refreshDue)));
    getContext().pipeToSelf(step, (result, error) -> new StepDone(thisRun, result, unwrap(error)));
  }

  /**
   * Re-reads the active deployments; one not taken in yet is rescanned from its confirmation round
   * up to the watermark (only its address), then recorded as taken in.
   */
  private CompletionStage<Map<String, ListenerStore.Watched>> refreshWatched(Map<String, ListenerStore.Watched> current, long watermark,
      byte[] genesis) {
    return store.activeDeployments(network).thenCompose(active -> {
      Map<String, ListenerStore.Watched> fresh = new HashMap<>(active);
      fresh.keySet().removeAll(current.keySet());
      if (fresh.isEmpty()) return CompletableFuture.completedFuture(Map.copyOf(active));
      long from = fresh.values().stream().mapToLong(ListenerStore.Watched::sinceRound).min().orElseThrow();
      CompletionStage<Done> rescan = from <= watermark
          ? scan(-1, Math.max(1, from), watermark, Map.copyOf(fresh), fresh.keySet(), genesis)
          : CompletableFuture.completedFuture(Done.getInstance());
      return rescan.thenCompose(d -> store.markKnown(network, fresh.values())).thenApply(x -> {
        log.info("chain listener for {} now watches {} new TipProxy address(es) {} (from round {})", network, fresh.size(),
            fresh.keySet(), from);
        return Map.copyOf(active);
      });
    });
  }

  /**
   * Handles rounds {@code from..to} in order. A normal scan ({@code only == null}) moves the
   * heartbeat and the watermark, as run {@code run}; a rescan of newly watched addresses moves neither.
   * Runs in future callbacks, off the actor's thread: it reads only its arguments, final fields and
   * atomics, never the context or the actor's plain fields.
   */
  private CompletionStage<Done> scan(long run, long from, long to, Map<String, ListenerStore.Watched> watching, Set<String> only,
      byte[] expectedGenesis) {
    boolean main = only == null;
    ScanProgress progress = new ScanProgress(from, to);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = Source.unfold(from, r -> r > to ? Optional.empty() : Optional.of(Pair.create(r + 1, r)))
        .viaMat(KillSwitches.single(), Keep.right())
        // Bounded: at most fetch-parallelism blocks are requested or waiting to be handled.
        .mapAsync(settings.fetchParallelism(), gateway::block)
        .mapConcat(block -> roundItems(block, expectedGenesis, watching))
        // Tips of consecutive rounds are delivered in parallel; a RoundEnd passes only after every
        // earlier element (mapAsync emits in order), i.e. once all tips up to its round are acknowledged.
        .mapAsync(settings.deliveryParallelism(), item -> item instanceof TipReceived tip ? deliverToFan(tip).thenApply(d -> item)
            : item instanceof CreatorTips tips ? deliverToCreator(tips).thenApply(d -> item)
            : CompletableFuture.completedFuture(item))
        .filter(item -> item instanceof RoundEnd)
        .map(item -> {
          RoundEnd end = (RoundEnd) item;
          if (main) {
            handledRound.set(end.round());
            heartbeatNanos.set(System.nanoTime());
            progress.handled(end, to);
          }
          return end;
        })
        .groupedWithin(settings.batchRounds(), settings.pollInterval())
        .mapAsync(1, ends -> {
          long last = ends.get(ends.size() - 1).round();
          if (!main) return CompletableFuture.completedFuture(Done.getInstance());
          return watermarkWrites.advance(run, () -> store.advance(network, last)).thenApply(x -> {
            persistedRound.accumulateAndGet(last, Math::max);
            return Done.getInstance();
          });
        })
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    currentScan.set(running.first());
    return running.second().whenComplete((d, e) -> currentScan.compareAndSet(running.first(), null));
  }

  /** A block's tips to the {@code watching} addresses, then the round's end marker. */
  private List<Object> roundItems(AlgorandBlock block, byte[] genesisHash, Map<String, ListenerStore.Watched> watching) {
    if (genesisHash != null && block.genesisHash() != null && !Arrays.equals(block.genesisHash(), genesisHash)) {
      throw new GenesisMismatch("block " + block.round() + " from " + gateway.algodUrl() + " has genesis hash "
          + Base64.getEncoder().encodeToString(block.genesisHash()) + ", not the watermark's "
          + Base64.getEncoder().encodeToString(genesisHash));
    }
    List<TipReceived> tips = TipScanner.tips(block, watching, platformAccounts);
    List<Object> items = new ArrayList<>(tips.size() + 2);
    // Each fan's side tip by tip (fans are many entities, written in parallel); each creator's side
    // as one batch per round (one entity takes all its fans' tips: one write for the round's).
    items.addAll(tips);
    Map<String, List<TipReceived>> byCreator = new java.util.LinkedHashMap<>();
    for (TipReceived tip : tips) byCreator.computeIfAbsent(tip.creator(), c -> new ArrayList<>()).add(tip);
    byCreator.forEach((creator, received) -> {
      for (int i = 0; i < received.size(); i += CREATOR_BATCH) {
        items.add(new CreatorTips(creator, List.copyOf(received.subList(i, Math.min(received.size(), i + CREATOR_BATCH)))));
      }
    });
    items.add(new RoundEnd(block.round(), block.txns().size()));
    return items;
  }

  /** The fan's side of a tip (the sent tip that earns a sticker); counts the tip seen when it is new there. */
  private CompletionStage<Done> deliverToFan(TipReceived tip) {
    boolean below = tip.amount() < settings.minTipMicroAlgos();
    // Every round up to the persisted watermark is acknowledged: wallets forget tips settled by it (TipWindow).
    long watermark = persistedRound.get();
    deliveriesInFlight.incrementAndGet();
    return Stages.direct(sharding.entityRefFor(WalletEntity.ENTITY_KEY, tip.fan())
        .<WalletEntity.TipAck>ask(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.SENT, below, watermark, r),
            settings.deliveryTimeout()))
        .thenApply(ack -> {
          if (!ack.duplicate()) tipsSeen.incrementAndGet();
          return Done.getInstance();
        })
        .whenComplete((d, e) -> deliveriesInFlight.decrementAndGet());
  }

  /** A creator's side of its tips of one round, in one command. */
  private CompletionStage<Done> deliverToCreator(CreatorTips batch) {
    long watermark = persistedRound.get();
    List<WalletEntity.ReceivedTip> received = batch.tips().stream()
        .map(tip -> new WalletEntity.ReceivedTip(tip, tip.amount() < settings.minTipMicroAlgos())).toList();
    deliveriesInFlight.incrementAndGet();
    return Stages.direct(sharding.entityRefFor(WalletEntity.ENTITY_KEY, batch.creator())
        .<WalletEntity.TipsAck>ask(r -> new WalletEntity.RecordReceivedTips(received, watermark, r), settings.deliveryTimeout()))
        .thenApply(ack -> Done.getInstance())
        .whenComplete((d, e) -> deliveriesInFlight.decrementAndGet());
  }

  private Behavior<Command> onStepDone(StepDone m) {
    if (m.run() != run) return this;
    if (m.error() != null) return failed(m.error());
    heartbeatNanos.set(System.nanoTime()); // a completed poll cycle: algod answered and every round up to it is handled
    if (m.result().refreshed()) lastRefreshNanos = System.nanoTime();
    watched = m.result().watched();
    if (failures > 0 || restarts > 0) {
      log.info("chain listener for {} is making progress again at round {} on {}", network, persistedRound.get(), gateway.algodUrl());
    }
    failures = 0;
    chainFailures = 0;
    if (heartbeatAgeNanos() < settings.staleAfter().toNanos()) {
      restarts = 0;
      lastError = null;
    }
    cycle();
    return this;
  }

  /**
   * A run or a step failed: stop for a foreign chain, else retry from the watermark, with exponential
   * backoff when algod failed and after the shortest wait otherwise (see the class comment).
   */
  private Behavior<Command> failed(Throwable error) {
    if (error instanceof GenesisMismatch) {
      stoppedReason = error.getMessage();
      abortScan();
      log.error("chain listener for {} STOPPED: {}", network, stoppedReason);
      return this;
    }
    failures++;
    lastFailureNanos = System.nanoTime();
    lastFailureChain = error instanceof ChainException;
    if (lastFailureChain) chainFailures++;
    lastError = String.valueOf(error.getMessage() == null ? error : error.getMessage());
    Duration delay = lastFailureChain ? backoff(chainFailures) : settings.restartMinBackoff();
    if (failures == 1) log.warn("chain listener for {}: {} — retrying from round {} in {} ms", network, lastError, persistedRound.get(), delay.toMillis());
    else log.debug("chain listener for {}: {} (failure {}, next try in {} ms)", network, lastError, failures, delay.toMillis());
    run++; // whatever the failed run still answers is ignored
    watermarkWrites.supersede();
    timers.startSingleTimer(new Restart(run), delay);
    return this;
  }

  // ---- watchdog ----

  private Behavior<Command> onWatchdog() {
    long now = System.nanoTime();
    long handled = handledRound.get();
    if (rateRound >= 0 && now > rateNanos) {
      double instant = (handled - rateRound) * 1e9 / (now - rateNanos);
      roundsPerSecond = roundsPerSecond == 0 ? instant : 0.5 * roundsPerSecond + 0.5 * instant;
    }
    rateRound = handled;
    rateNanos = now;
    if (stoppedReason != null) return this;
    long staleNanos = settings.staleAfter().toNanos();
    // Not algod's doing: deliveries waiting for wallets time out by themselves, and runs failing on the
    // database are already retried by failed(); restarting them too would only add backoff.
    boolean waitingForWallets = deliveriesInFlight.get() > 0;
    boolean retryingAfterDatabase = failures > 0 && !lastFailureChain && now - lastFailureNanos < staleNanos;
    if (heartbeatAgeNanos() > staleNanos && now - restartedAtNanos > staleNanos && !waitingForWallets && !retryingAfterDatabase) {
      restarts++;
      Duration delay = backoff(restarts);
      log.warn("chain listener for {} is STALE: no heartbeat for {} ms (round {}, chain {}, algod {}{}); restart #{} in {} ms",
          network, heartbeatAgeNanos() / 1_000_000, handled, chainRound.get(), gateway.algodUrl(),
          lastError == null ? "" : ", last error: " + lastError, restarts, delay.toMillis());
      abortScan();
      run++;
      restartedAtNanos = now + delay.toNanos();
      timers.startSingleTimer(new Restart(run), delay);
    }
    return this;
  }

  private Duration backoff(int attempt) {
    long min = settings.restartMinBackoff().toMillis();
    long millis = Math.min(settings.restartMaxBackoff().toMillis(), min << Math.min(attempt - 1, 20));
    return Duration.ofMillis(millis);
  }

  private void abortScan() {
    watermarkWrites.supersede();
    UniqueKillSwitch scan = currentScan.getAndSet(null);
    if (scan != null) scan.abort(new IllegalStateException("listener run superseded"));
  }

  /**
   * Keeps the watermark moved by the run in progress only, which {@code TipWindow}'s exactness rests
   * on: a run that was superseded (its scan aborted by the watchdog, a restart, a hand-over) issues no
   * further write, and a new run starts only once the writes already sent by earlier runs have landed,
   * so it never reads a watermark that one of them moves afterwards. Called from the actor (run
   * changes) and from scan callbacks (writes), hence the lock; a write only starts under it.
   */
  static final class WatermarkWrites {
    private long current = -1;
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

    /** Starts {@code write} if {@code run} is still the run in progress; else fails without writing. */
    synchronized CompletionStage<Void> advance(long run, java.util.function.Supplier<CompletionStage<Void>> write) {
      if (run != current) return CompletableFuture.failedFuture(new IllegalStateException("listener run " + run + " was superseded"));
      CompletableFuture<Void> started = write.get().toCompletableFuture();
      inFlight = CompletableFuture.allOf(inFlight, started.exceptionally(e -> null));
      return started;
    }

    /** No run may write until the next {@link #beginRun}. */
    synchronized void supersede() {
      current = -1;
    }

    /** Makes {@code run} the run in progress; completes once every write of earlier runs has landed. */
    synchronized CompletionStage<Void> beginRun(long run) {
      current = run;
      return inFlight;
    }
  }

  private long heartbeatAgeNanos() {
    return System.nanoTime() - heartbeatNanos.get();
  }

  private ListenerStatus status() {
    long round = Math.max(persistedRound.get(), handledRound.get());
    long chain = Math.max(chainRound.get(), round);
    long lag = Math.max(0, chain - round);
    String state;
    if (stoppedReason != null) state = ListenerStatus.STOPPED;
    else if (heartbeatAgeNanos() > settings.staleAfter().toNanos()) state = ListenerStatus.STALE;
    else if (lag > settings.followingLag()) state = ListenerStatus.CATCHING_UP;
    else state = ListenerStatus.FOLLOWING;
    String error = stoppedReason != null ? stoppedReason : ListenerStatus.STALE.equals(state) && lastError == null
        ? "no heartbeat for " + heartbeatAgeNanos() / 1_000_000 + " ms: " + (deliveriesInFlight.get() > 0
            ? "tips wait for their wallets to acknowledge them" : "algod hangs or the chain makes no rounds") : lastError;
    return new ListenerStatus(network, round, chain, lag, heartbeatAgeNanos() / 1_000_000, state, gateway.algodUrl(),
        tipsSeen.get(), Math.round(roundsPerSecond * 10) / 10.0, ListenerStatus.FOLLOWING.equals(state) ? null : error);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** Catch-up progress of one scan, logged every progress-log-interval while far behind. */
  private final class ScanProgress {
    private final long started = System.nanoTime();
    private final long from;
    private long txns;
    private long lastLog = System.nanoTime();

    ScanProgress(long from, long to) {
      this.from = from;
      if (to - from + 1 > settings.followingLag() && to - from > 0) {
        log.info("chain listener for {} catching up: rounds {}..{} ({} behind)", network, from, to, to - from + 1);
      }
    }

    void handled(RoundEnd end, long to) {
      txns += end.txns();
      long now = System.nanoTime();
      boolean last = end.round() == to;
      if (now - lastLog < settings.progressLogInterval().toNanos() && !(last && to - from + 1 > settings.followingLag())) return;
      lastLog = now;
      double seconds = Math.max(1e-9, (now - started) / 1e9);
      double rate = (end.round() - from + 1) / seconds;
      long eta = rate > 0 ? Math.round((to - end.round()) / rate) : -1;
      log.info("chain listener for {} catching up: round {} of {}, {} rounds/s, {} txns/s scanned, ETA {} s", network,
          end.round(), to, Math.round(rate), Math.round(txns / seconds), eta);
    }
  }
}
