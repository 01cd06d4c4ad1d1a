package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.mintline.engine.persistence.JournalDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped ({@code pg_ctl stop -m fast}, as {@code pg_ctlcluster stop} does) for {@link #OUTAGE} in
 * the middle of a burst of tips, then started again, under a running node (its own PostgreSQL
 * server, {@link PrivatePostgres}, never the machine's): once the database is back, the node serves
 * logins, onboards a creator and mints a new tip's sticker within {@link #RECOVERS_WITHIN} without a
 * restart, and every tip of the burst ends with exactly one sticker, on chain and in the read side.
 * The defaults of the journal, the pool and the listener are the product's (nothing tuned for the
 * test but the devnet's block interval and the health check interval).
 */
class DatabaseRestartTest {
  static final int FANS = 16;
  static final int TIPS = Integer.getInteger("mintline.test.restart-tips", 150);
  static final int TIPS_PER_SECOND = 6;
  /**
   * Long enough for calls waiting on the database to reach the journal's and the snapshot store's
   * call timeouts (10 s, 20 s) and open their circuit breakers, as a 10 s outage did on the three
   * nodes of ClusterDrillsIT (where snapshot loads failed sooner, at the pool's connection timeout).
   */
  static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("mintline.test.outage-s", 25));
  static final Duration RECOVERS_WITHIN = Duration.ofSeconds(30);

  @Test
  void aDatabaseRestartDuringATipBurstHealsWithoutANodeRestartAndEveryTipGetsOneSticker() throws Exception {
    try (PrivatePostgres pg = PrivatePostgres.create()) {
      Config database = ConfigFactory.parseMap(Map.of(
          "mintline.db.url", pg.jdbcUrl(),
          "mintline.db.user", "postgres",
          "mintline.db.password", "",
          "mintline.devnet.block-interval", "500ms",
          "mintline.health.check-interval", "200ms"));
      try (TestNode node = TestNode.start(database)) {
        NodeHttpTest.awaitHealthy(node);
        DevnetCalls devnet = new DevnetCalls(node);
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          Account wallet = new Account();
          String token = Creators.login(node, wallet);
          HttpResponse<String> accepted = Creators.becomeCreator(node, token, "restart", "{\"displayName\":\"Creator " + i + "\"}");
          assertEquals(202, accepted.statusCode(), accepted.body());
          JsonNode active = Creators.awaitActive(node, token, Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText());
          apps.add(active.path("appAddress").asText());
        }
        List<Account> fans = new ArrayList<>();
        for (int i = 0; i < FANS; i++) {
          Account fan = new Account();
          node.node.devnet().fund(fan.getAddress().toString(), 200_000L * TIPS + 10_000_000L);
          fans.add(fan);
        }
        Account probeFan = new Account();
        node.node.devnet().fund(probeFan.getAddress().toString(), 10_000_000L);
        long fromRound = devnet.lastRound();
        awaitCondition("the fans funded", Duration.ofSeconds(30),
            () -> devnet.account(probeFan.getAddress().toString()).path("amount").asLong() > 0);

        Sender burst = new Sender(devnet, fans, apps, TIPS, TIPS_PER_SECOND);
        burst.start();
        awaitCondition("a third of the burst sent and minting under way", Duration.ofSeconds(90),
            () -> burst.sent.size() >= TIPS / 3 && !stickers(node, fans.get(0)).isEmpty());

        long stopped = System.nanoTime();
        pg.stop();
        boolean notReady = false;
        // Meanwhile people look wallets up: each lookup starts a wallet entity that cannot recover yet.
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> lookups = new ArrayList<>();
        while (System.nanoTime() - stopped < OUTAGE.toNanos()) {
          notReady |= node.get("/ready").statusCode() == 503;
          lookups.add(node.http.sendAsync(HttpRequest.newBuilder(URI.create(node.url("/api/v1/wallets/" + new Account().getAddress())))
              .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
          Thread.sleep(200);
        }
        assertTrue(notReady, "/ready said 503 while PostgreSQL was down");
        pg.start();
        long back = System.nanoTime();
        System.out.printf(Locale.ROOT, "DB RESTART: PostgreSQL down for %.1f s, %d of %d tips sent%n",
            (back - stopped) / 1e9, burst.sent.size(), TIPS);

        // What a user does right after: logs in, onboards as a creator, tips and sees the sticker.
        Map<String, Duration> recovered = new java.util.LinkedHashMap<>();
        recovered.put("ready", awaitCondition("/ready 200 after the database came back", RECOVERS_WITHIN, back,
            () -> node.get("/ready").statusCode() == 200, () -> diagnostics(node, pg)));
        recovered.put("login", awaitCondition("a login after the database came back", RECOVERS_WITHIN, back,
            () -> login(node, new Account()) != null, () -> diagnostics(node, pg)));
        String tip = devnet.submitTip(probeFan, new Address(apps.get(0)), 250_000);
        recovered.put("tip minted", awaitCondition("a tip sent after the database came back listed with its sticker",
            RECOVERS_WITHIN, back, () -> stickers(node, probeFan).stream().anyMatch(s -> tip.equals(s.path("tipTxId").asText())),
            () -> diagnostics(node, pg)));
        String token = login(node, new Account());
        assertNotNull(token, "a login after the database came back");
        String[] deployment = new String[1];
        recovered.put("creator accepted", awaitCondition("a creator onboarding accepted after the database came back",
            RECOVERS_WITHIN, back, () -> {
              // The same Idempotency-Key on every try: one onboarding, however often it is asked for.
              HttpResponse<String> accepted = Creators.becomeCreator(node, token, "after-restart", "{\"displayName\":\"Late\"}");
              if (accepted.statusCode() == 202) deployment[0] = Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText();
              return deployment[0] != null;
            }, () -> diagnostics(node, pg)));
        recovered.put("creator active", awaitCondition("a creator onboarded after the database came back", RECOVERS_WITHIN, back,
            () -> "active".equals(Json.MAPPER.readTree(Creators.get(node, token, "/api/v1/deployments/" + deployment[0]).body())
                .path("status").asText()), () -> diagnostics(node, pg)));
        System.out.println("DB RESTART: after the database came back: " + recovered);
        for (var lookup : lookups) {
          HttpResponse<String> r = lookup.get(30, TimeUnit.SECONDS);
          assertTrue(r.statusCode() == 404 || r.statusCode() == 503, "a wallet looked up during the outage: " + r.statusCode() + " " + r.body());
        }

        burst.await(Duration.ofMinutes(2));
        assertEquals(List.of(), burst.failures, "tips the devnet refused");
        Set<String> sent = new HashSet<>(burst.sent);
        sent.add(tip);
        List<Account> tippers = new ArrayList<>(fans);
        tippers.add(probeFan);

        // Exactly one sticker per tip: in the read side, and on chain.
        Set<String> listed = new HashSet<>();
        List<JsonNode> rows = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
          listed.clear();
          rows.clear();
          for (Account fan : tippers) rows.addAll(stickers(node, fan));
          for (JsonNode s : rows) listed.add(s.path("tipTxId").asText());
          if (listed.containsAll(sent) || System.nanoTime() > deadline) break;
          Thread.sleep(500);
        }
        Set<String> missing = new HashSet<>(sent);
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "tips without a sticker in the read side 90 s after the burst" + diagnostics(node, pg));
        assertEquals(sent.size(), rows.size(), "one listed sticker per tip, none twice");
        String mint = mintAccount(node, rows.get(0).path("assetId").asLong());
        Map<String, List<String>> detail = new ConcurrentHashMap<>();
        Map<String, Integer> onChain = StickerMints.perTip(HttpClient.newHttpClient(), node.node.devnet().url(),
            node.node.devnet().apiToken(), mint, fromRound, devnet.lastRound(), detail);
        assertEquals(sent, onChain.keySet(), "sticker creations on chain are exactly the tips");
        detail.values().removeIf(l -> l.size() < 2);
        assertTrue(detail.isEmpty(), "tips minted twice on chain: " + detail);
        System.out.printf(Locale.ROOT, "DB RESTART: %d tips, exactly %d stickers on chain and in the read side%n", sent.size(), onChain.size());
      }
    }
  }

  /** A wallet's login (nonce, signature, login); its access token, or null when the node refused it. */
  private static String login(TestNode node, Account wallet) throws Exception {
    String address = wallet.getAddress().toString();
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    if (nonce.statusCode() != 200) return null;
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    String signature = java.util.Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> tokens = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", signature)))));
    return tokens.statusCode() == 200 ? Json.MAPPER.readTree(tokens.body()).path("accessToken").asText() : null;
  }

  /** A fan's stickers in the read side (empty while the node cannot answer). */
  private static List<JsonNode> stickers(TestNode node, Account fan) throws Exception {
    HttpResponse<String> r = node.get("/api/v1/wallets/" + fan.getAddress() + "/stickers?limit=1");
    if (r.statusCode() != 200) return List.of();
    return DrillCluster.stickers(node, fan.getAddress().toString());
  }

  private static String mintAccount(TestNode node, long assetId) throws Exception {
    HttpResponse<String> asset = node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url() + "/v2/assets/" + assetId))
        .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, asset.statusCode(), asset.body());
    return Json.MAPPER.readTree(asset.body()).path("params").path("creator").asText();
  }

  /** The node's view of the database and the listener, for a failure message. */
  private static String diagnostics(TestNode node, PrivatePostgres pg) {
    StringBuilder out = new StringBuilder("\n");
    try {
      HikariDataSource pool = (HikariDataSource) JournalDatabase.get(node.node.system()).dataSource();
      var bean = pool.getHikariPoolMXBean();
      out.append(String.format(Locale.ROOT, "pool: %d active, %d idle, %d threads waiting%n", bean.getActiveConnections(),
          bean.getIdleConnections(), bean.getThreadsAwaitingConnection()));
      // Slick's executor: the connections it counts as in use (it takes no new action at the pool size).
      Object executor = JournalDatabase.get(node.node.system()).slickSession().db().executor();
      var threads = (java.util.concurrent.ThreadPoolExecutor) executor.getClass().getField("slick$util$AsyncExecutor$$anon$$executor").get(executor);
      Object queue = threads.getQueue();
      var inUse = queue.getClass().getDeclaredField("inUseCount");
      var paused = queue.getClass().getDeclaredField("paused");
      inUse.setAccessible(true);
      paused.setAccessible(true);
      out.append(String.format(Locale.ROOT, "slick executor: %s connections counted in use%s, %d actions queued, %d of %d threads active%n",
          inUse.get(queue), (Boolean) paused.get(queue) ? " (paused: takes no new action)" : "", threads.getQueue().size(),
          threads.getActiveCount(), threads.getMaximumPoolSize()));
    } catch (Exception e) {
      out.append("(no pool gauges: ").append(e).append(")\n");
    }
    Map<String, Integer> states = new java.util.TreeMap<>();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      if (!t.getName().startsWith("mintline-db")) return;
      String where = "";
      for (StackTraceElement frame : stack) {
        if (frame.getClassName().startsWith("slick.") || frame.getClassName().startsWith("com.zaxxer") || frame.getClassName().startsWith("org.postgresql")) {
          where = " " + frame.getClassName().replaceAll(".*\\.", "") + "." + frame.getMethodName();
          break;
        }
      }
      states.merge(t.getState() + where, 1, Integer::sum);
    });
    out.append("slick threads: ").append(states).append('\n');
    try {
      out.append("listener: ").append(node.get("/api/v1/listener/status").body()).append('\n');
      out.append("health: ").append(node.get("/health").body()).append('\n');
    } catch (Exception e) {
      out.append("(no listener status: ").append(e).append(")\n");
    }
    out.append("postgres log:\n").append(pg.logTail(10));
    return out.toString();
  }

  interface Check {
    boolean holds() throws Exception;
  }

  interface Detail {
    String get() throws Exception;
  }

  private static Duration awaitCondition(String what, Duration within, Check check) throws Exception {
    return awaitCondition(what, within, System.nanoTime(), check, () -> "");
  }

  /** Polls {@code check} until it holds; how long after {@code since} that was. */
  private static Duration awaitCondition(String what, Duration within, long since, Check check, Detail detail) throws Exception {
    long deadline = since + within.toNanos();
    while (true) {
      boolean holds;
      try {
        holds = check.holds();
      } catch (java.io.IOException busy) {
        holds = false;
      }
      if (holds) return Duration.ofMillis((System.nanoTime() - since) / 1_000_000);
      if (System.nanoTime() > deadline) fail(what + ": not within " + within.toSeconds() + " s" + detail.get());
      Thread.sleep(200);
    }
  }

  /** The burst: tips (payments to the TipProxy apps) from the fans in turn, paced, from a thread of its own. */
  static final class Sender {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final AtomicBoolean done = new AtomicBoolean();

    Sender(DevnetCalls devnet, List<Account> fans, List<String> apps, int tips, int perSecond) {
      this.thread = new Thread(() -> {
        long began = System.nanoTime();
        try {
          for (int i = 0; i < tips; i++) {
            long due = began + TimeUnit.SECONDS.toNanos(i) / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000);
            sent.add(devnet.submitTip(fans.get(i % fans.size()), new Address(apps.get(i % apps.size())), 100_000 + i));
          }
        } catch (Throwable e) {
          failures.add(e.toString());
        } finally {
          done.set(true);
        }
      }, "restart-tips");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void await(Duration within) throws Exception {
      thread.join(within.toMillis());
      assertTrue(done.get(), "the burst did not finish within " + within);
    }
  }
}
