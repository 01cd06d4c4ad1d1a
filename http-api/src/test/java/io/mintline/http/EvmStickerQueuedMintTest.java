package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.minting.EvmStickerMinter;
import io.mintline.engine.testing.TestDatabases;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * A sticker's mint that ganache 7.9 files as a future ({@code queued}) transaction and never
 * promotes once its nonce is next — what stalled every later mint in {@code EvmTipBench} — is sent
 * again and minted, once. The stuck state is made deterministic with {@code evm_setAccountNonce}:
 * the minting account is put one nonce behind while the mint arrives (so the node queues it), then
 * restored (its nonce is next, the node still holds it queued).
 */
class EvmStickerQueuedMintTest {
  private static final long CHAIN_ID = 31337;
  @TempDir static Path dir;
  static LocalEvmNode ganache;
  static EvmGateway chain;
  static TestNode node;
  static String signer;
  static String tipJar;
  static String creator;

  @BeforeAll
  static void start() throws Exception {
    Path root = NodeToolchain.require("ganache", "solc", "@openzeppelin/contracts");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.INSTANT, null);
    chain = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10));
    ECKeyPair deployer = Keys.createEcKeyPair();
    signer = Keys.toChecksumAddress(Keys.getAddress(deployer));
    fund(signer);
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.contracts.node-modules", root.resolve("node_modules").toString(),
        "mintline.contracts.workers", 1,
        "mintline.devnet.block-interval", "0s",
        "mintline.evm.networks.dev.rpc-url", ganache.url(),
        "mintline.evm.networks.dev.confirmations", 1,
        "mintline.evm.deploy-key", Numeric.toHexStringWithPrefixZeroPadded(deployer.getPrivateKey(), 64),
        "mintline.evm.listener.poll-interval", "200ms",
        "mintline.metrics.instrumentation", false));
    node = TestNode.start(config.withFallback(TestDatabases.h2(dir.resolve("h2"))));
    NodeHttpTest.awaitHealthy(node);
    ECKeyPair creatorKey = Keys.createEcKeyPair();
    creator = Keys.toChecksumAddress(Keys.getAddress(creatorKey));
    String token = EvmTipsHttpTest.evmLogin(node, creatorKey);
    HttpResponse<String> created = Creators.becomeCreator(node, token, "jar", Json.MAPPER.writeValueAsString(
        Map.of("displayName", "Queued", "chain", "evm", "network", "dev")));
    assertEquals(202, created.statusCode(), created.body());
    String id = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> d = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/deployments/" + id)))
          .header("Authorization", "Bearer " + token));
      JsonNode deployment = Json.MAPPER.readTree(d.body());
      assertNotEquals("failed", deployment.path("status").asText(), d.body());
      if ("active".equals(deployment.path("status").asText())) {
        tipJar = deployment.path("evm").path("contractAddress").asText();
        break;
      }
      Thread.sleep(200);
    }
    assertNotNull(tipJar, "the tip jar was not active in 150 s");
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
    if (chain != null) chain.close();
    if (ganache != null) ganache.close();
  }

  @Test
  void aMintTheNodeHoldsQueuedWhenItsNonceIsNextIsSentAgainAndMintedOnce() throws Exception {
    ECKeyPair fan = Keys.createEcKeyPair();
    String fanAddress = Keys.toChecksumAddress(Keys.getAddress(fan));
    fund(fanAddress);
    // The first sticker deploys the collection: the signer's transactions are then all mined.
    String first = tip(fan, 0);
    awaitStickers(fanAddress, 1, 150);
    long next = minedNonce();
    assertTrue(next >= 2, "tip jar and collection deployed, a sticker minted: " + next);

    rpc("evm_setAccountNonce", signer, "0x" + Long.toHexString(next - 1));
    String second = tip(fan, 1);
    String pool = awaitQueued(next, 60);
    rpc("evm_setAccountNonce", signer, "0x" + Long.toHexString(next));
    assertEquals(next, minedNonce(), "the held mint's nonce is the account's next");
    assertTrue(String.valueOf(rpc("txpool_content")).matches("(?s).*queued=\\{.*" + signer.toLowerCase(Locale.ROOT) + ".*"),
        "still queued after the nonce was restored: " + pool);

    long at = System.nanoTime();
    List<JsonNode> stickers = awaitStickers(fanAddress, 2, 30);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
    assertTrue(tookMs < 15_000, "minted " + tookMs + " ms after its nonce became next");
    List<String> tips = new ArrayList<>();
    stickers.forEach(s -> tips.add(s.path("tipTxId").asText()));
    assertTrue(tips.containsAll(List.of(tipId(first), tipId(second))), tips.toString());
    Thread.sleep(1_000);
    assertEquals(next + 1, minedNonce(), "one transaction for the sticker, mined once");
    assertEquals(2, awaitStickers(fanAddress, 2, 1).size());
    String collection = stickers.get(0).path("id").asText().split(":")[2];
    BigInteger tokenId = EvmStickerMinter.tokenId(EvmStickerMinter.TipId.parse(tipId(second)));
    Map<String, Object> filter = new LinkedHashMap<>();
    filter.put("fromBlock", "0x0");
    filter.put("toBlock", "latest");
    filter.put("address", collection);
    filter.put("topics", Arrays.asList(EvmStickerMinter.TRANSFER_TOPIC, "0x" + "0".repeat(64), null,
        Numeric.toHexStringWithPrefixZeroPadded(tokenId, 64)));
    assertEquals(1, ((List<?>) rpc("eth_getLogs", filter)).size(), "the token was minted once");
  }

  /** Waits until the node holds a transaction of the signer with nonce {@code nonce} as a future one; answers the pool. */
  static String awaitQueued(long nonce, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String pool = "";
    while (System.nanoTime() < deadline) {
      Object content = rpc("txpool_content");
      pool = String.valueOf(content);
      if (content instanceof Map<?, ?> m && m.get("queued") instanceof Map<?, ?> queued) {
        for (Map.Entry<?, ?> e : queued.entrySet()) {
          if (String.valueOf(e.getKey()).equalsIgnoreCase(signer) && e.getValue() instanceof Map<?, ?> byNonce
              && byNonce.containsKey(String.valueOf(nonce))) {
            return pool;
          }
        }
      }
      Thread.sleep(100);
    }
    return fail("the mint at nonce " + nonce + " did not arrive queued within " + seconds + " s: " + pool);
  }

  static List<JsonNode> awaitStickers(String fan, int count, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<JsonNode> items = new ArrayList<>();
    do {
      items.clear();
      HttpResponse<String> r = node.get("/api/v1/wallets/" + fan + "/stickers?limit=100");
      assertEquals(200, r.statusCode(), r.body());
      Json.MAPPER.readTree(r.body()).path("items").forEach(items::add);
      if (items.size() >= count) return items;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return fail(items.size() + " of " + count + " stickers of " + fan + " within " + seconds + " s; signer's mined nonce "
        + minedNonce() + ", pool " + rpc("txpool_content"));
  }

  /** A tip from {@code fan} at its nonce {@code nonce}; answers its hash once mined. */
  static String tip(ECKeyPair fan, long nonce) throws Exception {
    String data = FunctionEncoder.encode(new Function("tip", List.of(new Address(creator), new Utf8String("tip " + nonce)), List.of()));
    RawTransaction tx = RawTransaction.createTransaction(CHAIN_ID, BigInteger.valueOf(nonce), BigInteger.valueOf(200_000), tipJar,
        BigInteger.TEN.pow(15), data, BigInteger.ONE, BigInteger.valueOf(20_000_000_000L));
    String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, CHAIN_ID, Credentials.create(fan)));
    String hash = chain.sendRaw(raw, Hash.sha3(raw)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 0; i < 600; i++) {
      var receipt = chain.receipt(hash).toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (receipt.isPresent()) {
        assertTrue(receipt.get().succeeded(), "the tip reverted");
        return hash;
      }
      Thread.sleep(50);
    }
    return fail("no receipt for the tip " + hash);
  }

  static String tipId(String txHash) {
    return "evm:" + CHAIN_ID + ":" + txHash.toLowerCase(Locale.ROOT) + ":0";
  }

  static long minedNonce() throws Exception {
    return chain.minedNonce(signer).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact();
  }

  static Object rpc(String method, Object... params) throws Exception {
    return chain.raw(method, List.of(params)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void fund(String address) throws Exception {
    rpc("evm_setAccountBalance", address, "0x" + BigInteger.TEN.pow(24).toString(16));
  }
}
