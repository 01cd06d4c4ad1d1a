package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * Acceptance 2 of issue 19: the node SIGKILLed while ethers wallets tip a creator's tip jar. The
 * node runs in a JVM of its own ({@link NodeProcess}) on PostgreSQL, with ganache as its EVM chain
 * and a standalone devnet as its Algorand chain (both outlive the node). After a restart on the same
 * database every tip is recorded once, and exactly one sticker exists per tip: listed for its fan
 * and, on chain, one {@code Transfer} from the zero address per token id and no other.
 *
 * <p>The CI form is 4 fans × 5 tips; {@code -Dmintline.test.evm-crash.fans=10
 * -Dmintline.test.evm-crash.tips=10} is the 100.
 */
class EvmTipsCrashTest {
  private static final long CHAIN_ID = 31337;
  private static final int FANS = Integer.getInteger("mintline.test.evm-crash.fans", 4);
  private static final int TIPS = Integer.getInteger("mintline.test.evm-crash.tips", 5);
  // The node's own JVM, started twice on a machine that may be loaded.
  private static final Duration START = Duration.ofSeconds(240);
  @TempDir static Path dir;
  static Path root;
  static LocalEvmNode ganache;
  static EvmGateway chain;
  static Devnet devnet;
  static NodeProcess node;
  static Config config;

