package io.mintline.bench.minting;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.algorand.algosdk.util.Encoder;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.minting.StickerProjection;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletEntity;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end minting on one node: an in-process devnet, the journal on the local PostgreSQL (a fresh
 * schema per run), the real wallets, pipeline, gateway (one block follower) and stickers projection.
 * Tips are delivered as the listener delivers them — {@code --delivery} at a time, each waiting for
 * its wallet's acknowledgement — and a tip counts when its sticker's creation is confirmed on chain.
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.minting.MintingBench \
 *     [--tips 20000] [--fans 2000] [--delivery 512] [--runs 3] [--warmup-tips 4000] [--block-interval-ms 1000] [--metrics off|on] \
 *     [--audit off|on] \
 *     [--pg jdbc:postgresql://127.0.0.1:5432/postgres] [--pg-user postgres] \
 *     [--profile runs.collapsed --profiler-lib /path/to/libasyncProfiler.so]   (async-profiler's jar on -cp too)
 * </pre>
 *
 * Reports confirmed mints per second (first delivery → last confirmation) and tip→sticker latency
 * (delivery start → confirmation seen by the pipeline) p50 / p99, plus CPU per mint and the load
 * average (the machine is shared: compare runs by CPU per mint). Bounded: a run that does not finish
 * within ten minutes fails.
 *
 * <p>With {@code --audit on} every signature goes to the audit log as on the node ({@code SignatureAudit},
 * batched); at the end the bench checks that the audit log holds one {@code key.signed} row per
 * transaction the minting key signed.
 */
public final class MintingBench {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private MintingBench() {}

  record Tip(String txId, byte[] seed, String fan) {}

  public static void main(String[] args) throws Exception {
    Stages.widenCommonPool(); // as the node does: see Stages
    Map<String, String> o = options(args);
    int tips = Integer.parseInt(o.getOrDefault("tips", "20000"));
    int fans = Integer.parseInt(o.getOrDefault("fans", "2000"));
    int delivery = Integer.parseInt(o.getOrDefault("delivery", "512"));
    int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup-tips", "4000"));
    long blockMs = Long.parseLong(o.getOrDefault("block-interval-ms", "1000"));
    String pg = o.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String pgUser = o.getOrDefault("pg-user", "postgres");

    Devnet devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(blockMs)));
    String schema = BenchNode.createSchema(pg, pgUser);
    Ed25519Signer mintKey = Ed25519Signer.generate("mint");
    devnet.fund(mintKey.address().toString(), 100_000_000_000L);
    boolean metrics = o.getOrDefault("metrics", "off").equals("on");
    boolean audit = o.getOrDefault("audit", "off").equals("on");
    BenchNode node = BenchNode.start(pg, pgUser, schema, devnet.url(), devnet.apiToken(), mintKey, metrics, audit);
    ActorSystem<Void> system = node.system;
    MintingPipeline pipeline = node.pipeline;
    MintingSettings settings = node.settings;

    System.out.printf(Locale.ROOT, "minting bench: %d tips per run from %d fans, delivery parallelism %d, %d runs after a %d-tip warm-up, "
            + "rounds every %d ms, group-size %d, parallelism %d, confirming-groups %d, queue %d, %d cores, PostgreSQL journal, metrics %s, audit %s%n",
        tips, fans, delivery, runs, warmup, blockMs, settings.groupSize(), settings.parallelism(), settings.confirmingGroups(),
        settings.queueSize(), Runtime.getRuntime().availableProcessors(), metrics ? "on" : "off", audit ? "on" : "off");
    List<String> fanAddresses = new ArrayList<>();
    for (int i = 0; i < fans; i++) fanAddresses.add(Ed25519Signer.generate("fan").address().toString());
    Random random = new Random(7);
    try {
      if (warmup > 0) {
        Result w = run(system, pipeline, tips(warmup, fanAddresses, random), delivery);
        System.out.printf(Locale.ROOT, "warm-up (not counted): %.0f mints/s%n", w.perSecond);
      }
      List<Double> rates = new ArrayList<>();
      List<Double> p50s = new ArrayList<>();
      List<Double> p99s = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        // With --profile FILE, async-profiler (its jar on the class path, --profiler-lib pointing at
        // libasyncProfiler.so) samples every run after the first, once the JIT has mostly settled.
        if (r == 2 && o.containsKey("profile")) profiler(o, "start,event=cpu,interval=1ms");
        Result res = run(system, pipeline, tips(tips, fanAddresses, random), delivery);
        rates.add(res.perSecond);
        p50s.add(res.p50Ms);
        p99s.add(res.p99Ms);
        System.out.printf(Locale.ROOT, "run %d: %d mints confirmed in %.2f s = %.0f mints/s; tip→sticker p50 %.0f ms, p99 %.0f ms; "
                + "%.0f µs CPU per mint (node + devnet + journal client); load average %.1f%n",
            r, tips, res.seconds, res.perSecond, res.p50Ms, res.p99Ms, res.cpuMicrosPerMint, res.loadAverage);
      }
      System.out.printf(Locale.ROOT, "median over %d runs: %.0f mints/s, p50 %.0f ms, p99 %.0f ms%n",
          runs, median(rates), median(p50s), median(p99s));
      if (audit) auditCheck(node, pg, pgUser, schema);
      if (runs >= 2 && o.containsKey("profile")) {
        profiler(o, "stop,file=" + o.get("profile") + ",collapsed");
        System.out.println("CPU profile of runs 2.." + runs + " (collapsed stacks): " + o.get("profile"));
      }
    } finally {
      node.close();
      devnet.close();
      BenchNode.dropSchema(pg, pgUser, schema);
    }
  }

  /** Every signature in the audit log: key.signed rows = transactions the minting key signed (mint:… purposes). */
  private static void auditCheck(BenchNode node, String pg, String pgUser, String schema) throws Exception {
    if (!node.audit.flush(Duration.ofSeconds(60))) throw new IllegalStateException("the signature audit did not drain in 60 s");
    long rows;
    try (Connection c = DriverManager.getConnection(pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema, pgUser, "");
        Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM audit_logs WHERE action = 'key.signed'")) {
      r.next();
      rows = r.getLong(1);
    }
    long signatures = node.signatures();
    System.out.printf(Locale.ROOT, "audit: %d key.signed rows for %d transactions signed by the minting key%s%n", rows, signatures,
        rows == signatures ? "" : " — MISMATCH");
    if (rows != signatures) throw new IllegalStateException("audit rows " + rows + " != signatures " + signatures);
  }

  record Result(double seconds, double perSecond, double p50Ms, double p99Ms, double cpuMicrosPerMint, double loadAverage) {}

  static List<Tip> tips(int n, List<String> fans, Random random) {
    List<Tip> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] txid = new byte[32];
      byte[] seed = new byte[32];
      random.nextBytes(txid);
      random.nextBytes(seed);
      out.add(new Tip(Encoder.encodeToBase32StripPad(txid), seed, fans.get(i % fans.size())));
    }
    return out;
  }

  static Result run(ActorSystem<Void> system, MintingPipeline pipeline, List<Tip> tips, int delivery) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, Long> started = new ConcurrentHashMap<>(tips.size() * 2);
    long[] latencies = new long[tips.size()];
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    CountDownLatch all = new CountDownLatch(tips.size());
    pipeline.onMinted(tip -> {
      Long t0 = started.remove(tip);
      if (t0 == null) return;
      latencies[done.getAndIncrement()] = System.nanoTime() - t0;
      all.countDown();
    });
    double load = OS.getSystemLoadAverage();
    long cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    Source.from(tips)
        .mapAsyncUnordered(delivery, tip -> {
          started.put(tip.txId(), System.nanoTime());
          return deliver(sharding, system, tip);
        })
        .runWith(Sink.ignore(), system);
    if (!all.await(10, TimeUnit.MINUTES)) throw new IllegalStateException("run did not finish in 10 minutes: " + pipeline.status());
    long elapsed = System.nanoTime() - t0;
    long cpu = OS.getProcessCpuTime() - cpu0;
    long[] sorted = Arrays.copyOf(latencies, done.get());
    Arrays.sort(sorted);
    double seconds = elapsed / 1e9;
    return new Result(seconds, tips.size() / seconds, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
        cpu / 1e3 / tips.size(), load);
  }

  static java.util.concurrent.CompletionStage<StickerBook.MintAck> deliver(ClusterSharding sharding, ActorSystem<?> system, Tip tip) {
    return Stages.direct(sharding.entityRefFor(StickerBook.ENTITY_KEY, tip.fan())
        .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tip.txId(), 1, tip.seed(), "CREATOR", r), Duration.ofSeconds(20)))
        // As the listener does: "not now" or no answer in time (a wallet restarting) → deliver again.
        .handle((ack, error) -> error == null && ack.accepted() ? java.util.concurrent.CompletableFuture.completedFuture(ack)
            : akka.pattern.Patterns.after(Duration.ofMillis(20), system.classicSystem().scheduler(), system.executionContext(),
                () -> deliver(sharding, system, tip)))
        .thenCompose(stage -> stage);
  }

  private static void profiler(Map<String, String> o, String command) throws Exception {
    Class<?> type = Class.forName("one.profiler.AsyncProfiler");
    Object profiler = type.getMethod("getInstance", String.class).invoke(null, o.get("profiler-lib"));
    type.getMethod("execute", String.class).invoke(profiler, command);
  }

  private static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    return s.get(s.size() / 2);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value, got " + args[i]);
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }
}
