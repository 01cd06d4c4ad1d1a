package io.mintline.bench.webhook;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.http.MintlineNode;
import io.mintline.http.webhook.WebhookSignature;
import io.mintline.http.webhook.WebhookStore;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Webhook delivery on one real node (in-process devnet, H2 in a temporary directory or the local
 * PostgreSQL) to a receiver on loopback (the JDK's HTTP server, answering 200 at once):
 *
 * <ol>
 *   <li><b>deliveries/s</b>: {@code --deliveries} pending rows are written as {@code WebhookProjection}
 *       writes them, and the node's {@code WebhookDispatcher} drains them (claim, sign, POST, record);
 *       reported from the first to the last arrival, with the node process's CPU per delivery;
 *   <li><b>event → delivery latency</b>: {@code --events} stickers are minted on the devnet for the
 *       endpoint's owner, and each {@code sticker.minted} delivery's arrival is compared with the
 *       event's journal time (the payload's {@code timestamp}): p50 / p99 / max.
 * </ol>
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.webhook.WebhookBench \
 *     [--deliveries 20000] [--events 300] [--parallelism 16] [--poll-interval 500ms] \
 *     [--pg jdbc:postgresql://127.0.0.1:5432/mintline_x?currentSchema=s] [--pg-user postgres]
 * </pre>
 */
public final class WebhookBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    int deliveries = Integer.parseInt(opts.getOrDefault("deliveries", "20000"));
    int events = Integer.parseInt(opts.getOrDefault("events", "300"));
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.http.host", "127.0.0.1");
    settings.put("mintline.http.port", 0);
    settings.put("akka.management.http.port", 0);
    settings.put("akka.remote.artery.canonical.port", 0);
    settings.put("mintline.devnet.port", 0);
    settings.put("mintline.devnet.block-interval", opts.getOrDefault("block-interval", "200ms"));
    settings.put("mintline.metrics.instrumentation", false);
    settings.put("mintline.webhooks.parallelism", Integer.parseInt(opts.getOrDefault("parallelism", "16")));
    settings.put("mintline.webhooks.poll-interval", opts.getOrDefault("poll-interval", "500ms"));
    if (opts.containsKey("pg")) {
      settings.put("mintline.db.url", opts.get("pg"));
      settings.put("mintline.db.user", opts.getOrDefault("pg-user", "postgres"));
      settings.put("mintline.db.password", opts.getOrDefault("pg-password", ""));
    } else {
      settings.put("mintline.db.url", "");
      settings.put("mintline.db.data-dir", Files.createTempDirectory("webhook-bench").toString());
    }
    Config config = ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load());

    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(32));
    receiver.createContext("/", exchange -> {
      long now = System.nanoTime();
      Instant wall = Instant.now();
      byte[] body = exchange.getRequestBody().readAllBytes();
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      if (arrivals.putIfAbsent(id, now) == null && exchange.getRequestURI().getPath().equals("/events")) {
        JsonNode event = JSON.readTree(body);
        Instant at = Instant.parse(event.path("timestamp").asText());
        latenciesMicros.add(Duration.between(at, wall).toNanos() / 1_000);
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();

    MintlineNode node = MintlineNode.start(config);
    try {
      JournalDatabase database = JournalDatabase.get(node.system());
      while (!database.migrated()) Thread.sleep(100);
      WebhookStore store = new WebhookStore(database.dataSource(), database.vendor(),
          WebhookSettings.load(MintlineNode.effectiveConfig(config)), Clock.systemUTC());
      String owner = new Account().getAddress().toString();

      // 1. Throughput: pending rows drained by the worker.
      WebhookStore.Endpoint drain = store.create(owner, false, base + "/drain", List.of("tip.received"), WebhookSignature.newSecret());
      String payload = "{\"type\":\"tip.received\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"tipTxId\":\""
          + "A".repeat(52) + "\",\"creator\":\"" + owner + "\",\"fan\":\"" + owner + "\",\"amount\":1000000,\"round\":7,"
          + "\"belowMinimum\":false}}";
      long cpu0 = processCpuNanos();
      try (Connection c = database.dataSource().getConnection();
          PreparedStatement s = c.prepareStatement("INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, "
              + "attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'tip.received', ?, 'pending', 0, 0, 0, 0)")) {
        c.setAutoCommit(false);
        for (int i = 0; i < deliveries; i++) {
          s.setString(1, String.format(Locale.ROOT, "msg_%032x", i));
          s.setString(2, drain.id());
          s.setString(3, payload);
          s.addBatch();
          if (i % 1000 == 999) s.executeBatch();
        }
        s.executeBatch();
        c.commit();
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (arrivals.size() < deliveries) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("only " + arrivals.size() + " delivered in 10 min");
        Thread.sleep(20);
      }
      long cpu1 = processCpuNanos();
      long first = Collections.min(arrivals.values());
      long last = Collections.max(arrivals.values());
      double seconds = (last - first) / 1e9;
      System.out.printf(Locale.ROOT, "deliveries: %d in %.2f s = %.0f deliveries/s; process CPU %.0f µs per delivery; load average %s%n",
          deliveries, seconds, deliveries / seconds, (cpu1 - cpu0) / 1e3 / deliveries, loadAverage());

      // 2. Latency: sticker.minted events from the journal to the receiver.
      store.create(owner, false, base + "/events", List.of("sticker.minted"), WebhookSignature.newSecret());
      Semaphore inFlight = new Semaphore(32);
      List<CompletableFuture<?>> asks = new ArrayList<>();
      SecureRandom random = new SecureRandom();
      for (int i = 0; i < events; i++) {
        byte[] txid = new byte[32];
        random.nextBytes(txid);
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        String tip = Encoder.encodeToBase32StripPad(txid);
        String fan = new Account().getAddress().toString();
        inFlight.acquire();
        asks.add(ClusterSharding.get(node.system()).entityRefFor(StickerBook.ENTITY_KEY, fan)
            .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tip, 7, seed, owner, 0, r), Duration.ofSeconds(30))
            .toCompletableFuture().whenComplete((ack, failure) -> inFlight.release()));
      }
      CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
      deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (latenciesMicros.size() < events) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("only " + latenciesMicros.size() + " events delivered");
        Thread.sleep(50);
      }
      List<Long> sorted = new ArrayList<>(latenciesMicros);
      Collections.sort(sorted);
      System.out.printf(Locale.ROOT, "event -> delivery: %d events, p50 %.1f ms, p99 %.1f ms, max %.1f ms; load average %s%n",
          events, sorted.get(sorted.size() / 2) / 1e3, sorted.get((int) Math.floor(sorted.size() * 0.99)) / 1e3,
          sorted.get(sorted.size() - 1) / 1e3, loadAverage());
    } finally {
      node.stop();
      receiver.stop(0);
    }
    System.exit(0);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