  @BeforeAll
  static void start() throws Exception {
    root = NodeToolchain.require("ganache", "solc", "@openzeppelin/contracts", "ethers");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.INSTANT, null);
    chain = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10));
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(500)));
    ECKeyPair deployer = Keys.createEcKeyPair();
    chain.raw("evm_setAccountBalance", List.of(Keys.toChecksumAddress(Keys.getAddress(deployer)), "0x" + BigInteger.TEN.pow(24).toString(16)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.algod.url", devnet.url());
    settings.put("mintline.algod.token", devnet.apiToken());
    for (String role : List.of("mint", "deploy", "admin")) {
      Account key = new Account();
      devnet.fund(key.getAddress().toString(), 1_000_000_000L);
      settings.put("mintline.keys." + role + "-mnemonic", key.toMnemonic());
    }
    settings.put("mintline.contracts.node-modules", root.resolve("node_modules").toString());
    settings.put("mintline.contracts.workers", 1);
    settings.put("mintline.evm.networks.dev.rpc-url", ganache.url());
    settings.put("mintline.evm.networks.dev.confirmations", 2);
    settings.put("mintline.evm.deploy-key", org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(deployer.getPrivateKey(), 64));
    settings.put("mintline.evm.listener.poll-interval", "200ms");
    settings.put("mintline.db.data-dir", dir.resolve("data").toString());
    config = ConfigFactory.parseMap(settings).withFallback(TestDatabases.postgres());
    node = NodeProcess.start(config, dir, START);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
    if (chain != null) chain.close();
    if (ganache != null) ganache.close();
    if (devnet != null) devnet.close();
  }

  static JsonNode send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = node.http.send(request.timeout(Duration.ofSeconds(150)).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  static String login(ECKeyPair key) throws Exception {
    String address = Keys.toChecksumAddress(Keys.getAddress(key));
    String message = send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/nonce?address=" + address)))).path("message").asText();
    return send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login"))).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", AuthHttpTest.evmSign(key, message))))))
        .path("accessToken").asText();
  }

  static List<String> receivedTips(String wallet) throws Exception {
    List<String> ids = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/wallets/" + wallet + "/tips?limit=500"
          + (after == null ? "" : "&after=" + after)))));
      page.path("items").forEach(t -> ids.add(t.path("txId").asText()));
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return ids;
  }

  static void mine() throws Exception {
    chain.raw("evm_mine", List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static long head() throws Exception {
    return chain.blockNumber().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aNodeKilledMidBurstStillMintsExactlyOneStickerPerTip() throws Exception {
    int total = FANS * TIPS;
    ECKeyPair key = Keys.createEcKeyPair();
    String creator = Keys.toChecksumAddress(Keys.getAddress(key));
    String token = login(key);
    HttpResponse<String> created = Creators.becomeCreator(node, token, "crash",
        "{\"displayName\": \"Crash\", \"chain\": \"evm\", \"network\": \"dev\"}");
    assertEquals(202, created.statusCode(), created.body());
    String id = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    String tipJar = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (tipJar == null && System.nanoTime() < deadline) {
      JsonNode d = send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/deployments/" + id))).header("Authorization", "Bearer " + token));
      assertNotEquals("failed", d.path("status").asText(), d.toString());
      if ("active".equals(d.path("status").asText())) {
        tipJar = d.path("evm").path("contractAddress").asText();
      } else {
        mine(); // 2 confirmations: a block on top of the deployment's
        Thread.sleep(200);
      }
    }
    assertNotNull(tipJar, "the tip jar was not active in time");
    // The listener watches the jar before the burst, so that tips are being delivered and minted when the node dies.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean watching = false;
    while (!watching && System.nanoTime() < deadline) {
      for (JsonNode l : send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/listener/status")))).path("listeners")) {
        watching |= "evm".equals(l.path("chain").asText()) && l.path("watchedTipJars").asInt() == 1;
      }
      if (!watching) Thread.sleep(100);
    }
    assertTrue(watching, "the EVM listener did not take the tip jar in");

    ProcessBuilder js = new ProcessBuilder("node", "http-api/src/test/js-evm-tips/tip-burst.mjs").directory(root.toFile());
    js.environment().put("EVM_RPC_URL", ganache.url());
    js.environment().put("TIP_JAR", tipJar);
    js.environment().put("CREATOR", creator);
    js.environment().put("FANS", String.valueOf(FANS));
    js.environment().put("TIPS", String.valueOf(TIPS));
    js.environment().put("PAUSE_MS", "1000");
    Process burst = js.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try {
        burst.getInputStream().transferTo(out);
      } catch (java.io.IOException ended) {
        // the process ended
      }
    });
    reader.start();
    // Mid-burst: some tips recorded by the node (so stickers are being minted), the burst not finished.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    int before = 0;
    while (System.nanoTime() < deadline && burst.isAlive()) {
      before = receivedTips(creator).size();
      if (before >= Math.max(1, total / 5)) break;
      Thread.sleep(50);
    }
    boolean midBurst = burst.isAlive();
    node.kill();
    System.out.printf(Locale.ROOT, "EVM crash: SIGKILL with %d of %d tips recorded, burst %s%n", before, total,
        midBurst ? "still sending" : "already finished");
    assertTrue(midBurst, "the burst ended before the kill: the kill was not mid-burst (" + before + " tips recorded)");
    assertTrue(before < total, "every tip was recorded before the kill");
    node = NodeProcess.start(config, dir, START);
    assertTrue(burst.waitFor(3, TimeUnit.MINUTES), "the tip burst did not finish");
    reader.join(10_000);
    assertEquals(0, burst.exitValue(), out.toString(StandardCharsets.UTF_8));
    JsonNode sent = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElseThrow());
    Set<String> expected = new HashSet<>();
    Map<String, String> tipByToken = new HashMap<>();
    sent.path("txs").forEach(h -> {
      String txHash = h.asText().toLowerCase(Locale.ROOT);
      expected.add("evm:" + CHAIN_ID + ":" + txHash + ":0");
      tipByToken.put("0x" + String.format("%064x", EvmTipsHttpTest.expectedTokenId(CHAIN_ID, txHash, 0)), txHash);
    });
    assertEquals(total, expected.size());
    mine();

    List<String> received = List.of();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      received = receivedTips(creator);
      if (received.size() >= total) break;
      mine();
      Thread.sleep(250);
    }
    assertEquals(total, received.size(), "every tip recorded once: " + received.size() + "\n" + node.logTail());
    assertEquals(expected, new HashSet<>(received), "exactly the tips sent");

    // One sticker per tip, listed for its fan, none twice.
    Set<String> stickered = new HashSet<>();
    String collection = null;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      stickered.clear();
      for (JsonNode fan : sent.path("fans")) {
        JsonNode page = send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/wallets/" + fan.asText() + "/stickers?limit=100"))));
        for (JsonNode st : page.path("items")) {
          assertTrue(stickered.add(st.path("tipTxId").asText()), "one sticker per tip: " + st);
          collection = st.path("collection").asText();
        }
      }
      if (stickered.size() >= total) break;
      mine(); // mints are recorded once 2 blocks deep
      Thread.sleep(250);
    }
    assertEquals(expected, stickered, "a sticker for every tip, none twice\n" + node.logTail());
    // On chain: exactly one Transfer from the zero address per tip's token id, and none for anything else.
    for (int i = 0; i < 5; i++) mine(); // a mint sent late, after its sticker was listed, would show now
    Map<String, Integer> minted = EvmTipsHttpTest.mintsPerToken(chain, collection);
    assertEquals(tipByToken.keySet(), minted.keySet(), "token ids minted on chain are exactly the tips'");
    minted.forEach((tokenId, count) -> assertEquals(1, count, "token " + tokenId + " (tip " + tipByToken.get(tokenId) + ") minted "
        + count + " times"));
    System.out.printf(Locale.ROOT, "EVM crash: %d tips, %d stickers, %d Transfer events from zero, each token once%n", total,
        stickered.size(), minted.values().stream().mapToInt(Integer::intValue).sum());
  }
}
