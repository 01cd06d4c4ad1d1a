package io.mintline.engine.listener;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.mintline.config.EvmListenerSettings;
import io.mintline.config.EvmSettings;
import io.mintline.config.ListenerSettings;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.serialization.CborSerializable;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tip listener of one EVM network: a cluster singleton, supervised like the Algorand
 * {@link ChainListener}, that reads the {@code Tip} events of the creators' active tip jars with
 * {@code eth_getLogs} and hands every tip to the fan's and the creator's {@link WalletEntity}.
 *
 * <p>A cycle: re-read the active tip jars (a jar not taken in yet is first read from its own block
 * up to the watermark); ask the head; check that the newest remembered block still has the hash it
 * had when it was handled — if not, a reorganisation replaced blocks the listener had read: go back
 * to the newest remembered block both chains share, persist that as the watermark and read again
 * from there; then read from the watermark up to the <em>safe block</em>
 * {@code head - confirmations + 1} (the network's confirmations, counting the tip's own block, as
 * deployments do), in ranges of at most {@code max-block-range} blocks, {@code catch-up-parallelism}
 * ranges at once, delivering in block order. A range counts only once every tip in it is
 * acknowledged; the watermark and the hashes of the last {@code reorg-window} blocks are then
 * persisted in one transaction ({@link ListenerStore#handledBlocks}). Block hashes are fetched with
 * the logs, and a log whose block hash is not the one fetched (the chain moved during the cycle)
 * fails the cycle, which is retried. Reorganisations shallower than the confirmations are never seen:
 * no block is read before it is that deep.
 *
 * <p>A tip is counted for a jar's owner only when the event names the owner as creator (anyone may
 * call {@code tip(creator, memo)} on any jar). Its id is {@link TipReceived#evmTipId}. Tips of an
 * orphaned block are withdrawn from the fan's and the creator's wallets ({@link WalletEntity.WithdrawTip})
 * before anything of the new chain is read; the final chain's delivery of one it includes again (the
 * same id, maybe another block) is then recorded as new, and minted on the final chain; those it does
 * not include stay withdrawn (counted and logged once the listener has read past the replaced blocks). The tips of
 * each remembered block and the orphaned tips are persisted with the watermark
 * ({@code evm_listener_block_tips}, {@code evm_listener_orphans}), so a restart between a
 * reorganisation and its settling loses neither. Deliveries carry the persisted watermark and the
 * reorg window, which bound each wallet's EVM de-duplication keys. The genesis
 * block's hash is kept with the watermark: a node answering for another chain stops the listener.
 *
 * <p>A network that no tip jar uses yet is {@code idle}: the listener sends no RPC call (and does not
 * start a local node for nothing); it starts, from the first tip jar's block, as soon as one is active.
 */
public final class EvmTipListener extends AbstractBehavior<EvmTipListener.Command> {
  private static final Logger log = LoggerFactory.getLogger(EvmTipListener.class);
  /** keccak256("Tip(address,address,uint256,string)"): the tip-jar template's event. */
  public static final String TIP_TOPIC = org.web3j.crypto.Hash.sha3String("Tip(address,address,uint256,string)");

  /** Messages to the listener. */
  public interface Command extends CborSerializable {}

  /** Asks for the listener's {@link EvmListenerStatus}. */
  public record GetStatus(ActorRef<EvmListenerStatus> replyTo) implements Command {}

  /** Stops the listener (the singleton's hand-over message). */
  public enum Stop implements Command { INSTANCE }

  private enum WatchdogTick implements Command { INSTANCE }

  private record Next(long run) implements Command {}

  private record CycleDone(long run, Cursor cursor, Throwable error) implements Command {}

  /** The chain does not have the watermark's genesis block, or a reorganisation is deeper than the window. */
  static final class Unrecoverable extends RuntimeException {
    Unrecoverable(String message) {
      super(message);
    }
  }

  /** The chain changed while a cycle read it: try again. */
  static final class ChainMoved extends RuntimeException {
    ChainMoved(String message) {
      super(message);
    }
  }

  /** One handled block: number, hash, the ids of the tips delivered from it and their wallets (by id). */
  private record Handled(long number, String hash, List<String> tips, Map<String, ListenerStore.TipParties> parties) {}

  /**
   * Where the listener is: immutable, handed from cycle to cycle. {@code idle}: nothing to read yet
   * (a local chain without tip jars). {@code orphaned}: tips of replaced blocks up to block
   * {@code orphanedUpTo} not delivered again yet; {@code untold}: those of them whose wallets are yet
   * to be told to withdraw them (with their wallets), before anything of the new chain is read.
   */
  private record Cursor(boolean idle, String genesis, long watermark, List<Handled> recent, Map<String, ListenerStore.Watched> watched,
      Set<String> known, long head, Set<String> orphaned, long orphanedUpTo, Map<String, ListenerStore.TipParties> untold) {
    Cursor with(long watermark, List<Handled> recent, long head, Set<String> orphaned) {
      return new Cursor(false, genesis, watermark, recent, watched, known, head, orphaned, orphanedUpTo, untold);
    }

    Cursor orphaning(long upTo) {
      return new Cursor(idle, genesis, watermark, recent, watched, known, head, orphaned, Math.max(orphanedUpTo, upTo), untold);
    }

    Cursor untold(Map<String, ListenerStore.TipParties> untold) {
      return new Cursor(idle, genesis, watermark, recent, watched, known, head, orphaned, orphanedUpTo, Map.copyOf(untold));
    }
  }

  /** Starts (or joins) the singleton listener of EVM network {@code network}; answers its proxy. */
  public static ActorRef<Command> init(ActorSystem<?> system, EvmNetworks networks, EvmListenerSettings settings,
      ListenerSettings delivery, String network) {
    Behavior<Command> behavior = Behaviors.supervise(create(networks, settings, delivery, network))
        .onFailure(SupervisorStrategy.restartWithBackoff(delivery.restartMinBackoff(), delivery.restartMaxBackoff(), 0.2));
    return ClusterSingleton.get(system).init(
        SingletonActor.of(behavior, "evm-tip-listener-" + network).withStopMessage(Stop.INSTANCE));
  }

  public static Behavior<Command> create(EvmNetworks networks, EvmListenerSettings settings, ListenerSettings delivery,
      String network) {
    // Shared by the instances a supervisor restart makes: a run of the failed instance whose cycle is
    // still in flight writes nothing once it is superseded, and the next run starts after its writes.
    ChainListener.WatermarkWrites writes = new ChainListener.WatermarkWrites();
    AtomicLong runs = new AtomicLong();
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new EvmTipListener(context, timers, networks, settings, delivery, network, writes, runs)));
  }

  private final TimerScheduler<Command> timers;
  private final EvmNetworks networks;
  private final EvmSettings.Network networkSettings;
  private final EvmListenerSettings settings;
  private final ListenerSettings delivery;
  private final String network;
  /** The watermark's row: EVM networks are named apart from the Algorand network. */
  private final String storeKey;
  private final ListenerStore store;
  private final ClusterSharding sharding;
  private final ActorSystem<?> system;
  private final Executor blockingIo;

  /** The store writes of a cycle (watermark, remembered blocks, orphans) go only from the run in progress. */
  private final ChainListener.WatermarkWrites writes;
  private final AtomicLong runs;
  private long run;
  private Cursor cursor;
  private boolean cycling;
  private String stoppedReason;
  private String lastError;
  private int failures;
  private long heartbeatNanos = System.nanoTime();
  private long restartedAtNanos;
  private final AtomicLong reorgs = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicReference<String> lastReorg = new java.util.concurrent.atomic.AtomicReference<>();
  private final AtomicLong tipsSeen = new AtomicLong();
  private final AtomicLong withdrawn = new AtomicLong();

  private EvmTipListener(ActorContext<Command> context, TimerScheduler<Command> timers, EvmNetworks networks,
      EvmListenerSettings settings, ListenerSettings delivery, String network, ChainListener.WatermarkWrites writes,
      AtomicLong runs) {
    super(context);
    this.writes = writes;
    this.runs = runs;
    this.run = runs.incrementAndGet();
    this.timers = timers;
    this.networks = networks;
    this.networkSettings = networks.settings(network).orElseThrow(() -> new IllegalArgumentException("no EVM network " + network));
    this.settings = settings;
    this.delivery = delivery;
    this.network = network;
    this.storeKey = "evm:" + network;
    this.store = new ListenerStore(context.getSystem());
    this.sharding = ClusterSharding.get(context.getSystem());
    this.system = context.getSystem();
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    timers.startTimerWithFixedDelay(WatchdogTick.INSTANCE, Duration.ofMillis(Math.max(100, settings.pollInterval().toMillis())));
    log.info("EVM tip listener for {} (chain id {}) starting on {}", network, networkSettings.chainId(), system.address());
    next();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStatus.class, m -> {
          m.replyTo().tell(status());
          return this;
        })
        .onMessage(Next.class, m -> {
          if (m.run() == run && stoppedReason == null && !cycling) next();
          return this;
        })
        .onMessage(CycleDone.class, this::onCycleDone)
        .onMessage(WatchdogTick.class, m -> onWatchdog())
        .onSignal(akka.actor.typed.PreRestart.class, s -> {
          writes.supersede();
          return this;
        })
        .onSignal(akka.actor.typed.PostStop.class, s -> {
          writes.supersede();
          return this;
        })
        .onMessage(Stop.class, m -> {
          log.info("EVM tip listener for {} stops on this node at block {} (handing over)", network,
              cursor == null ? -1 : cursor.watermark());
          return Behaviors.stopped();
        })
        .build();
  }

  private void next() {
    if (!JournalDatabase.get(system).migrated()) {
      heartbeatNanos = System.nanoTime();
      timers.startSingleTimer(new Next(run), Duration.ofMillis(200));
      return;
    }
    long thisRun = run;
    Cursor from = cursor;
    cycling = true;
    // A run's first cycle reads the watermark: only once the writes of earlier runs have landed.
    CompletionStage<Cursor> work = from == null ? writes.beginRun(thisRun).thenCompose(x -> cycle(null, thisRun)) : cycle(from, thisRun);
    getContext().pipeToSelf(work, (c, error) -> new CycleDone(thisRun, c, unwrap(error)));
  }

  private Behavior<Command> onCycleDone(CycleDone m) {
    if (m.run() != run) return this;
    cycling = false;
    if (m.error() != null) return failed(m.error());
    if (failures > 0) log.info("EVM tip listener for {} is making progress again at block {}", network, m.cursor().watermark());
    failures = 0;
    lastError = null;
    heartbeatNanos = System.nanoTime();
    cursor = m.cursor();
    boolean behind = !cursor.idle() && cursor.watermark() < safeBlock(cursor.head());
    if (behind) getContext().getSelf().tell(new Next(run));
    else timers.startSingleTimer(new Next(run), settings.pollInterval());
    return this;
  }

  private Behavior<Command> failed(Throwable error) {
    if (error instanceof Unrecoverable) {
      stoppedReason = error.getMessage();
      log.error("EVM tip listener for {} STOPPED: {}", network, stoppedReason);
      return this;
    }
    failures++;
    lastError = String.valueOf(error.getMessage() == null ? error : error.getMessage());
    Duration delay = backoff(failures);
    if (error instanceof ChainMoved) delay = settings.pollInterval();
    if (failures == 1) log.warn("EVM tip listener for {}: {}; retrying in {} ms", network, lastError, delay.toMillis());
    else log.debug("EVM tip listener for {}: {} (failure {}, next try in {} ms)", network, lastError, failures, delay.toMillis());
    timers.startSingleTimer(new Next(run), delay);
    return this;
  }

  private Behavior<Command> onWatchdog() {
    if (stoppedReason != null) return this;
    long now = System.nanoTime();
    long stale = settings.staleAfter().toNanos();
    if (now - heartbeatNanos > stale && now - restartedAtNanos > stale) {
      // A cycle hangs (an RPC call or a wallet that never answers): give up on it and start again from the last cursor.
      log.warn("EVM tip listener for {} is STALE: no completed cycle for {} ms{}; restarting", network,
          (now - heartbeatNanos) / 1_000_000, lastError == null ? "" : " (last error: " + lastError + ")");
      writes.supersede();
      run = runs.incrementAndGet();
      cycling = false;
      restartedAtNanos = now;
      cursor = null; // re-read the watermark and the remembered blocks
      timers.startSingleTimer(new Next(run), backoff(Math.max(1, failures)));
    }
    return this;
  }

  private Duration backoff(int attempt) {
    long min = delivery.restartMinBackoff().toMillis();
    return Duration.ofMillis(Math.min(delivery.restartMaxBackoff().toMillis(), min << Math.min(attempt - 1, 20)));
  }

  private long safeBlock(long head) {
    return head - networkSettings.confirmations() + 1;
  }

  // ---- one cycle (runs in future callbacks: reads only its argument and final fields) ----

  private CompletionStage<Cursor> cycle(Cursor from, long run) {
    return store.activeTipJars(network).thenCompose(active -> gateway(active, from).thenCompose(maybe -> {
      if (maybe.isEmpty()) {
        return CompletableFuture.completedFuture(new Cursor(true, null, -1, List.of(), Map.of(), Set.of(), -1, Set.of(), -1, Map.of()));
      }
      EvmGateway gateway = maybe.get();
      CompletionStage<Cursor> start = from == null || from.idle() ? start(gateway, active, run)
          : CompletableFuture.completedFuture(from);
      return start.thenCompose(c -> takeIn(gateway, c, active, run))
          .thenCompose(c -> gateway.blockNumber().thenCompose(head -> checkReorg(gateway, c, run)
              .thenCompose(checked -> tellOrphans(checked, run))
              .thenCompose(told -> read(gateway, told, head, run))));
    }));
  }

  /**
   * The network's gateway; empty while no tip jar on the network is active and the listener has not
   * started (idle: nothing to read, no RPC traffic, and a local chain is not started for nothing).
   */
  private CompletionStage<Optional<EvmGateway>> gateway(Map<String, ListenerStore.Watched> active, Cursor from) {
    if (active.isEmpty() && (from == null || from.idle())) return CompletableFuture.completedFuture(Optional.empty());
    Optional<EvmNetworks.Network> running = networks.ifStarted(network);
    if (running.isPresent()) return CompletableFuture.completedFuture(Optional.of(running.get().gateway()));
    if (networkSettings.local() && active.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    // Starting a local chain blocks for a second or two.
    return CompletableFuture.supplyAsync(() -> Optional.of(networks.network(network).gateway()), blockingIo);
  }

  /** Reads the watermark (creating it on first start) and the remembered blocks; checks the genesis block. */
  private CompletionStage<Cursor> start(EvmGateway gateway, Map<String, ListenerStore.Watched> active, long run) {
    return gateway.blockHash(0).thenCompose(genesisHash -> {
      String genesis = genesisHash.orElseThrow(() -> new ChainMoved("the node has no block 0 yet"));
      byte[] genesisBytes = HexFormat.of().parseHex(genesis.substring(2));
      return store.watermark(storeKey).thenCompose(stored -> {
        if (stored.isPresent() && !java.util.Arrays.equals(stored.get().genesisHash(), genesisBytes)) {
          throw new Unrecoverable("the EVM node at " + gateway.url() + " has genesis block " + genesis
              + " but the watermark (block " + stored.get().round() + ") belongs to another chain (genesis "
              + "0x" + HexFormat.of().formatHex(stored.get().genesisHash()) + "): not reading it");
        }
        CompletionStage<ListenerStore.Watermark> mark = stored.isPresent() ? CompletableFuture.completedFuture(stored.get())
            : gateway.blockNumber().thenCompose(head -> {
              long first = active.values().stream().mapToLong(w -> w.sinceRound() - 1).min().orElse(safeBlock(head));
              ListenerStore.Watermark initial = new ListenerStore.Watermark(storeKey, genesisBytes,
                  Math.max(0, Math.min(first, safeBlock(head))));
              return written(run, () -> store.initialize(initial));
            });
        return mark.thenCompose(w -> store.recentBlocks(storeKey, w.round()).thenCombine(store.knownAddresses(storeKey), (blocks, known) -> {
          List<Handled> recent = new ArrayList<>();
          for (ListenerStore.BlockHash b : blocks) recent.add(new Handled(b.number(), b.hash(), b.tips(), b.parties()));
          Map<String, ListenerStore.Watched> watched = new HashMap<>(active);
          watched.keySet().retainAll(known);
          return new Cursor(false, genesis, w.round(), List.copyOf(recent), Map.copyOf(watched), Set.copyOf(known), -1, Set.of(), -1,
              Map.of());
        }).thenCombine(store.orphans(storeKey), (c, orphans) -> {
          withdrawn.set(orphans.withdrawn());
          log.info("EVM tip listener for {} resumes after block {} ({} blocks remembered, {} tip jars watched, {} tips of replaced "
              + "blocks to check, {} to withdraw)", network, c.watermark(), c.recent().size(), c.watched().size(), orphans.pending().size(),
              orphans.untold().size());
          return new Cursor(false, c.genesis(), c.watermark(), c.recent(), c.watched(), c.known(), -1, orphans.pending(), orphans.upTo(),
              orphans.untold());
        }));
      });
    });
  }

  /** Takes newly active tip jars in: their Tip events from their own block up to the watermark first. */
  private CompletionStage<Cursor> takeIn(EvmGateway gateway, Cursor c, Map<String, ListenerStore.Watched> active, long run) {
    Map<String, ListenerStore.Watched> fresh = new HashMap<>(active);
    fresh.keySet().removeAll(c.known());
    Map<String, ListenerStore.Watched> still = new HashMap<>(active);
    still.keySet().retainAll(c.known());
    if (fresh.isEmpty()) {
      return CompletableFuture.completedFuture(new Cursor(false, c.genesis(), c.watermark(), c.recent(), Map.copyOf(still), c.known(),
          c.head(), c.orphaned(), c.orphanedUpTo(), c.untold()));
    }
    long since = fresh.values().stream().mapToLong(ListenerStore.Watched::sinceRound).min().orElseThrow();
    CompletionStage<Done> rescan = since <= c.watermark()
        ? readRanges(gateway, Map.copyOf(fresh), since, c.watermark(), Map.of(), c.watermark()).thenApply(x -> Done.getInstance())
        : CompletableFuture.completedFuture(Done.getInstance());
    return rescan.thenCompose(d -> written(run, () -> store.markKnown(storeKey, fresh.values()))).thenApply(x -> {
      log.info("EVM tip listener for {} now watches {} new tip jar(s) {} (from block {})", network, fresh.size(), fresh.keySet(), since);
      Set<String> known = new HashSet<>(c.known());
      known.addAll(fresh.keySet());
      Map<String, ListenerStore.Watched> all = new HashMap<>(still);
      all.putAll(fresh);
      return new Cursor(false, c.genesis(), c.watermark(), c.recent(), Map.copyOf(all), Set.copyOf(known), c.head(), c.orphaned(),
          c.orphanedUpTo(), c.untold());
    });
  }

  /**
   * Compares the newest remembered block with the chain; on a mismatch walks back to the newest
   * block both have and persists it as the watermark. A chain sharing none of the window stops.
   */
  private CompletionStage<Cursor> checkReorg(EvmGateway gateway, Cursor c, long run) {
    if (c.recent().isEmpty()) return CompletableFuture.completedFuture(c);
    Handled top = c.recent().get(c.recent().size() - 1);
    return gateway.blockHash(top.number()).thenCompose(hash -> {
      if (hash.isPresent() && hash.get().equalsIgnoreCase(top.hash())) return CompletableFuture.completedFuture(c);
      return forkPoint(gateway, c.recent(), c.recent().size() - 2).thenCompose(fork -> {
        if (fork < 0) {
          throw new Unrecoverable("a reorganisation replaced every one of the last " + c.recent().size()
              + " blocks the listener handled (up to block " + top.number() + "): deeper than mintline.evm.listener.reorg-window");
        }
        Handled shared = c.recent().get(fork);
        List<Handled> kept = List.copyOf(c.recent().subList(0, fork + 1));
        Set<String> orphaned = new HashSet<>(c.orphaned());
        Map<String, ListenerStore.TipParties> replaced = new HashMap<>();
        for (Handled h : c.recent().subList(fork + 1, c.recent().size())) {
          orphaned.addAll(h.tips());
          for (String tip : h.tips()) replaced.put(tip, h.parties().getOrDefault(tip, new ListenerStore.TipParties(null, null)));
        }
        // Orphans of an earlier reorganisation still pending: their wallets were told; their rows keep their wallets.
        for (String tip : c.orphaned()) replaced.putIfAbsent(tip, new ListenerStore.TipParties(null, null));
        log.warn("EVM tip listener for {}: REORGANISATION — blocks {}..{} were replaced; reading again from block {} ({} tips to check)",
            network, shared.number() + 1, top.number(), shared.number() + 1, orphaned.size());
        return written(run, () -> store.backTo(storeKey, shared.number(), replaced, top.number()))
            .thenCompose(x -> store.orphans(storeKey))
            .thenApply(stored -> {
              reorgs.incrementAndGet();
              lastReorg.set("at " + Instant.now() + ": blocks " + (shared.number() + 1) + ".." + top.number()
                  + " were replaced; their " + replaced.size() + " tip(s) withdrawn; read again from block " + (shared.number() + 1));
              return c.with(shared.number(), kept, c.head(), Set.copyOf(orphaned)).orphaning(top.number()).untold(stored.untold());
            });
      });
    });
  }

  /**
   * Tells the fan's and the creator's wallets of each tip of the replaced blocks to withdraw it
   * ({@link WalletEntity.WithdrawTip}), then notes them told; only then is the new chain read. A tip
   * the new chain has again is then delivered as a new one (its wallets forgot its key), so its
   * ledger entry, its read-side row and its sticker follow the final chain. Telling twice (a restart
   * before the note) is harmless: a wallet without the tip recorded answers and persists nothing.
   */
  private CompletionStage<Cursor> tellOrphans(Cursor c, long run) {
    if (c.untold().isEmpty()) return CompletableFuture.completedFuture(c);
    List<Map.Entry<String, ListenerStore.TipParties>> untold = List.copyOf(c.untold().entrySet());
    return Source.from(untold)
        // Fenced like the store writes: a superseded run tells no wallet, and the next run starts after its asks.
        .mapAsync(delivery.deliveryParallelism(), e -> written(run, () -> withdraw(e.getKey(), e.getValue())))
        .runWith(Sink.ignore(), system)
        .thenCompose(d -> written(run, () -> store.told(storeKey, c.untold().keySet())))
        .thenApply(x -> {
          log.warn("EVM tip listener for {}: {} tip(s) of replaced blocks withdrawn from their wallets (recorded again if the new "
              + "chain has them): {}", network, untold.size(), c.untold().keySet());
          return c.untold(Map.of());
        });
  }

  /** Withdraws {@code tipId} from its fan's and creator's wallets (looked up in the tips read side when not remembered). */
  private CompletionStage<Done> withdraw(String tipId, ListenerStore.TipParties parties) {
    CompletionStage<List<String[]>> wallets = parties.fan() != null && parties.creator() != null
        ? CompletableFuture.completedFuture(List.of(new String[] {parties.fan(), TipReceived.Direction.SENT.wire()},
            new String[] {parties.creator(), TipReceived.Direction.RECEIVED.wire()}))
        : store.tipWallets(tipId);
    return wallets.thenCompose(list -> {
      CompletableFuture<?>[] asks = list.stream().map(w -> Stages.direct(sharding.entityRefFor(WalletEntity.ENTITY_KEY, w[0])
          .<WalletEntity.TipAck>ask(r -> new WalletEntity.WithdrawTip(tipId, TipReceived.Direction.SENT.wire().equals(w[1])
              ? TipReceived.Direction.SENT : TipReceived.Direction.RECEIVED, r), delivery.deliveryTimeout()))
          .toCompletableFuture()).toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(asks).thenApply(x -> Done.getInstance());
    });
  }

  /** The index in {@code recent} of the newest block the chain still has, or -1. */
  private CompletionStage<Integer> forkPoint(EvmGateway gateway, List<Handled> recent, int index) {
    if (index < 0) return CompletableFuture.completedFuture(-1);
    Handled h = recent.get(index);
    return gateway.blockHash(h.number()).thenCompose(hash -> hash.isPresent() && hash.get().equalsIgnoreCase(h.hash())
        ? CompletableFuture.completedFuture(index) : forkPoint(gateway, recent, index - 1));
  }

  /** Reads and delivers the blocks after the watermark up to the safe block, at most one catch-up batch. */
  private CompletionStage<Cursor> read(EvmGateway gateway, Cursor c, long head, long run) {
    long safe = safeBlock(head);
    long from = c.watermark() + 1;
    if (from > safe) return settleOrphans(c.with(c.watermark(), c.recent(), head, c.orphaned()), safe, run);
    long to = Math.min(safe, from + (long) settings.maxBlockRange() * settings.catchUpParallelism() - 1);
    // The hashes of the blocks to remember (the last reorg-window of this batch), fetched before the logs.
    long hashesFrom = Math.max(from, to - settings.reorgWindow() + 1);
    return blockHashes(gateway, hashesFrom, to).thenCompose(hashes -> {
      return readRanges(gateway, c.watched(), from, to, hashes, c.watermark()).thenCompose(delivered -> {
        List<Handled> recent = new ArrayList<>(c.recent());
        List<ListenerStore.BlockHash> rows = new ArrayList<>();
        for (long n = hashesFrom; n <= to; n++) {
          List<String> ids = new ArrayList<>();
          Map<String, ListenerStore.TipParties> parties = new HashMap<>();
          for (TipReceived t : delivered.getOrDefault(n, List.of())) {
            ids.add(t.tipTxId());
            parties.put(t.tipTxId(), new ListenerStore.TipParties(t.fan(), t.creator()));
          }
          recent.add(new Handled(n, hashes.get(n), List.copyOf(ids), Map.copyOf(parties)));
          rows.add(new ListenerStore.BlockHash(n, hashes.get(n), List.copyOf(ids), Map.copyOf(parties)));
        }
        while (recent.size() > settings.reorgWindow()) recent.remove(0);
        long keepFrom = to - settings.reorgWindow() + 1;
        Set<String> orphaned = new HashSet<>(c.orphaned());
        delivered.values().forEach(tips -> tips.forEach(t -> orphaned.remove(t.tipTxId())));
        Set<String> found = new HashSet<>(c.orphaned());
        found.removeAll(orphaned);
        return written(run, () -> store.handledBlocks(storeKey, rows, keepFrom, to, found))
            .thenCompose(x -> settleOrphans(c.with(to, List.copyOf(recent), head, Set.copyOf(orphaned)), safe, run));
      });
    });
  }

  /**
   * Once the final chain is read past the replaced blocks (and the listener is at its safe block),
   * orphaned tips not delivered again are withdrawn (persisted: a restart neither forgets nor repeats it).
   */
  private CompletionStage<Cursor> settleOrphans(Cursor c, long safe, long run) {
    if (c.orphaned().isEmpty() || c.watermark() < safe || c.watermark() < c.orphanedUpTo()) return CompletableFuture.completedFuture(c);
    return written(run, () -> store.withdraw(storeKey, c.orphaned())).thenApply(x -> {
      withdrawn.addAndGet(c.orphaned().size());
      log.warn("EVM tip listener for {}: {} tip(s) of replaced blocks are not in the final chain (withdrawn, no sticker): {}", network,
          c.orphaned().size(), c.orphaned());
      return c.with(c.watermark(), c.recent(), c.head(), Set.of());
    });
  }

  /** Starts {@code write} if {@code run} is still the run in progress; fails the cycle without writing if not. */
  private <T> CompletionStage<T> written(long run, java.util.function.Supplier<CompletionStage<T>> write) {
    java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
    return writes.advance(run, () -> write.get().thenAccept(result::set)).thenApply(x -> result.get());
  }

  private CompletionStage<Map<Long, String>> blockHashes(EvmGateway gateway, long from, long to) {
    return Source.range((int) 0, (int) (to - from))
        .mapAsync(settings.catchUpParallelism(), i -> gateway.blockHash(from + i).thenApply(h -> {
          if (h.isEmpty()) throw new ChainMoved("block " + (from + i) + " is gone");
          return Map.entry(from + i, h.get().toLowerCase(Locale.ROOT));
        }))
        .runWith(Sink.seq(), system)
        .thenApply(entries -> {
          Map<Long, String> out = new LinkedHashMap<>();
          entries.forEach(e -> out.put(e.getKey(), e.getValue()));
          return out;
        });
  }

  /**
   * Reads the Tip events of {@code watching} in blocks {@code from..to} (ranges fetched in parallel,
   * handled in order) and delivers them with {@code watermark}, the persisted one; answers the tips
   * delivered per block.
   */
  private CompletionStage<Map<Long, List<TipReceived>>> readRanges(EvmGateway gateway, Map<String, ListenerStore.Watched> watching,
      long from, long to, Map<Long, String> hashes, long watermark) {
    if (watching.isEmpty() || from > to) return CompletableFuture.completedFuture(Map.of());
    List<long[]> ranges = new ArrayList<>();
    for (long a = from; a <= to; a += settings.maxBlockRange()) ranges.add(new long[] {a, Math.min(to, a + settings.maxBlockRange() - 1)});
    Map<Long, List<TipReceived>> delivered = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> addresses = List.copyOf(watching.keySet());
    return Source.from(ranges)
        .mapAsync(settings.catchUpParallelism(), r -> logs(gateway, addresses, r[0], r[1]))
        .mapConcat(logs -> tips(logs, watching, hashes))
        .mapAsync(delivery.deliveryParallelism(), tip -> deliver(tip, watermark).thenApply(d -> tip))
        .runWith(Sink.foreach(tip -> delivered.computeIfAbsent(tip.round(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
            .add(tip)), system)
        .thenApply(done -> {
          Map<Long, List<TipReceived>> out = new HashMap<>();
          delivered.forEach((k, v) -> out.put(k, List.copyOf(v)));
          return out;
        });
  }

  @SuppressWarnings("unchecked")
  private CompletionStage<List<Map<String, Object>>> logs(EvmGateway gateway, List<String> addresses, long from, long to) {
    Map<String, Object> filter = new LinkedHashMap<>();
    filter.put("fromBlock", "0x" + Long.toHexString(from));
    filter.put("toBlock", "0x" + Long.toHexString(to));
    filter.put("address", addresses);
    filter.put("topics", List.of(TIP_TOPIC));
    return gateway.raw("eth_getLogs", List.of(filter)).thenApply(result -> {
      if (!(result instanceof List<?> list)) throw new ChainMoved("eth_getLogs answered " + result);
      return (List<Map<String, Object>>) list;
    });
  }

  /** The tips among one range's logs, in block and log order; numbered per transaction (see {@link TipReceived#evmTipId}). */
  private List<TipReceived> tips(List<Map<String, Object>> logs, Map<String, ListenerStore.Watched> watching, Map<Long, String> hashes) {
    List<Map<String, Object>> sorted = new ArrayList<>(logs);
    sorted.sort(java.util.Comparator.<Map<String, Object>>comparingLong(l -> quantity(l.get("blockNumber")))
        .thenComparingLong(l -> quantity(l.get("logIndex"))));
    Map<String, Integer> perTx = new HashMap<>();
    List<TipReceived> tips = new ArrayList<>();
    for (Map<String, Object> l : sorted) {
      if (Boolean.TRUE.equals(l.get("removed"))) continue;
      long block = quantity(l.get("blockNumber"));
      String blockHash = String.valueOf(l.get("blockHash")).toLowerCase(Locale.ROOT);
      String expected = hashes.get(block);
      if (expected != null && !expected.equals(blockHash)) {
        throw new ChainMoved("block " + block + " is " + blockHash + " in eth_getLogs but " + expected + " a moment before");
      }
      String txHash = String.valueOf(l.get("transactionHash")).toLowerCase(Locale.ROOT);
      int n = perTx.merge(txHash, 1, Integer::sum) - 1;
      ListenerStore.Watched jar = watching.get(String.valueOf(l.get("address")).toLowerCase(Locale.ROOT));
      @SuppressWarnings("unchecked")
      List<String> topics = (List<String>) l.get("topics");
      if (jar == null || block < jar.sinceRound() || topics == null || topics.size() < 3) continue;
      String fan = WalletAddress.parse("0x" + topics.get(1).substring(26)).value();
      String creator = WalletAddress.parse("0x" + topics.get(2).substring(26)).value();
      if (!creator.equalsIgnoreCase(jar.payee())) continue; // a tip to someone else through this creator's jar
      String data = String.valueOf(l.get("data"));
      BigInteger wei = new BigInteger(data.substring(2, 66), 16);
      long amount = wei.bitLength() < 63 ? wei.longValueExact() : Long.MAX_VALUE;
      byte[] seed = HexFormat.of().parseHex(blockHash.substring(2));
      tips.add(new TipReceived(TipReceived.evmTipId(networkSettings.chainId(), txHash, n), block, seed, fan, jar.creator(), amount));
    }
    return tips;
  }

  private static long quantity(Object hex) {
    String s = String.valueOf(hex);
    return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
  }

  /**
   * To the fan's and the creator's wallets, with the persisted {@code watermark} and the reorg window
   * as the lag: each wallet keeps a window per EVM chain that forgets a tip once the chain is read
   * far enough past it, so a wallet's EVM de-duplication keys stay bounded (see {@link
   * io.mintline.engine.wallet.TipWindow}: a reorganisation sends the listener back at most the
   * reorg window below its highest watermark).
   */
  private CompletionStage<Done> deliver(TipReceived tip, long watermark) {
    boolean below = tip.amount() < settings.minTipWei();
    long lag = settings.reorgWindow();
    CompletionStage<WalletEntity.TipAck> fan = Stages.direct(sharding.entityRefFor(WalletEntity.ENTITY_KEY, tip.fan())
        .ask(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.SENT, below, watermark, lag, r), delivery.deliveryTimeout()));
    CompletionStage<WalletEntity.TipAck> creator = Stages.direct(sharding.entityRefFor(WalletEntity.ENTITY_KEY, tip.creator())
        .ask(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.RECEIVED, below, watermark, lag, r), delivery.deliveryTimeout()));
    return fan.thenCombine(creator, (a, b) -> {
      if (!a.duplicate() || !b.duplicate()) tipsSeen.incrementAndGet();
      return Done.getInstance();
    });
  }

  // ---- status ----

  private EvmListenerStatus status() {
    long age = (System.nanoTime() - heartbeatNanos) / 1_000_000;
    Cursor c = cursor;
    String rpc = networks.ifStarted(network).map(n -> n.gateway().url()).orElse(networkSettings.rpcUrl());
    if (c == null || c.idle()) {
      String state = stoppedReason != null ? ListenerStatus.STOPPED
          : age > settings.staleAfter().toMillis() ? ListenerStatus.STALE
          : c != null ? EvmListenerStatus.IDLE : ListenerStatus.CATCHING_UP;
      return new EvmListenerStatus(network, networkSettings.chainId(), -1, -1, -1, 0, networkSettings.confirmations(), age, state,
          rpc, tipsSeen.get(), 0, reorgs.get(), lastReorg.get(), withdrawn.get(),
          stoppedReason != null ? stoppedReason : lastError != null ? lastError
              : c != null ? "no tip jar is active on this network yet" : null);
    }
    long safe = Math.max(-1, safeBlock(c.head()));
    long lag = Math.max(0, safe - c.watermark());
    String state;
    if (stoppedReason != null) state = ListenerStatus.STOPPED;
    else if (age > settings.staleAfter().toMillis()) state = ListenerStatus.STALE;
    else if (lag > settings.maxBlockRange()) state = ListenerStatus.CATCHING_UP;
    else state = ListenerStatus.FOLLOWING;
    String error = stoppedReason != null ? stoppedReason : ListenerStatus.STALE.equals(state) && lastError == null
        ? "no completed cycle for " + age + " ms: the EVM node hangs, or a wallet does not acknowledge" : lastError;
    return new EvmListenerStatus(network, networkSettings.chainId(), c.watermark(), c.head(), safe, lag,
        networkSettings.confirmations(), age, state, rpc, tipsSeen.get(), c.watched().size(), reorgs.get(), lastReorg.get(), withdrawn.get(),
        ListenerStatus.FOLLOWING.equals(state) || ListenerStatus.CATCHING_UP.equals(state) ? lastError : error);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
