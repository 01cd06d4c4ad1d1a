package io.mintline.bench.listener;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.bench.devnet.PresignedPayments;
import io.mintline.config.ListenerSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.listener.ChainListener;
import io.mintline.engine.listener.ListenerStatus;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.TipProjection;
import io.mintline.engine.wallet.WalletEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Catch-up speed of the chain listener: how many devnet transactions per second it scans when it
 * starts far behind the chain.
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.listener.ListenerCatchUp \
 *     [--txns 100000] [--tips 200] [--runs 3] [--warmup-runs 1] [--fetch-parallelism 30] [--batch-rounds 200]
 * </pre>
 *
 * Not timed: one in-process devnet (one round per 250 ms) is filled with {@code txns} pre-signed
 * payments in groups of 16 plus {@code tips} payments to a watched TipProxy address. Timed, per run:
 * a fresh node (H2 in a temp dir, one-node cluster) whose listener starts at round 0 and follows
 * the real listener path — blocks over HTTP as msgpack, txids recomputed, tips delivered to the
 * wallet entities and acknowledged, watermark written — until its watermark reaches the chain's
 * last round. Each run checks that exactly {@code tips} tips reach the read side (both sides).
 * Warm-up runs (same work, not counted) let the JIT compile the hot paths first.
 */
public final class ListenerCatchUp {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) throws Exception {
    Stages.widenCommonPool(); // as the node does: see Stages
    Map<String, String> opts = options(args);
    int txns = Integer.parseInt(opts.getOrDefault("txns", "100000"));
    int tips = Integer.parseInt(opts.getOrDefault("tips", "200"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
    int warmups = Integer.parseInt(opts.getOrDefault("warmup-runs", "1"));
    String fetch = opts.getOrDefault("fetch-parallelism", "30");
    String batch = opts.getOrDefault("batch-rounds", "200");

    try (Devnet devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(250)))) {
      MintlineSettings.Retry retry = new MintlineSettings.Retry(4, Duration.ofMillis(100), Duration.ofSeconds(2));
      String watched;
      String creator = devnet.accounts().get(0).address();
      try (AlgodGateway filler = new AlgodGateway(List.of(devnet.url()), devnet.apiToken(), Duration.ofSeconds(10),
          Duration.ofSeconds(30), retry, 1000)) {
        watched = fill(devnet, filler, txns, tips);
      }
      long lastRound = devnet.currentRound();
      System.out.printf("devnet filled: %d payments + %d tips in rounds 1..%d%n", txns, tips, lastRound);

      List<Double> rates = new ArrayList<>();
      for (int run = 1 - warmups; run <= runs; run++) {
        double rate = catchUp(run, devnet, watched, creator, lastRound, txns + tips, tips, fetch, batch);
        if (run > 0) rates.add(rate);
      }
      Collections.sort(rates);
      System.out.printf("median over %d runs: %.0f transactions/s scanned (runs: %s)%n", runs, rates.get(rates.size() / 2), rates);
    }
  }

  /** Submits the payments (groups of 16) and the tips; answers the watched address once all are in blocks. */
  private static String fill(Devnet devnet, AlgodGateway gateway, int txns, int tips) throws Exception {
    PresignedPayments payments = new PresignedPayments(devnet.accounts(), devnet.genesisId(), devnet.genesisHashBase64());
    int groups = txns / 16;
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<String>> submitted = new ArrayList<>();
    // Signed in slices so their validity windows stay ahead of the chain.
    for (int from = 0; from < groups; from += 500) {
      for (PresignedPayments.SignedBatch group : payments.batches((long) from * 16, Math.min(500, groups - from), 16, devnet.currentRound())) {
        inFlight.acquire();
        submitted.add(gateway.submit(group.bytes()).toCompletableFuture().whenComplete((id, e) -> inFlight.release()));
      }
    }
    CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    String watched = new com.algorand.algosdk.account.Account().getAddress().toString();
    String last = null;
    for (int i = 0; i < tips; i++) last = devnet.fund(watched, 200_000 + i);
    long lastValid = devnet.currentRound() + 1000;
    if (last != null) gateway.awaitConfirmation(last, lastValid).toCompletableFuture().get(5, TimeUnit.MINUTES);
    String tail = submitted.isEmpty() ? null : submitted.get(submitted.size() - 1).get();
    if (tail != null) gateway.awaitConfirmation(tail, lastValid).toCompletableFuture().get(5, TimeUnit.MINUTES);
    return watched;
  }

  private static double catchUp(int run, Devnet devnet, String watched, String creator, long lastRound, long scanned, int tips,
      String fetch, String batch) throws Exception {
    Path dir = Files.createTempDirectory("mintline-listener-bench");
    Config base = ConfigFactory.parseString("""
        mintline.db.url = ""
        mintline.listener.fetch-parallelism = %s
        mintline.listener.batch-rounds = %s
        akka.actor.provider = cluster
        akka.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
        akka.management.http.port = 0
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        akka.loglevel = WARNING
        # The shaded jar appends every reference.conf; Akka's own default ("") may come after the engine's.
        akka.persistence.journal.plugin = "jdbc-journal"
        akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        """.formatted(fetch, batch))
        .withFallback(ConfigFactory.parseMap(Map.of("mintline.db.data-dir", dir.toString())))
        .withFallback(ConfigFactory.load());
    MintlineSettings settings = MintlineSettings.load(base);
    Config full = JournalDatabase.akkaConfig(settings.database()).withFallback(base).resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mintline", full);
    try (AlgodGateway gateway = new AlgodGateway(List.of(devnet.url()), devnet.apiToken(), settings.algod().timeout(),
        settings.algod().followTimeout(), settings.algod().retry(), 1000)) {
      JournalDatabase database = JournalDatabase.get(system);
      while (!database.migrated()) Thread.sleep(50);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      WalletEntity.init(system);
      TipProjection.init(system);
      prepare(database, devnet, watched, creator);

      long started = System.nanoTime();
      long cpuBefore = OS.getProcessCpuTime();
      ActorRef<ChainListener.Command> listener =
          ChainListener.init(system, gateway, ListenerSettings.load(full), "devnet", Set.of());
      ListenerStatus status;
      do {
        Thread.sleep(20);
        status = AskPattern.<ChainListener.Command, ListenerStatus>ask(listener, ChainListener.GetStatus::new,
            Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      } while (status.round() < lastRound);
      double seconds = (System.nanoTime() - started) / 1e9;
      double cpuSeconds = (OS.getProcessCpuTime() - cpuBefore) / 1e9;
      double rate = scanned / seconds;
      System.out.printf((run > 0 ? "run " + run : "warm-up") + ": rounds 1..%d, %d transactions in %.2f s = %.0f transactions/s, %.0f rounds/s, %.1f µs CPU per transaction "
          + "(listener and devnet together; load average %.1f)%n",
          lastRound, scanned, seconds, rate, lastRound / seconds, cpuSeconds * 1e6 / scanned, OS.getSystemLoadAverage());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long rows;
      while ((rows = count(database)) < 2L * tips && System.nanoTime() < deadline) Thread.sleep(100);
      if (rows != 2L * tips) throw new IllegalStateException("expected " + 2 * tips + " tip rows (both sides), found " + rows);
      return rate;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** An active deployment for the watched address and a watermark at round 0: the listener starts far behind. */
  private static void prepare(JournalDatabase database, Devnet devnet, String watched, String creator) throws Exception {
    try (Connection c = database.dataSource().getConnection()) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO deployments (id, owner, network, display_name, status, app_id, "
          + "app_address, confirmed_round, created_at, updated_at) VALUES ('bench', ?, 'devnet', 'Bench', 'active', 1, ?, 1, 0, 0)")) {
        s.setString(1, creator);
        s.setString(2, watched);
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO listener_watched (network, app_address, since_round) VALUES ('devnet', ?, 1)")) {
        s.setString(1, watched);
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO listener_watermarks (network, genesis_hash, round, updated_at) VALUES ('devnet', ?, 0, 0)")) {
        s.setString(1, devnet.genesisHashBase64());
        s.executeUpdate();
      }
    }
  }

  private static long count(JournalDatabase database) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM tips")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }
}
