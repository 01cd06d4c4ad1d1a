package io.mintline.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scale-out: what a second and a third node add. For each cluster size in {@code --nodes} (1,2,3)
 * it starts a standalone devnet JVM and that many nodes from the shipped jar (one Akka cluster on
 * loopback, a fresh schema of one PostgreSQL database), makes a creator through the API, funds
 * {@code --fans} fans and, once a first tip has been minted (the listener watches the new app),
 * sends the same burst of {@code --tips} fan-signed tips in groups of 16. It reports mints/s from
 * the first submission to the last confirmed mint, the CPU time per mint summed over every node
 * JVM (/proc utime + stime; the devnet's is shown apart), each node's share of the mints (its
 * pipeline's {@code mintedTotal}), and checks the read side: every fan lists exactly its stickers.
 *
 * <pre>
 * mvn -B -q package -DskipTests
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.cluster.ScaleOutBench \
 *     [--nodes 1,2,3] [--tips 2000] [--warmup-tips 2000] [--fans 200] [--block-interval-ms 1000] [--node-heap 768m] \
 *     [--pg jdbc:postgresql://127.0.0.1:5432/mintline_httpload] [--pg-user postgres] \
 *     [--node-jar http-api/target/mintline-node.jar] [--devnet-jar devnet/target/mintline-devnet.jar] [--timeout-minutes 20]
 * </pre>
 *
 * Goal (issue 17): CPU per mint at 3 nodes within 1.2 x of 1 node, and every node minting at least
 * a quarter of the stickers. The run exits 1 when the stickers on the read side are not exactly the tips.
 */
public final class ScaleOutBench {
  private ScaleOutBench() {}

  /** One cluster size's figures. */
  record Result(int nodes, int tips, double seconds, double nodeCpuSeconds, double devnetCpuSeconds, long[] minted,
      double loadBefore, double loadAfter, boolean exact) {
    double mintsPerSecond() {
      return tips / seconds;
    }

    double cpuMsPerMint() {
      return nodeCpuSeconds * 1000 / tips;
    }

    double smallestShare() {
      return Arrays.stream(minted).min().orElse(0) / (double) Math.max(1, Arrays.stream(minted).sum());
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int[] sizes = Arrays.stream(o.getOrDefault("nodes", "1,2,3").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    int tips = Integer.parseInt(o.getOrDefault("tips", "2000"));
    int fans = Integer.parseInt(o.getOrDefault("fans", "200"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup-tips", String.valueOf(tips)));
    long blockMs = Long.parseLong(o.getOrDefault("block-interval-ms", "1000"));
    String heap = o.getOrDefault("node-heap", "768m");
    String pg = o.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/mintline_httpload");
    String pgUser = o.getOrDefault("pg-user", "postgres");
    Path nodeJar = Path.of(o.getOrDefault("node-jar", "http-api/target/mintline-node.jar"));
    Path devnetJar = Path.of(o.getOrDefault("devnet-jar", "devnet/target/mintline-devnet.jar"));
    Duration timeout = Duration.ofMinutes(Long.parseLong(o.getOrDefault("timeout-minutes", "20")));
    Path work = Files.createTempDirectory("mintline-scaleout-");

    System.out.printf(Locale.ROOT, "scale-out bench: %,d tips (after %,d warm-up tips) from %,d fans, clusters of %s nodes, rounds every %d ms, "
        + "node heap %s, %d cores, PostgreSQL %s, logs under %s%n", tips, warmup, fans, Arrays.toString(sizes), blockMs, heap,
        Runtime.getRuntime().availableProcessors(), pg, work);
    List<Result> results = new ArrayList<>();
    for (int size : sizes) {
      Result r = run(size, tips, warmup, fans, blockMs, heap, pg, pgUser, nodeJar, devnetJar, timeout, work.resolve(size + "-nodes"));
      results.add(r);
      System.out.printf(Locale.ROOT, "RESULT %d node(s): %,d mints in %.1f s = %.0f mints/s; node CPU %.1f s = %.2f ms per mint "
              + "(devnet JVM %.1f s apart); shares %s; stickers on the read side %s; load average %.1f before, %.1f after%n",
          r.nodes(), r.tips(), r.seconds(), r.mintsPerSecond(), r.nodeCpuSeconds(), r.cpuMsPerMint(), r.devnetCpuSeconds(),
          shares(r.minted()), r.exact() ? "exact" : "MISMATCH", r.loadBefore(), r.loadAfter());
    }
    System.out.println();
    System.out.println("| nodes | tips | mints/s | node CPU per mint | devnet CPU | shares of mints | load avg (before → after) |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "| %d | %,d | %.0f | %.2f ms | %.1f s | %s | %.1f → %.1f |%n", r.nodes(), r.tips(),
          r.mintsPerSecond(), r.cpuMsPerMint(), r.devnetCpuSeconds(), shares(r.minted()), r.loadBefore(), r.loadAfter());
    }
    Result one = results.stream().filter(r -> r.nodes() == 1).findFirst().orElse(null);
    for (Result r : results) {
      if (one == null || r.nodes() == 1) continue;
      double ratio = r.cpuMsPerMint() / one.cpuMsPerMint();
      System.out.printf(Locale.ROOT, "GOAL %d nodes: CPU per mint %.2f x of 1 node (goal ≤ 1.20: %s); smallest share %.0f %% (goal ≥ 25 %%: %s)%n",
          r.nodes(), ratio, ratio <= 1.2 ? "met" : "NOT met", r.smallestShare() * 100, r.smallestShare() >= 0.25 ? "met" : "NOT met");
    }
    if (results.stream().anyMatch(r -> !r.exact())) System.exit(1);
  }

  static Result run(int size, int tips, int warmup, int fanCount, long blockMs, String heap, String pg, String pgUser, Path nodeJar,
      Path devnetJar, Duration timeout, Path dir) throws Exception {
    long mintFunding = (tips + warmup + 100L) * 110_000L + 10_000_000L;
    try (LocalCluster cluster = LocalCluster.onPostgres(nodeJar, devnetJar, size, pg, pgUser, dir, List.of("-Xmx" + heap),
        Map.of(), blockMs, mintFunding)) {
      String node1 = cluster.nodes.get(0).url();
      String app = Api.becomeCreator(node1, Wallet.generate(), Duration.ofMinutes(3));
      List<Wallet> fans = TipBurst.fundedFans(cluster.chain, fanCount, (tips + warmup) / fanCount + 2);
      // The listener re-reads the watched TipProxy addresses every second (mintline.listener.watch-refresh);
      // a first tip, minted, shows it watches the new app, and the burst follows it.
      Thread.sleep(3000);
      TipBurst.submit(cluster.chain, TipBurst.sign(cluster.chain, fans.subList(0, 1), app, 1), 1);
      awaitMinted(cluster, 1, Duration.ofMinutes(3));
      // A warm-up burst, not measured: every node JVM compiles its hot paths (the JIT) before the measured one.
      if (warmup > 0) {
        TipBurst.submit(cluster.chain, TipBurst.sign(cluster.chain, fans, app, warmup), 4);
        awaitMinted(cluster, 1 + warmup, timeout);
      }
      List<byte[]> burst = TipBurst.sign(cluster.chain, fans, app, tips);

      long[] before = minted(cluster);
      double[] cpuBefore = cpu(cluster);
      double devnetBefore = cluster.devnet().cpuSeconds();
      double loadBefore = ProcCpu.loadAverage();
      long t0 = System.nanoTime();
      TipBurst.submit(cluster.chain, burst, 4);
      long[] after = awaitMinted(cluster, Arrays.stream(before).sum() + tips, timeout);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double[] cpuAfter = cpu(cluster);
      double devnetCpu = cluster.devnet().cpuSeconds() - devnetBefore;
      double loadAfter = ProcCpu.loadAverage();
      double nodeCpu = 0;
      long[] share = new long[size];
      for (int i = 0; i < size; i++) {
        nodeCpu += cpuAfter[i] - cpuBefore[i];
        share[i] = after[i] - before[i];
      }
      boolean exact = awaitReadSide(node1, fans, tips + warmup + 1, Duration.ofMinutes(2));
      return new Result(size, tips, seconds, nodeCpu, devnetCpu, share, loadBefore, loadAfter, exact);
    }
  }

  /** Waits until the nodes' pipelines have confirmed {@code total} mints in all; each node's count then. */
  static long[] awaitMinted(LocalCluster cluster, long total, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long[] minted = minted(cluster);
    while (Arrays.stream(minted).sum() < total) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(Arrays.stream(minted).sum() + " of " + total + " mints confirmed within " + within);
      }
      Thread.sleep(200);
      minted = minted(cluster);
    }
    return minted;
  }

  private static long[] minted(LocalCluster cluster) throws Exception {
    long[] minted = new long[cluster.nodes.size()];
    for (int i = 0; i < minted.length; i++) {
      JsonNode status = Api.get(cluster.nodes.get(i).url(), "/api/v1/minting/status", null);
      if (status.path("failedTotal").asLong() > 0) throw new IllegalStateException("node " + (i + 1) + " failed mints: " + status);
      minted[i] = status.path("mintedTotal").asLong();
    }
    return minted;
  }

  private static double[] cpu(LocalCluster cluster) {
    return cluster.nodes.stream().mapToDouble(n -> n.process().cpuSeconds()).toArray();
  }

  /** True once the fans' sticker lists (public, paged) hold exactly {@code expected} stickers in all. */
  static boolean awaitReadSide(String node, List<Wallet> fans, long expected, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long listed = 0;
    while (System.nanoTime() < deadline) {
      listed = 0;
      for (Wallet fan : fans) listed += stickers(node, fan.address());
      if (listed == expected) return true;
      if (listed > expected) break;
      Thread.sleep(1000);
    }
    System.out.printf(Locale.ROOT, "read side lists %,d stickers, expected %,d%n", listed, expected);
    return false;
  }

  static long stickers(String node, String address) throws Exception {
    long count = 0;
    String after = null;
    do {
      JsonNode page = Api.get(node, "/api/v1/wallets/" + address + "/stickers?limit=100"
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)), null);
      count += page.path("items").size();
      after = page.path("next").isTextual() ? page.path("next").asText() : null;
    } while (after != null);
    return count;
  }

  private static String shares(long[] minted) {
    long total = Math.max(1, Arrays.stream(minted).sum());
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < minted.length; i++) {
      if (i > 0) s.append(" / ");
      s.append(String.format(Locale.ROOT, "%.0f %%", minted[i] * 100.0 / total));
    }
    return s.toString();
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
