package io.mintline.bench.evm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.engine.concurrent.Stages;
import io.mintline.http.MintlineNode;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.Sign;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * EVM tips and stickers end to end on a local EVM node: how long a tip takes from its block to the
 * creator's tip list and to its fan's ERC-5192 sticker, how many tips per second the EVM tip
 * listener records and how many stickers per second are minted.
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.evm.EvmTipBench [--fans 10] [--tips 100] [--runs 3]
 * </pre>
 *
 * Not timed: ganache 7.9 from {@code node_modules} as the dev network's local chain runs it
 * ({@link LocalEvmNode.Mining#INTERVAL}: a block every 0.1 s), a real node (H2 in a temp dir, one-node cluster) whose dev network is that ganache with 1
 * confirmation and a 100 ms listener poll, a SIWE login and the creator's tip jar deployment
 * through {@code POST /api/v1/creators}. Timed, per run: {@code fans} funded wallets send
 * {@code tips} tips each to the tip jar (pre-signed, sent back to back, one thread per fan); for every
 * tip the receipt gives its block, and the creator's tip list is polled every 20 ms until all of the
 * run's tips are there. Latency = first poll that lists the tip − the moment its receipt was read
 * (so it includes the listener's poll, both wallets' acknowledgements and the tips projection).
 * Tips/s = tips of the run ÷ (last tip listed − first tip sent). Then each fan's sticker list is
 * polled until every tip of the run has its sticker: tip → sticker latency = first poll that lists
 * the sticker − the tip's receipt; mints/s = stickers of the run ÷ (last sticker listed − first tip
 * sent). CPU per tip: this process's over the whole run (node and load driver together), and
 * ganache's (a process of its own) beside it; the 1-minute load average is printed with each run.
 */
public final class EvmTipBench {
  private static final long CHAIN_ID = 31337;
  /** How long a run waits for its stickers ({@code --sticker-wait} seconds). */
  private static long STICKER_WAIT_S = 300;
  /** The tips' priority fee ({@code --tip-priority-wei}), see {@link #main}. */
  private static BigInteger TIP_PRIORITY_WEI = BigInteger.ONE;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) throws Exception {
    try {
      bench(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    // Something of the stopped node kept the JVM alive for minutes after the results (2026-12-03).
    System.exit(0);
  }

  private static void bench(String[] args) throws Exception {
    Stages.widenCommonPool();
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    int fans = Integer.parseInt(opts.getOrDefault("fans", "10"));
    int tipsPerFan = Integer.parseInt(opts.getOrDefault("tips", "100"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
    STICKER_WAIT_S = Long.parseLong(opts.getOrDefault("sticker-wait", "300"));
    TIP_PRIORITY_WEI = new BigInteger(opts.getOrDefault("tip-priority-wei", "1"));
    Path modules = Path.of(opts.getOrDefault("node-modules", "node_modules")).toAbsolutePath();
    Path dir = Files.createTempDirectory("mintline-evm-bench");
    try (LocalEvmNode ganache = LocalEvmNode.start("node", modules, CHAIN_ID, LocalEvmNode.Mining.INTERVAL, null);
        EvmGateway chain = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10))) {
      ECKeyPair deployer = Keys.createEcKeyPair();
      fund(chain, address(deployer));
      Config config = ConfigFactory.parseMap(Map.ofEntries(
          Map.entry("mintline.http.host", "127.0.0.1"), Map.entry("mintline.http.port", 0),
          Map.entry("akka.management.http.port", 0), Map.entry("akka.remote.artery.canonical.port", 0),
          Map.entry("mintline.devnet.port", 0), Map.entry("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"),
          Map.entry("akka.loglevel", "WARNING"),
          Map.entry("mintline.db.url", ""), Map.entry("mintline.db.data-dir", dir.toString()),
          Map.entry("mintline.contracts.node-modules", modules.toString()),
          Map.entry("mintline.evm.networks.dev.rpc-url", ganache.url()),
          Map.entry("mintline.evm.networks.dev.confirmations", 1),
          Map.entry("mintline.evm.deploy-key", Numeric.toHexStringWithPrefixZeroPadded(deployer.getPrivateKey(), 64)),
          Map.entry("mintline.evm.listener.poll-interval", "100ms"),
          Map.entry("mintline.edge.rate-limits.free-per-minute", 1_000_000),
          Map.entry("mintline.edge.rate-limits.anonymous-per-minute", 1_000_000)))
          .withFallback(ConfigFactory.load());
      MintlineNode node = MintlineNode.start(config);
      try {
        Http http = new Http("http://127.0.0.1:" + node.httpPort());
        http.awaitHealthy();
        ECKeyPair creatorKey = Keys.createEcKeyPair();
        String creator = address(creatorKey);
        String token = http.login(creatorKey);
        String tipJar = http.tipJar(token);
        System.out.printf("tip jar %s of %s; %d fans x %d tips per run, %d runs (+1 warm-up)%n", tipJar, creator, fans, tipsPerFan, runs);
        List<double[]> results = new ArrayList<>();
        int seen = 0;
        for (int run = 0; run <= runs; run++) {
          long ganache0 = ganache.cpuNanos();
          double[] r = run(chain, http, token, creator, tipJar, fans, tipsPerFan, seen);
          double ganacheMs = (ganache.cpuNanos() - ganache0) / 1e6 / (fans * tipsPerFan);
          r = java.util.Arrays.copyOf(r, 8);
          r[7] = ganacheMs;
          seen += fans * tipsPerFan;
          System.out.printf("%s: %.0f tips/s, tip latency median %.0f ms, p95 %.0f ms; %.1f mints/s, tip->sticker median %.0f ms,"
                  + " p95 %.0f ms; CPU %.2f ms per tip (node + driver), ganache %.2f ms per tip; load average %.1f%n",
              run == 0 ? "warm-up" : "run " + run, r[0], r[1], r[2], r[4], r[5], r[6], r[3], r[7], OS.getSystemLoadAverage());
          if (run > 0) results.add(r);
        }
        System.out.printf("median over %d runs: %.0f tips/s, tip latency median %.0f ms, p95 %.0f ms; %.1f mints/s,"
                + " tip->sticker median %.0f ms, p95 %.0f ms; CPU %.2f ms per tip (node + driver), ganache %.2f ms per tip%n", runs,
            median(results, 0), median(results, 1), median(results, 2), median(results, 4), median(results, 5), median(results, 6),
            median(results, 3), median(results, 7));
      } finally {
        node.stop();
      }
    }
  }

  private static double median(List<double[]> rows, int column) {
    List<Double> values = new ArrayList<>();
    rows.forEach(r -> values.add(r[column]));
    Collections.sort(values);
    return values.get(values.size() / 2);
  }

  /** One timed burst; answers {tips/s, tip latency median, p95 (ms), CPU ms per tip, mints/s, sticker latency median, p95 (ms)}. */
  private static double[] run(EvmGateway chain, Http http, String token, String creator, String tipJar, int fans, int tipsPerFan,
      int alreadyListed) throws Exception {
    List<List<String>> signed = new ArrayList<>();
    List<String> fanAddresses = new ArrayList<>();
    for (int f = 0; f < fans; f++) {
      ECKeyPair fan = Keys.createEcKeyPair();
      fanAddresses.add(address(fan));
      fund(chain, address(fan));
      List<String> raw = new ArrayList<>();
      BigInteger nonce = chain.pendingNonce(address(fan)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (int t = 0; t < tipsPerFan; t++) {
        String data = FunctionEncoder.encode(new Function("tip", List.of(new Address(creator), new Utf8String("tip " + t)), List.of()));
        RawTransaction tx = RawTransaction.createTransaction(CHAIN_ID, nonce.add(BigInteger.valueOf(t)), BigInteger.valueOf(200_000),
            tipJar, BigInteger.TEN.pow(15), data, TIP_PRIORITY_WEI, BigInteger.valueOf(20_000_000_000L));
        raw.add(Numeric.toHexString(TransactionEncoder.signMessage(tx, CHAIN_ID, Credentials.create(fan))));
      }
      signed.add(raw);
    }
    Map<String, Long> minedAt = new ConcurrentHashMap<>();
    long cpu0 = OS.getProcessCpuTime();
    long start = System.nanoTime();
    ExecutorService senders = Executors.newFixedThreadPool(fans);
    List<Future<?>> sent = new ArrayList<>();
    for (List<String> raw : signed) {
      sent.add(senders.submit(() -> {
        for (String tx : raw) {
          String hash = chain.sendRaw(tx, org.web3j.crypto.Hash.sha3(tx)).toCompletableFuture().get(30, TimeUnit.SECONDS);
          while (!mined(chain, hash)) Thread.sleep(5);
          minedAt.put("evm:" + CHAIN_ID + ":" + hash.toLowerCase(java.util.Locale.ROOT) + ":0", System.nanoTime());
        }
        return null;
      }));
    }
    int total = fans * tipsPerFan;
    Map<String, Long> listedAt = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (listedAt.size() < total && System.nanoTime() < deadline) {
      long now = System.nanoTime();
      for (String id : http.tipIds(token, creator)) {
        if (minedAt.containsKey(id)) listedAt.putIfAbsent(id, now);
      }
      Thread.sleep(20);
    }
    for (Future<?> f : sent) f.get(1, TimeUnit.MINUTES);
    senders.shutdown();
    long end = listedAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    {
      List<Double> early = new ArrayList<>();
      listedAt.forEach((id, at) -> early.add(Math.max(0, at - minedAt.get(id)) / 1e6));
      Collections.sort(early);
      if (!early.isEmpty()) {
        System.out.printf("  tips: %d of %d listed, %.0f tips/s, tip latency median %.0f ms, p95 %.0f ms; CPU so far %.2f ms per tip%n",
            listedAt.size(), total, listedAt.size() / ((end - start) / 1e9), early.get(early.size() / 2), p95(early),
            (OS.getProcessCpuTime() - cpu0) / 1e6 / total);
      }
    }
    Map<String, Long> stickeredAt = new HashMap<>();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STICKER_WAIT_S);
    while (stickeredAt.size() < total && System.nanoTime() < deadline) {
      long now = System.nanoTime();
      for (String fan : fanAddresses) {
        for (String tip : http.stickerTips(fan)) if (minedAt.containsKey(tip)) stickeredAt.putIfAbsent(tip, now);
      }
      Thread.sleep(20);
    }
    if (stickeredAt.size() != total) {
      throw new IllegalStateException("stickered " + stickeredAt.size() + " of " + total + " tips within " + STICKER_WAIT_S + " s");
    }
    long stickersEnd = stickeredAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    List<Double> stickerLatencies = new ArrayList<>();
    stickeredAt.forEach((id, at) -> stickerLatencies.add(Math.max(0, at - minedAt.get(id)) / 1e6));
    Collections.sort(stickerLatencies);
    double cpuMs = (OS.getProcessCpuTime() - cpu0) / 1e6;
    if (listedAt.size() != total) throw new IllegalStateException("listed " + listedAt.size() + " of " + total + " tips");
    if (http.tipIds(token, creator).size() != alreadyListed + total) throw new IllegalStateException("a tip listed twice or missing");
    List<Double> latencies = new ArrayList<>();
    listedAt.forEach((id, at) -> latencies.add(Math.max(0, at - minedAt.get(id)) / 1e6));
    Collections.sort(latencies);
    return new double[] {total / ((end - start) / 1e9), latencies.get(latencies.size() / 2), p95(latencies), cpuMs / total,
        total / ((stickersEnd - start) / 1e9), stickerLatencies.get(stickerLatencies.size() / 2), p95(stickerLatencies)};
  }

  /**
   * Whether the tip's receipt is there. Ganache 7.9 can fail a receipt asked for while the block is
   * being saved ("Cannot read properties of undefined (reading 'toJSON')"): asked again.
   */
  private static boolean mined(EvmGateway chain, String hash) throws Exception {
    try {
      return chain.receipt(hash).toCompletableFuture().get(30, TimeUnit.SECONDS).isPresent();
    } catch (java.util.concurrent.ExecutionException e) {
      if (String.valueOf(e.getMessage()).contains("toJSON")) return false;
      throw e;
    }
  }

  private static double p95(List<Double> sorted) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(sorted.size() * 0.95) - 1)));
  }

  /** Sets the balance and waits until the latest block has it (interval mining: from the next block on). */
  private static void fund(EvmGateway chain, String address) throws Exception {
    for (int attempt = 0; attempt < 30; attempt++) {
      chain.raw("evm_setAccountBalance", List.of(address, "0x" + BigInteger.TEN.pow(24).toString(16))).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        Object balance = chain.raw("eth_getBalance", List.of(address, "latest")).toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (new BigInteger(String.valueOf(balance).substring(2), 16).signum() > 0) return;
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the local chain did not fund " + address);
  }

  private static String address(ECKeyPair key) {
    return Keys.toChecksumAddress(Keys.getAddress(key));
  }

  /** The node's HTTP API as a wallet dApp uses it. */
  private record Http(String base) {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JsonNode send(HttpRequest.Builder request) throws Exception {
      HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(150)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) throw new IllegalStateException(r.statusCode() + " " + r.body());
      return JSON.readTree(r.body());
    }

    void awaitHealthy() throws Exception {
      for (int i = 0; i < 600; i++) {
        try {
          if ("healthy".equals(send(HttpRequest.newBuilder(URI.create(base + "/health"))).path("status").asText())) return;
        } catch (java.io.IOException | IllegalStateException notYet) {
          // starting
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException("the node did not become healthy");
    }

    String login(ECKeyPair key) throws Exception {
      String address = address(key);
      String message = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/nonce?address=" + address))).path("message").asText();
      Sign.SignatureData s = Sign.signPrefixedMessage(message.getBytes(StandardCharsets.UTF_8), key);
      byte[] sig = new byte[65];
      System.arraycopy(s.getR(), 0, sig, 0, 32);
      System.arraycopy(s.getS(), 0, sig, 32, 32);
      sig[64] = s.getV()[0];
      return send(post("/api/v1/auth/login", Map.of("address", address, "message", message, "signature",
          "0x" + HexFormat.of().formatHex(sig)), null)).path("accessToken").asText();
    }

    String tipJar(String token) throws Exception {
      String id = send(post("/api/v1/creators", Map.of("displayName", "Bench", "chain", "evm", "network", "dev"), token)
          .header("Idempotency-Key", "bench")).path("deploymentId").asText();
      for (int i = 0; i < 1200; i++) {
        JsonNode d = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/deployments/" + id)).header("Authorization", "Bearer " + token));
        if ("active".equals(d.path("status").asText())) return d.path("evm").path("contractAddress").asText();
        if ("failed".equals(d.path("status").asText())) throw new IllegalStateException("tip jar deployment failed: " + d);
        Thread.sleep(100);
      }
      throw new IllegalStateException("the tip jar was not active in 2 minutes");
    }

    List<String> tipIds(String token, String wallet) throws Exception {
      List<String> ids = new ArrayList<>();
      String after = null;
      do {
        JsonNode page = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/wallets/" + wallet + "/tips?limit=500"
            + (after == null ? "" : "&after=" + after))).header("Authorization", "Bearer " + token));
        page.path("items").forEach(t -> ids.add(t.path("txId").asText()));
        after = page.path("next").isNull() ? null : page.path("next").asText();
      } while (after != null);
      return ids;
    }

    /** The tip ids of {@code fan}'s stickers (one page: a fan has at most 100 per run here). */
    List<String> stickerTips(String fan) throws Exception {
      List<String> tips = new ArrayList<>();
      String after = null;
      do {
        JsonNode page = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/wallets/" + fan + "/stickers?limit=100"
            + (after == null ? "" : "&after=" + after))));
        page.path("items").forEach(t -> tips.add(t.path("tipTxId").asText()));
        after = page.path("next").isNull() ? null : page.path("next").asText();
      } while (after != null);
      return tips;
    }

    HttpRequest.Builder post(String path, Object body, String token) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      if (token != null) b.header("Authorization", "Bearer " + token);
      return b;
    }
  }
}
