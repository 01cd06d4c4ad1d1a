package io.mintline.http;

import io.mintline.devnet.testing.NodeToolchain;
import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain listener through the API of a real node process (H2) on a devnet of its own, so the
 * node can be killed and started again on the same chain: tips sent by the JavaScript algosdk
 * ({@code src/test/js/send-tips.mjs}) are all in {@code /api/v1/wallets/{address}/tips} exactly
 * once, also when the node process is killed (SIGKILL) and restarted in the middle; a paused devnet makes
 * {@code /health} degraded within two poll intervals, and resuming makes it healthy again.
 *
 * <p>The number of tips is {@code -Dmintline.test.tips} (default 1000, the acceptance size).
 */
class ListenerHttpTest {
  static final int TIPS = Integer.getInteger("mintline.test.tips", 1000);
  static final Duration POLL = Duration.ofSeconds(1);
  static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

  @TempDir static Path dataDir;
  static Devnet devnet;
  static Config config;
  static NodeProcess node;
  static String mintAddress;

  @BeforeAll
  static void start() throws Exception {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(200)));
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.algod.url", devnet.url());
    settings.put("mintline.algod.token", devnet.apiToken());
    for (String role : List.of("mint", "deploy", "admin")) {
      Account key = new Account();
      // Each sticker raises the minting account's minimum balance by 0.1 Algo.
      devnet.fund(key.getAddress().toString(), role.equals("mint") ? 1_000_000_000L + 200_000L * TIPS : 1_000_000_000L);
      settings.put("mintline.keys." + role + "-mnemonic", key.toMnemonic());
      if (role.equals("mint")) mintAddress = key.getAddress().toString();
    }
    settings.put("mintline.listener.poll-interval", POLL.toMillis() + "ms");
    settings.put("mintline.health.check-interval", CHECK_INTERVAL.toMillis() + "ms");
    settings.put("mintline.listener.restart.min-backoff", "200ms");
    settings.put("mintline.listener.restart.max-backoff", "2s");
    config = ConfigFactory.parseMap(settings).withFallback(TestDatabases.h2(dataDir));
    node = NodeProcess.start(config, dataDir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
    if (devnet != null) devnet.close();
  }

  record Creator(String address, long appId, String appAddress) {}

  @Test
  void tipsSentWithTheJsSdkAreCountedExactlyOnceAcrossANodeKill() throws Exception {
    Path repo = NodeToolchain.require("algosdk");

    List<Creator> creators = List.of(creator(), creator());
    Account fan = new Account();
    devnet.fund(fan.getAddress().toString(), 1_000_000L * TIPS + 10_000_000L);

    ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/send-tips.mjs").toString())
        .redirectErrorStream(true);
    builder.environment().put("ALGOD_URL", devnet.url());
    builder.environment().put("ALGOD_TOKEN", devnet.apiToken());
    builder.environment().put("FAN_MNEMONIC", fan.toMnemonic());
    builder.environment().put("TIPS", String.valueOf(TIPS));
    builder.environment().put("APPS", creators.get(0).appId() + ":" + creators.get(0).appAddress() + ","
        + creators.get(1).appId() + ":" + creators.get(1).appAddress());
    Process sender = builder.start();
    List<String> sent = new CopyOnWriteArrayList<>();
    List<String> output = new CopyOnWriteArrayList<>();
    CountDownLatch aThirdSent = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.add(line);
          if (line.startsWith("sent ")) sent.add(line.substring(5));
          if (sent.size() >= TIPS / 3) aThirdSent.countDown();
        }
      } catch (Exception e) {
        output.add("(reading failed: " + e + ")");
      }
    }, "send-tips-output");
    reader.start();

    // Kill the node (SIGKILL) while tips are on their way; a new node on the same database resumes.
    assertTrue(aThirdSent.await(120, TimeUnit.SECONDS), "the JS sender did not get going: " + output);
    node.kill();
    node = null;
    node = NodeProcess.start(config, dataDir);
    assertTrue(sender.waitFor(300, TimeUnit.SECONDS), "the JS sender did not finish: " + tail(output));
    reader.join(10_000);
    assertEquals(0, sender.exitValue(), "the JS sender failed: " + tail(output));
    assertEquals(TIPS, sent.size());
    assertEquals(TIPS, new HashSet<>(sent).size());

    // Both sides, through the API: each creator received its share, the fan sent all, none twice.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<String> received = new ArrayList<>();
    List<String> fanSent = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      received.clear();
      for (Creator c : creators) received.addAll(tipIds(c.address(), "received"));
      fanSent.clear();
      fanSent.addAll(tipIds(fan.getAddress().toString(), "sent"));
      if (received.size() >= TIPS && fanSent.size() >= TIPS) break;
      Thread.sleep(500);
    }
    assertEquals(TIPS, received.size(), "tips received by the creators");
    assertEquals(TIPS, fanSent.size(), "tips sent by the fan");
    assertEquals(new HashSet<>(sent), new HashSet<>(received), "exactly the txids the JS SDK sent");
    assertEquals(new HashSet<>(sent), new HashSet<>(fanSent));
    Thread.sleep(1000);
    assertEquals(TIPS, tipIds(fan.getAddress().toString(), "sent").size(), "none counted twice");

    // Issue 7: every tip earned the fan exactly one sticker, through the kill — in the read side,
    // on chain (creations by the minting account with the mint note), golden exactly as drawn.
    List<JsonNode> stickers = stickers(fan.getAddress().toString(), TIPS, Duration.ofSeconds(300));
    Set<String> stickerTips = new HashSet<>();
    for (JsonNode s : stickers) stickerTips.add(s.path("tipTxId").asText());
    assertEquals(TIPS, stickers.size(), "stickers listed for the fan");
    assertEquals(new HashSet<>(sent), stickerTips, "one sticker per tip the JS SDK sent");
    Map<String, Integer> onChain = stickerCreationsOnChain();
    assertEquals(new HashSet<>(sent), onChain.keySet(), "sticker creations on chain are exactly the tips");
    DETAIL.values().removeIf(l -> l.size() < 2);
    assertTrue(onChain.values().stream().allMatch(n -> n == 1), "no tip minted twice on chain: " + DETAIL);
    for (JsonNode s : stickers) {
      JsonNode draw = Json.MAPPER.readTree(node.get("/api/v1/stickers/" + s.path("assetId").asLong() + "/draw").body());
      assertEquals(draw.path("result").asBoolean(), s.path("golden").asBoolean(), "golden as the formula says: " + draw);
    }

    JsonNode status = Json.MAPPER.readTree(node.get("/api/v1/listener/status").body());
    for (String field : List.of("network", "round", "chainRound", "lag", "heartbeatAgeMs", "state", "algodUrl", "tipsSeen", "roundsPerSecond")) {
      assertTrue(status.has(field), field + " missing: " + status);
    }
    assertEquals("devnet", status.path("network").asText());
    assertEquals(devnet.url(), status.path("algodUrl").asText());
  }

  @Test
  void aPausedChainDegradesHealthWithinTwoPollIntervalsAndResumingHealsIt() throws Exception {
    Creator creator = creator();
    node.awaitHealthy(Duration.ofSeconds(60));
    devnet.pause();
    try {
      long paused = System.nanoTime();
      // /health reads each dependency's last check (at most mintline.health.check-interval old, here
      // 200 ms): the chain check may turn it degraded before the listener's heartbeat goes stale.
      JsonNode health = awaitListenerStale(Duration.ofSeconds(10));
      long tookMs = (System.nanoTime() - paused) / 1_000_000;
      // 2 x poll interval, plus one check interval, plus the /health requests' own latency on a busy machine.
      assertTrue(tookMs <= 2 * POLL.toMillis() + CHECK_INTERVAL.toMillis() + 1500, "stale after " + tookMs + " ms: " + health);
      assertEquals("degraded", health.path("status").asText(), health.toString());
      JsonNode listener = health.path("checks").path("listener");
      assertEquals("stale", listener.path("state").asText(), health.toString());
      assertFalse(listener.path("ok").asBoolean());
      assertTrue(listener.path("heartbeatAgeMs").asLong() > 2 * POLL.toMillis(), health.toString());
      assertTrue(listener.has("round") && listener.has("chainRound") && listener.has("lag"), health.toString());
      // The status route asks the listener itself; a stale listener is restarted (and fresh for a
      // moment) while the chain stays paused, so it is stale again within a few poll intervals.
      long statusDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      String state = "";
      while (!state.equals("stale") && System.nanoTime() < statusDeadline) {
        state = Json.MAPPER.readTree(node.get("/api/v1/listener/status").body()).path("state").asText();
        if (!state.equals("stale")) Thread.sleep(50);
      }
      assertEquals("stale", state, "the status route reports the paused chain too");
    } finally {
      devnet.resume();
    }
    String tip = devnet.fund(creator.appAddress(), 250_000);
    node.awaitHealthy(Duration.ofSeconds(60));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!tipIds(creator.address(), "received").contains(tip)) {
      assertTrue(System.nanoTime() < deadline, "the tip sent after resuming was not recorded");
      Thread.sleep(200);
    }
  }

  @Test
  void tipsListRefusesBadInputWithTheStandardErrors() throws Exception {
    String wallet = new Account().getAddress().toString();
    HttpResponse<String> empty = node.get("/api/v1/wallets/" + wallet + "/tips");
    assertEquals(200, empty.statusCode(), empty.body());
    JsonNode page = Json.MAPPER.readTree(empty.body());
    assertEquals(0, page.path("items").size());
    assertTrue(page.path("next").isNull());
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/NOTANADDRESS/tips"), 400, "invalid_address");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/" + wallet + "/tips?limit=0"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/" + wallet + "/tips?limit=501"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/" + wallet + "/tips?limit=abc"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/" + wallet + "/tips?after=" + URLEncoder.encode("1' OR '1'='1", StandardCharsets.UTF_8)),
        400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/wallets/" + wallet + "/tips?after=bm90LWEtY3Vyc29y"), 400, "invalid_parameter");
  }

  /** Every tip txid of {@code wallet} in {@code direction}, paging through the API 500 at a time. */
  static List<String> tipIds(String wallet, String direction) throws Exception {
    List<String> ids = new ArrayList<>();
    String after = null;
    do {
      HttpResponse<String> r = node.get("/api/v1/wallets/" + wallet + "/tips?limit=500" + (after == null ? "" : "&after=" + after));
      assertEquals(200, r.statusCode(), r.body());
      JsonNode page = Json.MAPPER.readTree(r.body());
      for (JsonNode item : page.path("items")) {
        if (direction.equals(item.path("direction").asText())) ids.add(item.path("txId").asText());
      }
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return ids;
  }

  /** The fan's stickers through the API (paged), once there are {@code n} of them. */
  static List<JsonNode> stickers(String wallet, int n, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    List<JsonNode> all = new ArrayList<>();
    while (true) {
      all.clear();
      String after = null;
      do {
        HttpResponse<String> r = node.get("/api/v1/wallets/" + wallet + "/stickers?limit=100" + (after == null ? "" : "&after=" + after));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode page = Json.MAPPER.readTree(r.body());
        page.path("items").forEach(all::add);
        after = page.path("next").isNull() ? null : page.path("next").asText();
      } while (after != null);
      if (all.size() >= n || System.nanoTime() > deadline) return all;
      Thread.sleep(500);
    }
  }

  /** Tip → its creations (round, validity, group) as the last scan found them. */
  static final Map<String, List<String>> DETAIL = new java.util.concurrent.ConcurrentHashMap<>();

  /** Asset creations by the minting account noted {@code mintline:mint:<tip>}, per tip, over every block. */
  static Map<String, Integer> stickerCreationsOnChain() throws Exception {
    return StickerMints.perTip(HttpClient.newHttpClient(), devnet.url(), devnet.apiToken(), mintAddress, 1, devnet.currentRound(), DETAIL);
  }

  /** A wallet that logs in and becomes a creator; answers once its TipProxy is active. */
  static Creator creator() throws Exception {
    Account wallet = new Account();
    String address = wallet.getAddress().toString();
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    String signature = java.util.Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> tokens = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", signature)))));
    assertEquals(200, tokens.statusCode(), tokens.body());
    String token = Json.MAPPER.readTree(tokens.body()).path("accessToken").asText();
    HttpResponse<String> accepted = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/creators")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).header("Idempotency-Key", "tips")
        .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Ann\"}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/deployments/" + id)))
          .header("Authorization", "Bearer " + token).GET());
      JsonNode d = Json.MAPPER.readTree(r.body());
      if ("active".equals(d.path("status").asText())) return new Creator(address, d.path("appId").asLong(), d.path("appAddress").asText());
      Thread.sleep(100);
    }
    throw new AssertionError("deployment " + id + " not active within 60 s");
  }

  static JsonNode awaitListenerStale(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = Json.MAPPER.readTree(node.get("/health").body());
      if ("stale".equals(last.path("checks").path("listener").path("state").asText())) return last;
      Thread.sleep(100);
    }
    fail("the listener not stale in /health within " + within + ": " + last);
    return null;
  }

  static JsonNode awaitHealth(String status, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = Json.MAPPER.readTree(node.get("/health").body());
      if (status.equals(last.path("status").asText())) return last;
      Thread.sleep(100);
    }
    fail("health not " + status + " within " + within + ": " + last);
    return null;
  }

  private static String tail(List<String> output) {
    return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
  }
}
