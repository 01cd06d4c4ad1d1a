package io.mintline.bench.http;

import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.bench.cluster.Api;
import io.mintline.bench.cluster.LocalCluster;
import io.mintline.bench.cluster.ProcCpu;
import io.mintline.bench.cluster.TipBurst;
import io.mintline.bench.cluster.Wallet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP load driver: Mintline nodes from the shipped jar, and Gatling (its Java DSL, in a JVM
 * of its own) running {@link UserFlowsSimulation}'s user flows against them — wallet login with
 * each fan's own key, creator status polls, sticker and tip lists, claims. One node runs the
 * embedded default (H2, in-process devnet); two or more form a cluster on PostgreSQL with a
 * standalone devnet. Reports, for the steady window in which every user is connected: requests/s,
 * p50/p95/p99/max per flow step, failures, the CPU the nodes and the load generator used, and the
 * load average.
 *
 * <pre>
 * mvn -B -q package -DskipTests
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.http.HttpLoadBench \
 *     [--nodes 1] [--users 1000] [--ramp-seconds 20] [--duration-seconds 80] [--reads-per-login 5] [--think-ms 0] \
 *     [--claimers 20] [--gatling-heap 2g] [--node-heap 1g] [--pg jdbc:postgresql://127.0.0.1:5432/mintline_httpload] \
 *     [--node-jar http-api/target/mintline-node.jar] [--node-jvm-options "-XX:..."] [--devnet-jar devnet/target/mintline-devnet.jar]
 * </pre>
 *
 * Goal (issue 17): p99 below 50 ms and no failure for login and reads at 1,000 connections on one
 * node, and at 10,000 across three. Exits 1 when any request failed.
 */
public final class HttpLoadBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Steps the latency goal is about (claims wait for a chain round by design). */
  static final List<String> GOAL_STEPS = List.of("nonce", "login", "stickers", "tips", "listener status", "deployments");

  private HttpLoadBench() {}

  /** What one run measured. */
  public record Report(JsonNode steps, double windowSeconds, double requestsPerSecond, long failed, double nodeCores,
      double generatorCores, double loadAverage, int gatlingExit, String table) {
    /** True when every goal step has a p99 below {@code millis}. */
    public boolean p99Below(long millis) {
      for (String step : GOAL_STEPS) {
        JsonNode s = steps.path(step);
        if (s.isMissingNode() || s.path("p99").asLong() >= millis) return false;
      }
      return true;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    Report report = run(o);
    System.out.println(report.table());
    System.exit(report.failed() == 0 && report.gatlingExit() == 0 ? 0 : 1);
  }

  public static Report run(Map<String, String> o) throws Exception {
    int nodes = Integer.parseInt(o.getOrDefault("nodes", "1"));
    int users = Integer.parseInt(o.getOrDefault("users", "1000"));
    int ramp = Integer.parseInt(o.getOrDefault("ramp-seconds", "20"));
    int duration = Integer.parseInt(o.getOrDefault("duration-seconds", "80"));
    int claimers = Integer.parseInt(o.getOrDefault("claimers", "20"));
    String nodeHeap = o.getOrDefault("node-heap", "1g");
    Path nodeJar = Path.of(o.getOrDefault("node-jar", "http-api/target/mintline-node.jar"));
    Path devnetJar = Path.of(o.getOrDefault("devnet-jar", "devnet/target/mintline-devnet.jar"));
    String pg = o.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/mintline_httpload");
    Path work = o.containsKey("work-dir") ? Files.createDirectories(Path.of(o.get("work-dir")))
        : Files.createTempDirectory("mintline-httpload-");
    System.out.printf(Locale.ROOT, "HTTP load: %,d users (+%d claimers) on %d node(s), ramp %d s, %d s each, %d cores, load average %.1f; logs under %s%n",
        users, claimers, nodes, ramp, duration, Runtime.getRuntime().availableProcessors(), ProcCpu.loadAverage(), work);

    List<String> nodeJvm = new ArrayList<>(List.of("-Xmx" + nodeHeap));
    // Extra node JVM flags, space-separated (a profiler: -XX:StartFlightRecording=...).
    String extra = o.getOrDefault("node-jvm-options", "").trim();
    if (!extra.isEmpty()) nodeJvm.addAll(List.of(extra.split("\\s+")));
    try (LocalCluster cluster = nodes == 1
        ? LocalCluster.embedded(nodeJar, work, nodeJvm, Map.of())
        : LocalCluster.onPostgres(nodeJar, devnetJar, nodes, pg, o.getOrDefault("pg-user", "postgres"), work, nodeJvm, Map.of(),
            1000, 1_000_000_000L)) {
      Path claimersFile = work.resolve("claimers.tsv");
      Files.writeString(claimersFile, "");
      if (claimers > 0) prepareClaimers(cluster, claimers, claimersFile);
      Path stats = work.resolve("steps.json");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + o.getOrDefault("gatling-heap", "2g"),
          // As Gatling's own launchers start it: its log writer reads String internals.
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"),
          // Gatling would report each run to its makers' analytics service: nothing leaves this machine.
          "-Dgatling.data.enableAnalytics=false",
          "-Dgatling.http.warmUpUrl=",
          "-Dmintline.load.urls=" + String.join(",", cluster.urls()),
          "-Dmintline.load.users=" + users,
          "-Dmintline.load.ramp-seconds=" + ramp,
          "-Dmintline.load.duration-seconds=" + duration,
          "-Dmintline.load.reads-per-login=" + o.getOrDefault("reads-per-login", "5"),
          "-Dmintline.load.think-ms=" + o.getOrDefault("think-ms", "0"),
          "-Dmintline.load.claimers=" + claimersFile,
          "-Dmintline.load.stats=" + stats,
          "io.gatling.app.Gatling",
          "--simulation", UserFlowsSimulation.class.getName(),
          "--results-folder", work.resolve("gatling").toString(),
          "--no-reports"));
      Path gatlingLog = work.resolve("gatling.log");
      ProcessBuilder gatlingBuilder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(gatlingLog.toFile());
      gatlingBuilder.environment().put("MINTLINE_LOG_FORMAT", "text");
      Process gatling = gatlingBuilder.start();

      // CPU of every JVM once a second, so the steady window can be cut out afterwards.
      List<double[]> samples = new ArrayList<>();
      while (gatling.isAlive()) {
        double[] sample = new double[4];
        sample[0] = System.currentTimeMillis();
        try {
          sample[1] = ProcCpu.seconds(gatling.pid());
        } catch (RuntimeException exited) {
          break;
        }
        for (LocalCluster.Node node : cluster.nodes) sample[2] += node.process().cpuSeconds();
        sample[3] = ProcCpu.loadAverage();
        samples.add(sample);
        gatling.waitFor(1, TimeUnit.SECONDS);
      }
      if (!gatling.waitFor(ramp + duration + 300L, TimeUnit.SECONDS)) {
        gatling.destroyForcibly();
        throw new IllegalStateException("Gatling did not finish; see " + gatlingLog);
      }
      if (!Files.exists(stats)) throw new IllegalStateException("Gatling wrote no step statistics; see " + gatlingLog);
      return report(JSON.readTree(stats.toFile()), samples, gatling.exitValue(), users, claimers, cluster.nodes.size(), gatlingLog);
    }
  }

  private static Report report(JsonNode stats, List<double[]> samples, int gatlingExit, int users, int claimers, int nodes, Path log) {
    JsonNode steps = stats.path("steps");
    double window = stats.path("windowSeconds").asDouble();
    long start = stats.path("windowStartMillis").asLong();
    long end = stats.path("windowEndMillis").asLong();
    double[] first = null;
    double[] last = null;
    double loadSum = 0;
    int loadCount = 0;
    for (double[] s : samples) {
      if (s[0] < start || s[0] > end) continue;
      if (first == null) first = s;
      last = s;
      loadSum += s[3];
      loadCount++;
    }
    double span = first == null || last == first ? 0 : (last[0] - first[0]) / 1000.0;
    double generatorCores = span == 0 ? Double.NaN : (last[1] - first[1]) / span;
    double nodeCores = span == 0 ? Double.NaN : (last[2] - first[2]) / span;
    double load = loadCount == 0 ? Double.NaN : loadSum / loadCount;

    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "%,d users + %d claimers, %d node(s); steady window %.0f s, load average %.1f; "
        + "node JVMs %.2f cores, Gatling JVM %.2f cores; Gatling exit %d (log %s)%n", users, claimers, nodes, window, load,
        nodeCores, generatorCores, gatlingExit, log));
    t.append("| step | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failed |\n|---|---|---|---|---|---|---|---|\n");
    long total = 0;
    long failed = 0;
    long windowFailed = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = steps.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      long count = s.path("ok").asLong() + s.path("failed").asLong();
      total += count;
      failed += s.path("failedAnyTime").asLong();
      windowFailed += s.path("failed").asLong();
      t.append(String.format(Locale.ROOT, "| %s | %,d | %.0f | %d | %d | %d | %d | %d |%n", e.getKey(), count, count / window,
          s.path("p50").asLong(), s.path("p95").asLong(), s.path("p99").asLong(), s.path("max").asLong(), s.path("failed").asLong()));
    }
    t.append(String.format(Locale.ROOT, "| all | %,d | %.0f | | | | | %d |%n", total, total / window, windowFailed));
    t.append(String.format(Locale.ROOT, "failed requests in the whole run (ramp and tail included): %d%n", failed));
    Report measured = new Report(steps, window, total / window, failed, nodeCores, generatorCores, load, gatlingExit, "");
    t.append(String.format(Locale.ROOT, "GOAL p99 < 50 ms and 0 failed for login and reads: %s%n",
        measured.p99Below(50) && failed == 0 ? "met" : "NOT met"));
    return new Report(steps, window, total / window, failed, nodeCores, generatorCores, load, gatlingExit, t.toString());
  }

  /**
   * Wallets that hold a sticker to claim: a creator through the API, one tip from each funded fan,
   * the sticker listed, the fan's opt-in to it confirmed. Writes "mnemonic<TAB>assetId" lines.
   */
  static void prepareClaimers(LocalCluster cluster, int count, Path file) throws Exception {
    String node = cluster.nodes.get(0).url();
    String app = Api.becomeCreator(node, Wallet.generate(), Duration.ofMinutes(3));
    List<Wallet> fans = TipBurst.fundedFans(cluster.chain, count, 1);
    // The listener re-reads the watched TipProxy addresses every second (mintline.listener.watch-refresh).
    Thread.sleep(3000);
    TipBurst.submit(cluster.chain, TipBurst.sign(cluster.chain, fans, app, count), 2);
    Map<Wallet, Long> assets = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (assets.size() < count) {
      if (System.nanoTime() > deadline) throw new IllegalStateException(assets.size() + " of " + count + " claimers' stickers minted");
      for (Wallet fan : fans) {
        if (assets.containsKey(fan)) continue;
        JsonNode items = Api.get(node, "/api/v1/wallets/" + fan.address() + "/stickers", null).path("items");
        if (items.size() > 0) assets.put(fan, items.get(0).path("assetId").asLong());
      }
      Thread.sleep(500);
    }
    JsonNode params = cluster.chain.params();
    long first = params.path("last-round").asLong();
    List<String> optIns = new ArrayList<>();
    StringBuilder lines = new StringBuilder();
    for (Wallet fan : fans) {
      Transaction optIn = Transaction.AssetAcceptTransactionBuilder()
          .acceptingAccount(fan.algorandAddress()).assetIndex(assets.get(fan))
          .flatFee(Math.max(1_000L, params.path("min-fee").asLong())).firstValid(first).lastValid(first + 500)
          .genesisID(params.path("genesis-id").asText())
          .genesisHash(new Digest(Base64.getDecoder().decode(params.path("genesis-hash").asText()))).build();
      optIns.add(cluster.chain.submit(fan.signTransaction(optIn)));
      lines.append(fan.mnemonic()).append('\t').append(assets.get(fan)).append('\n');
    }
    for (String txId : optIns) cluster.chain.awaitConfirmed(txId, Duration.ofMinutes(1));
    Files.writeString(file, lines);
    System.out.printf(Locale.ROOT, "set-up: %d claimers with a minted, opted-in sticker each%n", count);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value, got " + args[i]);
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }
}
