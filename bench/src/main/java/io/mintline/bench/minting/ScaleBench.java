package io.mintline.bench.minting;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.minting.StickerBook;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale run of one node: {@code --tips} tips (a million by default) from {@code --fans} fans,
 * one of whom sends {@code --whale-tips} of them, through the real wallets, sticker books and
 * pipeline on the local PostgreSQL, against a standalone devnet in a JVM of its own (so the node's
 * heap holds only the node). Reports confirmed mints per second over each tenth of the run and
 * overall, the live heap after a full GC at 10 %, 50 % and 100 %, journal and snapshot bytes per tip,
 * the time a new node on the same journal takes to answer for the busiest wallet (its recovery), and
 * counts the stickers on chain: the mint account must have created exactly one asset per tip.
 *
 * <pre>
 * mvn -B -q package -pl bench,devnet -am -DskipTests
 * java -Xmx6g -cp bench/target/mintline-bench.jar io.mintline.bench.minting.ScaleBench \
 *     [--tips 1000000] [--fans 10000] [--whale-tips 100000] [--delivery 512] [--block-interval-ms 1000] \
 *     [--devnet-jar devnet/target/mintline-devnet.jar] [--pg jdbc:postgresql://127.0.0.1:5432/postgres] [--pg-user postgres]
 * </pre>
 *
 * Bounded: a run that does not finish within {@code --timeout-minutes} (120) fails.
 */
public final class ScaleBench {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    Stages.widenCommonPool(); // as the node does: see Stages
    Map<String, String> o = MintingBench.options(args);
    int tips = Integer.parseInt(o.getOrDefault("tips", "1000000"));
    int fans = Integer.parseInt(o.getOrDefault("fans", "10000"));
    int whaleTips = Integer.parseInt(o.getOrDefault("whale-tips", String.valueOf(tips / 10)));
    int delivery = Integer.parseInt(o.getOrDefault("delivery", "512"));
    long blockMs = Long.parseLong(o.getOrDefault("block-interval-ms", "1000"));
    long timeoutMinutes = Long.parseLong(o.getOrDefault("timeout-minutes", "120"));
    String devnetJar = o.getOrDefault("devnet-jar", "devnet/target/mintline-devnet.jar");
    String pg = o.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String pgUser = o.getOrDefault("pg-user", "postgres");
    if (fans < 2 || whaleTips >= tips) throw new IllegalArgumentException("need at least two fans and whale-tips below tips");

    Process devnet = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx8g",
        "-jar", devnetJar, "--port", "0", "--block-interval-ms", String.valueOf(blockMs))
        .redirectErrorStream(true).start();
    String schema = null;
    BenchNode node = null;
    try {
      String[] algod = algodOf(devnet);
      Ed25519Signer mintKey = Ed25519Signer.generate("mint");
      // Each sticker raises the mint account's minimum balance by 0.1 Algo and costs a fee.
      fund(algod, mintKey.address().toString(), (long) tips * 110_000L + 10_000_000_000L);
      schema = BenchNode.createSchema(pg, pgUser);
      node = BenchNode.start(pg, pgUser, schema, algod[0], algod[1], mintKey, false);
      List<String> fanAddresses = new ArrayList<>();
      for (int i = 0; i < fans; i++) fanAddresses.add(Ed25519Signer.generate("fan").address().toString());
      String whale = fanAddresses.get(0);
      System.out.printf(Locale.ROOT, "scale bench: %,d tips from %,d fans (%,d from the busiest), delivery parallelism %d, rounds every %d ms, "
              + "group-size %d, parallelism %d, %d cores, max heap %d MiB, PostgreSQL journal, devnet in its own JVM%n",
          tips, fans, whaleTips, delivery, blockMs, node.settings.groupSize(), node.settings.parallelism(),
          Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

      // Every tip is one delivery; the busiest fan's are spread evenly through the run.
      AtomicLong confirmed = new AtomicLong();
      CountDownLatch all = new CountDownLatch(tips);
      node.pipeline.onMinted(tip -> {
        confirmed.incrementAndGet();
        all.countDown();
      });
      ClusterSharding sharding = ClusterSharding.get(node.system);
      ActorSystem<Void> system = node.system;
      long t0 = System.nanoTime();
      long cpu0 = OS.getProcessCpuTime();
      // As the listener delivers: round by round (--tips-per-round tips each), a round's tips in
      // parallel, each carrying the watermark (the last round all of whose tips were acknowledged),
      // so the books forget settled tips. Without it every tip key stays and the busiest book's
      // snapshot grows with its history (7 MB at 80,000 tips), which is not what a node sees.
      int perRound = Integer.parseInt(o.getOrDefault("tips-per-round", "1000"));
      Source.fromIterator(() -> tips(tips, whaleTips, fanAddresses))
          .grouped(perRound)
          .zipWithIndex()
          .mapAsync(1, roundTips -> {
            long round = roundTips.second() + 1;
            return Source.from(roundTips.first())
                .mapAsyncUnordered(delivery, tip -> deliver(sharding, system, tip, round, round - 1))
                .runWith(Sink.ignore(), system);
          })
          .runWith(Sink.ignore(), system);

      List<String> report = new ArrayList<>();
      long deadline = t0 + TimeUnit.MINUTES.toNanos(timeoutMinutes);
      long previousAt = t0;
      long previousCount = 0;
      for (int tenth = 1; tenth <= 10; tenth++) {
        long target = (long) tips * tenth / 10;
        while (confirmed.get() < target) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("not finished within " + timeoutMinutes + " min: "
              + confirmed.get() + " confirmed; " + node.pipeline.status());
          Thread.sleep(20);
        }
        long now = System.nanoTime();
        long count = confirmed.get();
        double rate = (count - previousCount) / ((now - previousAt) / 1e9);
        String heap = tenth == 1 || tenth == 5 || tenth == 10 ? String.format(Locale.ROOT, ", live heap after full GC %,d MiB", liveHeapMiB()) : "";
        String line = String.format(Locale.ROOT, "%3d %%: %,d confirmed at %.0f s, %.0f mints/s over this tenth%s; load average %.1f",
            tenth * 10, count, (now - t0) / 1e9, rate, heap, OS.getSystemLoadAverage());
        System.out.println(line);
        report.add(line);
        previousAt = now;
        previousCount = count;
      }
      all.await(timeoutMinutes, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuMicros = (OS.getProcessCpuTime() - cpu0) / 1e3 / tips;

      long journalBytes = tableBytes(pg, pgUser, schema, "event_journal") + tableBytes(pg, pgUser, schema, "event_tag");
      long snapshotBytes = tableBytes(pg, pgUser, schema, "snapshot");
      long onChain = createdAssets(algod, mintKey.address().toString());
      node.close();
      node = null;

      // Recovery: a new node on the same journal, asked for the busiest wallet's first sticker.
      BenchNode recovered = BenchNode.start(pg, pgUser, schema, algod[0], algod[1], mintKey, false);
      double recoveryMs;
      try {
        String firstWhaleTip = tips(tips, whaleTips, fanAddresses).next().txId();
        long r0 = System.nanoTime();
        StickerBook.StickerView view = ClusterSharding.get(recovered.system).entityRefFor(StickerBook.ENTITY_KEY, whale)
            .<StickerBook.StickerView>ask(reply -> new StickerBook.GetSticker(firstWhaleTip, reply), Duration.ofMinutes(5))
            .toCompletableFuture().get(5, TimeUnit.MINUTES);
        recoveryMs = (System.nanoTime() - r0) / 1e6;
        if (view == null) throw new IllegalStateException("the busiest wallet does not know its first sticker");
      } finally {
        recovered.close();
      }

      System.out.printf(Locale.ROOT, "RESULT %,d mints confirmed in %.0f s = %.0f mints/s overall; %.0f µs CPU per mint (node process); "
              + "journal %,d bytes = %.0f bytes per tip, snapshots %,d bytes; busiest wallet (%,d tips) recovered in %.0f ms; "
              + "%,d stickers on chain (expected %,d): %s%n",
          tips, seconds, tips / seconds, cpuMicros, journalBytes, (double) journalBytes / tips, snapshotBytes, whaleTips, recoveryMs,
          onChain, tips, onChain == tips ? "exact" : "MISMATCH");
      if (onChain != tips) System.exit(1);
    } finally {
      if (node != null) node.close();
      devnet.destroy();
      if (schema != null && !o.containsKey("keep-schema")) BenchNode.dropSchema(pg, pgUser, schema);
    }
  }

  /** One tip of {@code round} with the listener's watermark; "not now" or no answer in time → deliver again. */
  private static java.util.concurrent.CompletionStage<StickerBook.MintAck> deliver(ClusterSharding sharding, ActorSystem<?> system,
      MintingBench.Tip tip, long round, long watermark) {
    return Stages.direct(sharding.entityRefFor(StickerBook.ENTITY_KEY, tip.fan())
        .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tip.txId(), round, tip.seed(), "CREATOR", watermark, r),
            Duration.ofSeconds(20)))
        .handle((ack, error) -> error == null && ack.accepted() ? java.util.concurrent.CompletableFuture.completedFuture(ack)
            : akka.pattern.Patterns.after(Duration.ofMillis(20), system.classicSystem().scheduler(), system.executionContext(),
                () -> deliver(sharding, system, tip, round, watermark)))
        .thenCompose(stage -> stage);
  }

  /** Tip i goes to the busiest fan every (tips / whaleTips)-th time, else round-robin over the others. */
  static Iterator<MintingBench.Tip> tips(int tips, int whaleTips, List<String> fans) {
    Random random = new Random(11);
    double whaleEvery = (double) tips / whaleTips;
    return new Iterator<>() {
      int i;
      int whaleSent;
      int other;

      @Override
      public boolean hasNext() {
        return i < tips;
      }

      @Override
      public MintingBench.Tip next() {
        String fan;
        if (whaleSent < whaleTips && i >= whaleSent * whaleEvery) {
          fan = fans.get(0);
          whaleSent++;
        } else {
          fan = fans.get(1 + other++ % (fans.size() - 1));
        }
        i++;
        byte[] txid = new byte[32];
        byte[] seed = new byte[32];
        random.nextBytes(txid);
        random.nextBytes(seed);
        return new MintingBench.Tip(Encoder.encodeToBase32StripPad(txid), seed, fan);
      }
    };
  }

  private static long liveHeapMiB() {
    for (int i = 0; i < 2; i++) System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
  }

  /** The standalone devnet's URL and token, from the lines it prints at start. */
  private static String[] algodOf(Process devnet) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(devnet.getInputStream(), StandardCharsets.UTF_8));
    String url = null;
    String token = null;
    for (String line; (line = out.readLine()) != null && (url == null || token == null); ) {
      if (line.startsWith("algod URL:")) url = line.substring(line.indexOf(':') + 1).trim();
      if (line.startsWith("API token:")) token = line.substring(line.indexOf(':') + 1).trim();
    }
    if (url == null || token == null) throw new IllegalStateException("the devnet did not print its URL and token");
    Thread drain = new Thread(() -> {
      try {
        out.lines().forEach(l -> { });
      } catch (java.io.UncheckedIOException closed) {
        // the devnet stopped
      }
    }, "devnet-output");
    drain.setDaemon(true);
    drain.start();
    return new String[] {url, token};
  }

  private static void fund(String[] algod, String address, long microAlgos) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(algod[0] + "/devnet/fund"))
        .header("X-Algo-API-Token", algod[1]).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("address", address, "microAlgos", microAlgos))))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("funding failed: " + r.statusCode() + " " + r.body());
    String txId = JSON.readTree(r.body()).path("txId").asText();
    for (int i = 0; i < 100; i++) {
      JsonNode pending = JSON.readTree(get(algod, "/v2/transactions/pending/" + txId));
      if (pending.path("confirmed-round").asLong() > 0) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("funding was not confirmed");
  }

  private static long createdAssets(String[] algod, String address) throws Exception {
    return JSON.readTree(get(algod, "/v2/accounts/" + address + "?exclude=all")).path("total-created-assets").asLong();
  }

  private static String get(String[] algod, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(algod[0] + path)).header("X-Algo-API-Token", algod[1]).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static long tableBytes(String pg, String pgUser, String schema, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(pg, pgUser, ""); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_total_relation_size('" + schema + "." + table + "')")) {
      r.next();
      return r.getLong(1);
    }
  }
}
