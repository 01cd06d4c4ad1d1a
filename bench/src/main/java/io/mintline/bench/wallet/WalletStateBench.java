package io.mintline.bench.wallet;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.wallet.WalletEntity;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The state of one busy wallet: a fan with {@code --tips} tips, each with its sticker minted, in a
 * real snapshot store (embedded H2 or the local PostgreSQL). The entities' latest snapshots after that
 * history (retention snapshots every 100 events) are written as the entities would write them, then
 * the real entities are started and the time to their first answers is the recovery time.
 * Reports recovery time (median of {@code --runs}), snapshot bytes and the live heap the recovered
 * wallet retains (heap after full GCs with the entity alive, minus before it started).
 *
 * <pre>
 * java -Xmx3g -cp bench/target/mintline-bench.jar io.mintline.bench.wallet.WalletStateBench \
 *     [--tips 100000] [--runs 5] [--db h2|postgres] [--pg jdbc:postgresql://127.0.0.1:5432/postgres] [--pg-user postgres]
 * </pre>
 */
public final class WalletStateBench {
  private WalletStateBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int tips = Integer.parseInt(o.getOrDefault("tips", "100000"));
    int runs = Integer.parseInt(o.getOrDefault("runs", "5"));
    String db = o.getOrDefault("db", "h2");
    Config dbConfig;
    Path dataDir = Files.createTempDirectory("wallet-state-bench");
    if (db.equals("postgres")) {
      String pg = o.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/postgres");
      String user = o.getOrDefault("pg-user", "postgres");
      String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(pg, user, ""); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      }
      dbConfig = ConfigFactory.parseMap(Map.of("mintline.db.url", pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema,
          "mintline.db.user", user));
    } else {
      dbConfig = ConfigFactory.parseMap(Map.of("mintline.db.url", "", "mintline.db.data-dir", dataDir.toString()));
    }
    // The shaded jar concatenates every module's reference.conf: name the persistence plugins here.
    Config overrides = ConfigFactory.parseString("""
        akka.persistence.journal.plugin = "jdbc-journal"
        akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        akka.loglevel = WARNING
        akka.remote.artery.canonical.hostname = 127.0.0.1
        akka.remote.artery.canonical.port = 0
        # Today's wallet snapshot of this history is 40 MB: more than the default 10 s to write on PostgreSQL here.
        jdbc-snapshot-store.circuit-breaker.call-timeout = 300s
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(dbConfig);
    Config base = overrides.withFallback(ConfigFactory.load()).resolve();
    MintlineSettings mintline = MintlineSettings.load(base);
    Config full = JournalDatabase.akkaConfig(mintline.database()).withFallback(base);
    ActorSystem<Guardian.Msg> system = ActorSystem.create(Guardian.create(), "wallet-state-bench", full);
    JournalDatabase database = JournalDatabase.get(system);
    while (!database.migrated()) Thread.sleep(50);

    String fan = "FAN" + UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
    System.out.printf(Locale.ROOT, "wallet state bench: one fan, %d tips with minted stickers, %s journal, %d recoveries, %d cores%n",
        tips, db, runs, Runtime.getRuntime().availableProcessors());
    long t0 = System.nanoTime();
    History history = History.write(system, fan, tips);
    System.out.printf(Locale.ROOT, "history written in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, history.describe());
    for (String pid : history.persistenceIds()) {
      System.out.printf(Locale.ROOT, "  %s: snapshot %,d bytes at sequence number %d%n", pid,
          count(database, "SELECT COALESCE(SUM(OCTET_LENGTH(\"snapshot_payload\")), 0) FROM \"snapshot\" WHERE \"persistence_id\" = ?", pid),
          count(database, "SELECT COALESCE(MAX(\"sequence_number\"), 0) FROM \"snapshot\" WHERE \"persistence_id\" = ?", pid));
    }

    List<Double> millis = new ArrayList<>();
    long retained = 0;
    // Recovery 0 loads classes and warms the JIT (and the database's cache): not counted.
    for (int r = -1; r < runs; r++) {
      long before = liveHeap();
      long start = System.nanoTime();
      List<ActorRef<?>> recovered = history.recover(system);
      double ms = (System.nanoTime() - start) / 1e6;
      if (r >= 0) millis.add(ms);
      if (r == 0) retained = liveHeap() - before;
      System.out.printf(Locale.ROOT, "recovery %d: %.0f ms%s%n", r + 1, ms, r < 0 ? " (warm-up, not counted)" : "");
      for (ActorRef<?> ref : recovered) ask(system, (ActorRef<Guardian.Msg> reply) -> new Guardian.StopChild(ref, reply));
    }
    millis.sort(Double::compare);
    System.out.printf(Locale.ROOT, "RESULT tips=%d db=%s recovery median %.0f ms (min %.0f, max %.0f); live heap retained by the "
            + "recovered wallet %.1f MiB; load average %.1f%n", tips, db, millis.get(millis.size() / 2), millis.get(0),
        millis.get(millis.size() - 1), retained / 1048576.0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** The history of one fan as this version of the wallet journals it. */
  private record History(String fan, List<String> persistenceIds, String describe, long lastAsset) {
    static History write(ActorSystem<Guardian.Msg> system, String fan, int tips) throws Exception {
      Random random = new Random(11);
      Instant at = Instant.parse("2026-11-30T00:00:00Z");
      // Per tip the wallet journals TipRecorded and the fan's sticker book MintRequested and
      // StickerMinted; the states are the event handlers' fold of that history. One tip per round,
      // delivered as the listener does: carrying its watermark, persisted every 200 rounds (batch-rounds).
      WalletEntity.State wallet = WalletEntity.State.EMPTY;
      StickerBook.State book = StickerBook.State.EMPTY;
      for (int i = 0; i < tips; i++) {
        String tip = txid(random);
        byte[] seed = bytes(random, 32);
        long round = 1000 + i;
        long watermark = (round - 1) / 200 * 200;
        wallet = wallet.tipRecorded(new WalletEntity.TipRecorded(fan, tip, TipReceived.Direction.SENT, round, seed, fan, "CREATOR",
            1_000_000, false, at, watermark));
        String txId = txid(random);
        book = book.next(new StickerBook.MintRequested(fan, tip, round, seed, "CREATOR", false, txId, bytes(random, 260), round,
            round + 1000, true, watermark, at), RECENT);
        book = book.next(new StickerBook.StickerMinted(fan, tip, 10_000L + i, false, round + 2, txId, at), RECENT);
      }
      String walletPid = PersistenceId.of(WalletEntity.ENTITY_KEY.name(), fan).id();
      String bookPid = PersistenceId.of(StickerBook.ENTITY_KEY.name(), fan).id();
      saveSnapshot(system, walletPid, tips, wallet);
      saveSnapshot(system, bookPid, 2L * tips, book);
      return new History(fan, List.of(walletPid, bookPid), "a Wallet entity (TipRecorded per tip: " + wallet.tips()
          + ") and a StickerBook (MintRequested, StickerMinted per tip: " + book + ")", 10_000L + tips - 1);
    }

    List<ActorRef<?>> recover(ActorSystem<Guardian.Msg> system) throws Exception {
      ActorRef<WalletEntity.Command> wallet = ask(system, (ActorRef<ActorRef<WalletEntity.Command>> reply) -> new Guardian.Spawn<>(
          WalletEntity.create(fan, Clock.systemUTC()), reply));
      ActorRef<StickerBook.Command> book = ask(system, (ActorRef<ActorRef<StickerBook.Command>> reply) -> new Guardian.Spawn<>(
          StickerBook.create(fan, Clock.systemUTC(), null, RECENT), reply));
      WalletEntity.Summary summary = ask(system, (ActorRef<WalletEntity.Summary> reply) -> {
        wallet.tell(new WalletEntity.GetWallet(reply));
        return null;
      });
      StickerBook.Found found = ask(system, (ActorRef<StickerBook.Found> reply) -> {
        book.tell(new StickerBook.FindAsset(lastAsset, reply));
        return null;
      });
      if (!summary.known()) throw new IllegalStateException("the wallet did not recover its history");
      if (found.sticker() == null) System.out.println("(the newest sticker is not in the book's recent window?)");
      return List.of(wallet, book);
    }
  }

  /** Finished stickers a book keeps in memory (mintline.stickers.recent-window's default). */
  static final int RECENT = 1000;

  // ---- the entity's latest snapshot, in the real snapshot store ----

  /**
   * Saves {@code snapshot} as the entity's snapshot at {@code sequenceNr} through the configured
   * snapshot store (the entity's serializer, the real table). The events before it are not written:
   * recovery never reads them, and writing 300,000 rows into H2 on this machine takes a quarter of an hour.
   */
  static void saveSnapshot(ActorSystem<?> system, String pid, long sequenceNr, Object snapshot) throws Exception {
    akka.actor.ActorRef store = akka.persistence.Persistence.get(system.classicSystem())
        .snapshotStoreFor("jdbc-snapshot-store", ConfigFactory.empty());
    Object answer = akka.pattern.Patterns.ask(store, new akka.persistence.SnapshotProtocol.SaveSnapshot(
            new akka.persistence.SnapshotMetadata(pid, sequenceNr, System.currentTimeMillis()), snapshot), Duration.ofMinutes(5))
        .toCompletableFuture().get(5, TimeUnit.MINUTES);
    if (!(answer instanceof akka.persistence.SnapshotProtocol.Response)
        || answer instanceof akka.persistence.SaveSnapshotFailure) {
      throw new IllegalStateException("snapshot not saved: " + answer);
    }
  }

  /** Spawns and stops the entities under test, so each recovery starts from the journal. */
  static final class Guardian {
    interface Msg {}

    record Spawn<T>(Behavior<T> behavior, ActorRef<ActorRef<T>> replyTo) implements Msg {}

    record StopChild(ActorRef<?> child, ActorRef<Msg> replyTo) implements Msg {}

    record Stopped() implements Msg {}

    static Behavior<Msg> create() {
      return Behaviors.setup(ctx -> Behaviors.receive(Msg.class)
          .onMessage(Spawn.class, m -> spawn(ctx, m))
          .onMessage(StopChild.class, m -> {
            ctx.watchWith(m.child(), new Forward(m.replyTo()));
            ctx.stop(m.child());
            return Behaviors.same();
          })
          .onMessage(Forward.class, m -> {
            m.replyTo().tell(new Stopped());
            return Behaviors.same();
          })
          .build());
    }

    record Forward(ActorRef<Msg> replyTo) implements Msg {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Behavior<Msg> spawn(akka.actor.typed.javadsl.ActorContext<Msg> ctx, Spawn m) {
      ActorRef child = ctx.spawn((Behavior) m.behavior(), "child-" + UUID.randomUUID());
      m.replyTo().tell(child);
      return Behaviors.same();
    }
  }

  // ---- helpers ----

  static <T> T ask(ActorSystem<Guardian.Msg> system, Function<ActorRef<T>, Guardian.Msg> message) throws Exception {
    return AskPattern.<Guardian.Msg, T>ask(system, reply -> {
          Guardian.Msg m = message.apply(reply);
          return m == null ? new Guardian.Forward(system.ignoreRef()) : m;
        }, Duration.ofMinutes(5), system.scheduler())
        .toCompletableFuture().get(5, TimeUnit.MINUTES);
  }

  private static long count(JournalDatabase database, String sql, String pid) throws Exception {
    try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, pid);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Heap in use after full collections: what the process holds on to. */
  static long liveHeap() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  static String txid(Random random) {
    return com.algorand.algosdk.util.Encoder.encodeToBase32StripPad(bytes(random, 32));
  }

  static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    return o;
  }
}
