package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import io.mintline.devnet.testing.Processes;

/**
 * EVM creators and tips end to end on a real local EVM node (ganache 7.9, the node's dev network
 * with 2 confirmations), a real node on PostgreSQL and solc-js: an EVM wallet logs in with SIWE and
 * becomes a creator by deploying its tip jar ({@code POST /api/v1/creators} with {@code chain evm});
 * 10 fans with ethers wallets tip it 10 times each and the EVM tip listener records exactly those
 * 100 tips on both sides, named by chain; reorganisations (ganache's evm_snapshot / evm_revert)
 * above and below the confirmation depth; both chains' listeners in the listener status and /health;
 * one creator on both chains (an Algorand TipProxy and a tip jar paying the EVM address it linked)
 * tipped on both at once, every sticker on the chain its tip came from.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvmTipsHttpTest {
  private static final long CHAIN_ID = 31337;
  private static final int CONFIRMATIONS = 2;
  @TempDir static Path dir;
  static Path root;
  static LocalEvmNode ganache;
  static EvmGateway chain;
  static Web3j web3;
  static TestNode node;
  static ECKeyPair creatorKey;
  static String creator;
  static String creatorToken;
  static String tipJar;

  @BeforeAll
  static void start() throws Exception {
    root = NodeToolchain.require("ganache", "solc", "@openzeppelin/contracts", "ethers");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.INSTANT, null);
    chain = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10));
    web3 = Web3j.build(new HttpService(ganache.url()));
    Credentials deployer = Credentials.create(Keys.createEcKeyPair());
    fund(deployer.getAddress());
    Config config = nodeConfig(root, ganache, CONFIRMATIONS, deployer);
    node = TestNode.start(config.withFallback(TestDatabases.postgres()).withFallback(TestDatabases.h2(dir.resolve("h2"))));
    NodeHttpTest.awaitHealthy(node);
    creatorKey = Keys.createEcKeyPair();
    creator = Keys.toChecksumAddress(Keys.getAddress(creatorKey));
    creatorToken = evmLogin(creatorKey);
  }

  /**
   * The node's settings for an EVM test on its own ganache: the dev network on it with
   * {@code confirmations}, {@code deployer} as the platform's deploy key, a 200 ms listener poll.
   */
  static Config nodeConfig(Path root, LocalEvmNode ganache, int confirmations, Credentials deployer) {
    return ConfigFactory.parseMap(Map.of(
        "mintline.contracts.node-modules", root.resolve("node_modules").toString(),
        "mintline.contracts.workers", 1,
        "mintline.devnet.block-interval", "0s",
        "mintline.evm.networks.dev.rpc-url", ganache.url(),
        "mintline.evm.networks.dev.confirmations", confirmations,
        "mintline.evm.deploy-key", org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(deployer.getEcKeyPair().getPrivateKey(), 64),
        "mintline.evm.listener.poll-interval", "200ms",
        // Kanela cannot instrument the PostgreSQL driver once this JVM loaded it (see EvmDeploymentHttpTest).
        "mintline.metrics.instrumentation", false));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
    if (web3 != null) web3.shutdown();
    if (chain != null) chain.close();
    if (ganache != null) ganache.close();
  }

  static void fund(String address) throws Exception {
    chain.raw("evm_setAccountBalance", List.of(address, "0x" + BigInteger.TEN.pow(24).toString(16)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void mine() throws Exception {
    chain.raw("evm_mine", List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static long head() throws Exception {
    return chain.blockNumber().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** SIWE: the node's login message signed with EIP-191 by {@code key}; answers the access token. */
  static String evmLogin(ECKeyPair key) throws Exception {
    return evmLogin(node, key);
  }

  /** SIWE on {@code node}: its login message signed with EIP-191 by {@code key}; answers the access token. */
  static String evmLogin(TestNode node, ECKeyPair key) throws Exception {
    String address = Keys.toChecksumAddress(Keys.getAddress(key));
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    HttpResponse<String> tokens = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", AuthHttpTest.evmSign(key, message))))));
    assertEquals(200, tokens.statusCode(), tokens.body());
    return Json.MAPPER.readTree(tokens.body()).path("accessToken").asText();
  }

  /** POST /api/v1/creators as a client does (see {@link Creators#becomeCreator}). */
  static HttpResponse<String> becomeCreator(String token, String key, Object body) throws Exception {
    return Creators.becomeCreator(node, token, key, Json.MAPPER.writeValueAsString(body));
  }

  static JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = Creators.get(node, token, path);
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /** Every tip of {@code wallet} on the read side, all pages. */
  static List<JsonNode> tips(String wallet) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = get(creatorToken, "/api/v1/wallets/" + wallet + "/tips?limit=500" + (after == null ? "" : "&after=" + after));
      page.path("items").forEach(all::add);
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return all;
  }

  static List<JsonNode> awaitTips(String wallet, Predicate<List<JsonNode>> done, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<JsonNode> last = List.of();
    while (System.nanoTime() < deadline) {
      last = tips(wallet);
      if (done.test(last)) return last;
      Thread.sleep(200);
    }
    fail(what + " not seen within 60 s; tips of " + wallet + ": " + last.size() + "; listener: " + evmListener());
    return last;
  }

  static JsonNode evmListener() throws Exception {
    for (JsonNode l : Json.MAPPER.readTree(node.get("/api/v1/listener/status").body()).path("listeners")) {
      if ("evm".equals(l.path("chain").asText()) && "dev".equals(l.path("network").asText())) return l;
    }
    return fail("no EVM listener for dev in /api/v1/listener/status");
  }

  /** Waits until the EVM listener has read every block deep enough now. */
  static JsonNode awaitListenerAt(long safeBlock) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = evmListener();
      if (last.path("block").asLong() >= safeBlock) return last;
      Thread.sleep(100);
    }
    return fail("the EVM listener did not reach block " + safeBlock + ": " + last);
  }

  static String tip(Credentials fan, String memo) throws Exception {
    // The fan's next nonce from the latest block: after evm_revert, ganache 7.9's pending count can
    // still include a reverted transaction, and a tip sent at that nonce waits queued for ever.
    RawTransactionManager tx = new RawTransactionManager(web3, fan, CHAIN_ID) {
      @Override
      protected BigInteger getNonce() throws java.io.IOException {
        return web3.ethGetTransactionCount(fan.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
            .getTransactionCount();
      }
    };
    var sent = tx.sendTransaction(BigInteger.valueOf(10_000_000_000L), BigInteger.valueOf(200_000), tipJar,
        FunctionEncoder.encode(new Function("tip", List.of(new Address(creator), new Utf8String(memo)), List.of())),
        BigInteger.TEN.pow(15));
    assertFalse(sent.hasError(), () -> sent.getError().getMessage());
    for (int i = 0; i < 400; i++) {
      var r = web3.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt();
      if (r.isPresent()) {
        assertTrue(r.get().isStatusOK(), "the tip reverted");
        return sent.getTransactionHash();
      }
      // Ganache 7.9 under load may leave a transaction in its pool until the next one (see tip-burst.mjs).
      if (i > 0 && i % 40 == 0) mine();
      Thread.sleep(50);
    }
    return fail("no receipt for " + sent.getTransactionHash());
  }

  /** Every sticker of {@code wallet}, all pages. */
  static List<JsonNode> stickers(String wallet) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = get(creatorToken, "/api/v1/wallets/" + wallet + "/stickers?limit=100" + (after == null ? "" : "&after=" + after));
      page.path("items").forEach(all::add);
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return all;
  }

  /** Waits (mining a block now and then: mints are recorded once 2 blocks deep) until each wallet has {@code each} stickers. */
  static Map<String, List<JsonNode>> awaitStickers(List<String> wallets, int each) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Map<String, List<JsonNode>> by = new HashMap<>();
    while (System.nanoTime() < deadline) {
      by.clear();
      boolean done = true;
      for (String w : wallets) {
        List<JsonNode> s = stickers(w);
        by.put(w, s);
        done &= s.size() >= each;
      }
      if (done) return by;
      mine();
      Thread.sleep(200);
    }
    return fail("stickers not minted within 90 s: " + by.values().stream().mapToInt(List::size).sum() + " of "
        + wallets.size() * each + "; listener " + evmListener());
  }

  static String ethCall(String to, String from, Function function) throws Exception {
    var result = web3.ethCall(org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(from, to,
        FunctionEncoder.encode(function)), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send();
    return result.hasError() ? "revert: " + result.getError().getMessage() : result.getValue();
  }

  static BigInteger expectedTokenId(String txHash, int n) {
    return expectedTokenId(CHAIN_ID, txHash, n);
  }

  /** The sticker's token id of tip {@code evm:<chainId>:<txHash>:<n>}: keccak256(chainId, txHash, n). */
  static BigInteger expectedTokenId(long chainId, String txHash, int n) {
    byte[] packed = new byte[96];
    System.arraycopy(org.web3j.utils.Numeric.toBytesPadded(BigInteger.valueOf(chainId), 32), 0, packed, 0, 32);
    System.arraycopy(org.web3j.utils.Numeric.hexStringToByteArray(txHash), 0, packed, 32, 32);
    System.arraycopy(org.web3j.utils.Numeric.toBytesPadded(BigInteger.valueOf(n), 32), 0, packed, 64, 32);
    return new BigInteger(1, org.web3j.crypto.Hash.sha3(packed));
  }

  static String tipId(String txHash) {
    return "evm:" + CHAIN_ID + ":" + txHash.toLowerCase(java.util.Locale.ROOT) + ":0";
  }

  @Test
  @Order(1)
  void anEvmWalletBecomesACreatorByDeployingItsTipJar() throws Exception {
    String algorandToken = Creators.login(node, new Account());
    // Bad input: clear 4xx, each naming what is wrong.
    NodeHttpTest.assertErrorJson(becomeCreator(creatorToken, "k1", Map.of("displayName", "Jar", "chain", "solana")), 400,
        "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(creatorToken, "k1", Map.of("displayName", "Jar", "chain", "evm")), 400,
        "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(creatorToken, "k1", Map.of("displayName", "Jar", "chain", "evm", "network", "nope")),
        400, "network_not_allowed");
    NodeHttpTest.assertErrorJson(becomeCreator(algorandToken, "k1", Map.of("displayName", "Jar", "chain", "evm", "network", "dev")),
        400, "invalid_address");
    NodeHttpTest.assertErrorJson(becomeCreator(creatorToken, "k1", Map.of("displayName", "Jar")), 400, "invalid_address");

    HttpResponse<String> first = becomeCreator(creatorToken, "jar-1", Map.of("displayName", "Jar Creator", "chain", "evm", "network", "dev"));
    assertEquals(202, first.statusCode(), first.body());
    JsonNode accepted = Json.MAPPER.readTree(first.body());
    assertEquals("evm", accepted.path("chain").asText());
    assertEquals("dev", accepted.path("network").asText());
    String id = accepted.path("deploymentId").asText();
    // One tip jar per wallet and network, whatever the key.
    HttpResponse<String> again = becomeCreator(creatorToken, "jar-2", Map.of("displayName", "Jar Creator", "chain", "evm", "network", "dev"));
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(id, Json.MAPPER.readTree(again.body()).path("deploymentId").asText());

    JsonNode active = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      active = get(creatorToken, "/api/v1/deployments/" + id);
      assertNotEquals("failed", active.path("status").asText(), active.toString());
      if ("active".equals(active.path("status").asText())) break;
      mine(); // 2 confirmations: a block on top of the deployment's
      Thread.sleep(200);
    }
    assertEquals("active", active.path("status").asText(), String.valueOf(active));
    assertEquals("tipjar", active.path("kind").asText());
    tipJar = active.path("evm").path("contractAddress").asText();
    assertTrue(tipJar.startsWith("0x") && tipJar.length() == 42, tipJar);
    assertTrue(chain.code(tipJar).toCompletableFuture().get(10, TimeUnit.SECONDS).length() > 2, "the tip jar's code is on chain");

    JsonNode wallet = null;
    for (int i = 0; i < 100; i++) {
      wallet = get(creatorToken, "/api/v1/wallets/" + creator);
      if (wallet.path("tipJars").size() == 1) break;
      Thread.sleep(100);
    }
    assertEquals("CREATOR", wallet.path("role").asText(), wallet.toString());
    assertEquals("dev", wallet.path("tipJars").get(0).path("network").asText());
    assertEquals(tipJar, wallet.path("tipJars").get(0).path("address").asText());
    assertEquals(creator, wallet.path("tipJars").get(0).path("payee").asText(), "an EVM creator's jar pays the creator");
  }

  @Test
  @Order(2)
  void tenFansTippingTenTimesFromEthersAreRecordedExactlyOnce() throws Exception {
    ProcessBuilder js = new ProcessBuilder("node", "http-api/src/test/js-evm-tips/tip-burst.mjs")
        .directory(root.toFile()).redirectErrorStream(false);
    js.environment().put("EVM_RPC_URL", ganache.url());
    js.environment().put("TIP_JAR", tipJar);
    js.environment().put("CREATOR", creator);
    js.environment().put("FANS", "10");
    js.environment().put("TIPS", "10");
    js.environment().put("TIP_WEI", "1000000000000000");
    Processes.Finished process = Processes.run(js.redirectError(ProcessBuilder.Redirect.INHERIT), Duration.ofMinutes(2));
    String out = process.output();
    assertEquals(0, process.exitValue(), out);
    JsonNode burst = Json.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    assertEquals(100, burst.path("txs").size());
    mine(); // the last tips' blocks need one block on top
    awaitListenerAt(head() - CONFIRMATIONS + 1);

    Set<String> expected = new HashSet<>();
    burst.path("txs").forEach(h -> expected.add(tipId(h.asText())));
    List<JsonNode> received = awaitTips(creator, t -> t.size() >= 100, "100 received tips");
    Set<String> ids = new HashSet<>();
    for (JsonNode t : received) {
      assertEquals("evm", t.path("chain").asText(), t.toString());
      assertEquals("received", t.path("direction").asText());
      assertEquals(1_000_000_000_000_000L, t.path("amount").asLong());
      assertTrue(ids.add(t.path("txId").asText()), "a tip listed twice: " + t);
    }
    assertEquals(expected, ids, "exactly the 100 tips sent, each once");
    for (JsonNode fan : burst.path("fans")) {
      List<JsonNode> sent = tips(fan.asText());
      assertEquals(10, sent.size(), fan + ": " + sent);
      sent.forEach(t -> assertEquals("sent", t.path("direction").asText()));
    }
    JsonNode status = evmListener();
    assertTrue(status.path("tipsSeen").asLong() >= 100, status.toString());
    assertEquals(1, status.path("watchedTipJars").asInt(), status.toString());
    assertEquals("following", status.path("state").asText(), status.toString());
    // Pages of EVM tips are keyset paged like Algorand ones.
    JsonNode page = get(creatorToken, "/api/v1/wallets/" + creator + "/tips?limit=30");
    assertEquals(30, page.path("items").size());
    JsonNode next = get(creatorToken, "/api/v1/wallets/" + creator + "/tips?limit=30&after=" + page.path("next").asText());
    assertEquals(30, next.path("items").size());
    assertNotEquals(page.path("items").get(0).path("txId"), next.path("items").get(0).path("txId"));

    // Stickers: one ERC-5192 token per tip on the network's collection, owned by its fan, locked,
    // never moving, listed by the API, its draw recomputable from the tip's block hash.
    List<String> fans = new ArrayList<>();
    burst.path("fans").forEach(f -> fans.add(f.asText()));
    Map<String, List<JsonNode>> byFan = awaitStickers(fans, 10);
    Map<String, String> txByTipId = new HashMap<>();
    burst.path("txs").forEach(h -> txByTipId.put(tipId(h.asText()), h.asText()));
    Set<String> collections = new HashSet<>();
    Set<String> stickered = new HashSet<>();
    String stranger = Keys.toChecksumAddress(Keys.getAddress(Keys.createEcKeyPair()));
    for (String fan : fans) {
      assertEquals(10, byFan.get(fan).size(), fan + ": " + byFan.get(fan));
      for (JsonNode sticker : byFan.get(fan)) {
        assertEquals("evm", sticker.path("chain").asText(), sticker.toString());
        assertTrue(sticker.path("assetId").isNull(), sticker.toString());
        String tip = sticker.path("tipTxId").asText();
        assertTrue(stickered.add(tip), "one sticker per tip: " + tip);
        String txHash = txByTipId.get(tip);
        assertNotNull(txHash, "a sticker for a tip that was sent: " + tip);
        BigInteger tokenId = new BigInteger(sticker.path("tokenId").asText());
        assertEquals(expectedTokenId(txHash, 0), tokenId, "token id = keccak256(chainId, txHash, n)");
        String collection = sticker.path("collection").asText();
        collections.add(collection);
        assertEquals("evm:" + CHAIN_ID + ":" + collection + ":" + tokenId, sticker.path("id").asText());
        String owner = ethCall(collection, fan, new Function("ownerOf", List.of(new org.web3j.abi.datatypes.generated.Uint256(tokenId)),
            List.of()));
        assertTrue(owner.toLowerCase().endsWith(fan.substring(2).toLowerCase()), "owned by the fan: " + owner);
        String locked = ethCall(collection, fan, new Function("locked", List.of(new org.web3j.abi.datatypes.generated.Uint256(tokenId)),
            List.of()));
        assertEquals(BigInteger.ONE, org.web3j.utils.Numeric.toBigInt(locked), "locked (ERC-5192)");
        String moved = ethCall(collection, fan, new Function("transferFrom", List.of(new Address(fan), new Address(stranger),
            new org.web3j.abi.datatypes.generated.Uint256(tokenId)), List.of()));
        assertTrue(moved.startsWith("revert"), "a transfer reverts: " + moved);
      }
    }
    assertEquals(expected, stickered, "a sticker for every tip");
    assertEquals(1, collections.size(), "one collection per network: " + collections);
    // The draws recompute: keccak256(blockHash of the tip's block ‖ tokenId) mod 10000 against the threshold.
    for (JsonNode sticker : byFan.get(fans.get(0))) {
      JsonNode draw = get(creatorToken, "/api/v1/stickers/" + sticker.path("id").asText() + "/draw");
      String blockHash = web3.ethGetTransactionReceipt(txByTipId.get(sticker.path("tipTxId").asText())).send()
          .getTransactionReceipt().orElseThrow().getBlockHash();
      assertEquals(blockHash.toLowerCase(), draw.path("blockHash").asText());
      byte[] input = new byte[64];
      System.arraycopy(org.web3j.utils.Numeric.hexStringToByteArray(blockHash), 0, input, 0, 32);
      System.arraycopy(org.web3j.utils.Numeric.toBytesPadded(new BigInteger(sticker.path("tokenId").asText()), 32), 0, input, 32, 32);
      int value = new BigInteger(1, org.web3j.crypto.Hash.sha3(input)).mod(BigInteger.valueOf(10_000)).intValueExact();
      assertEquals(value, draw.path("value").asInt(), draw.toString());
      assertEquals(value < draw.path("threshold").asInt(), draw.path("result").asBoolean());
      assertEquals(draw.path("result").asBoolean(), draw.path("recordedGolden").asBoolean());
      assertEquals(sticker.path("golden").asBoolean(), draw.path("recordedGolden").asBoolean());
    }
    // On chain: exactly one Transfer from the zero address per token id.
    assertEquals(100, mintsPerToken(collections.iterator().next()).size());
    mintsPerToken(collections.iterator().next()).forEach((token, count) -> assertEquals(1, count, "token " + token + " minted once"));
  }

  /** Transfer events from the zero address on {@code collection}, counted per token id. */
  static Map<String, Integer> mintsPerToken(String collection) throws Exception {
    return mintsPerToken(chain, collection);
  }

  /** Transfer events from the zero address on {@code collection} of {@code chain}, counted per token id (0x-hex, 32 bytes). */
  static Map<String, Integer> mintsPerToken(EvmGateway chain, String collection) throws Exception {
    Object logs = chain.raw("eth_getLogs", List.of(Map.of("fromBlock", "0x0", "toBlock", "latest", "address", collection,
        "topics", List.of(org.web3j.crypto.Hash.sha3String("Transfer(address,address,uint256)"), "0x" + "0".repeat(64)))))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, Integer> counts = new HashMap<>();
    for (Object l : (List<?>) logs) {
      List<?> topics = (List<?>) ((Map<?, ?>) l).get("topics");
      counts.merge(String.valueOf(topics.get(3)), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  @Order(3)
  void aTipRevertedBeforeItsConfirmationDepthGetsNoSticker() throws Exception {
    Credentials fan = Credentials.create(Keys.createEcKeyPair());
    fund(fan.getAddress());
    String fanAddress = Keys.toChecksumAddress(fan.getAddress());

    // Not yet deep enough: the listener never reads the block, and the revert removes the tip.
    String snapshot = String.valueOf(chain.raw("evm_snapshot", List.of()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    String shallow = tip(fan, "shallow");
    Thread.sleep(1000); // several listener cycles with the tip one block short of the depth
    assertTrue(tips(fanAddress).isEmpty(), "a tip one confirmation short is not read yet");
    assertEquals(Boolean.TRUE, chain.raw("evm_revert", List.of(snapshot)).toCompletableFuture().get(10, TimeUnit.SECONDS));
    String kept = tip(fan, "kept");
    mine();
    awaitListenerAt(head() - CONFIRMATIONS + 1);
    List<JsonNode> afterShallow = awaitTips(fanAddress, t -> t.size() == 1, "the re-sent tip");
    assertEquals(tipId(kept), afterShallow.get(0).path("txId").asText());
    assertNotEquals(tipId(shallow), tipId(kept));

    // The deeper case (tips read and minted, then their blocks replaced) is EvmReorgHttpTest.
    List<JsonNode> fanStickers = awaitStickers(List.of(fanAddress), 1).get(fanAddress);
    for (int i = 0; i < 10; i++) {
      mine();
      Thread.sleep(150);
    }
    fanStickers = stickers(fanAddress);
    Set<String> stickeredTips = new HashSet<>();
    fanStickers.forEach(st -> stickeredTips.add(st.path("tipTxId").asText()));
    assertEquals(Set.of(tipId(kept)), stickeredTips, "a sticker for the kept tip only, none for the reverted one: " + fanStickers);
    Map<String, Integer> mints = mintsPerToken(fanStickers.get(0).path("collection").asText());
    assertFalse(mints.containsKey("0x" + String.format("%064x", expectedTokenId(shallow, 0))), "no token for the shallow tip");
  }

  @Test
  @Order(4)
  void bothChainsListenersAreInTheStatusAndHealth() throws Exception {
    JsonNode status = Json.MAPPER.readTree(node.get("/api/v1/listener/status").body());
    Set<String> chains = new HashSet<>();
    status.path("listeners").forEach(l -> chains.add(l.path("chain").asText()));
    assertEquals(Set.of("algorand", "evm"), chains, status.toString());
    JsonNode health = NodeHttpTest.awaitHealthy(node);
    JsonNode listener = health.path("checks").path("listener");
    assertTrue(listener.path("ok").asBoolean(), health.toString());
    assertEquals("dev", listener.path("evm").get(0).path("network").asText(), health.toString());
    assertTrue(listener.path("evm").get(0).path("ok").asBoolean(), health.toString());
  }

  /** SIWE login message of {@code key}'s address signed by {@code signer}: a proof (or a forged one) of that address. */
  static Map<String, String> evmProof(ECKeyPair key, ECKeyPair signer) throws Exception {
    String address = Keys.toChecksumAddress(Keys.getAddress(key));
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    return Map.of("address", address, "message", message, "signature", AuthHttpTest.evmSign(signer, message));
  }

  /**
   * Acceptance 4: one creator (an Algorand wallet with its TipProxy) links an EVM address with a
   * SIWE-signed proof and deploys a tip jar paying it; Algorand fans (algosdk) and EVM fans (ethers)
   * tip it at the same time; every tip is the one creator's, and every fan gets its sticker on the
   * chain it tipped on, none lost, none twice.
   */
  @Test
  @Order(5)
  void oneCreatorTakesTipsOnBothChainsAndEveryStickerLandsOnItsOwnChain() throws Exception {
    Account ann = new Account();
    String annAddress = ann.getAddress().toString();
    String annToken = Creators.login(node, ann);
    HttpResponse<String> algo = becomeCreator(annToken, "ann-algorand", Map.of("displayName", "Ann"));
    assertEquals(202, algo.statusCode(), algo.body());
    JsonNode proxy = Creators.awaitActive(node, annToken, Json.MAPPER.readTree(algo.body()).path("deploymentId").asText());
    String appAddress = proxy.path("appAddress").asText();

    ECKeyPair annEvmKey = Keys.createEcKeyPair();
    String annEvm = Keys.toChecksumAddress(Keys.getAddress(annEvmKey));
    // A proof signed by another key, a proof with chain algorand, a proof from an EVM login: refused.
    NodeHttpTest.assertErrorJson(becomeCreator(annToken, "ann-evm", Map.of("displayName", "Ann", "chain", "evm", "network", "dev",
        "evmProof", evmProof(annEvmKey, Keys.createEcKeyPair()))), 401, "invalid_signature");
    NodeHttpTest.assertErrorJson(becomeCreator(annToken, "ann-evm", Map.of("displayName", "Ann", "evmProof",
        evmProof(annEvmKey, annEvmKey))), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(becomeCreator(creatorToken, "ann-evm", Map.of("displayName", "Ann", "chain", "evm", "network", "dev",
        "evmProof", evmProof(annEvmKey, annEvmKey))), 400, "invalid_parameter");
    Map<String, String> proof = evmProof(annEvmKey, annEvmKey);
    HttpResponse<String> linked = becomeCreator(annToken, "ann-evm", Map.of("displayName", "Ann", "chain", "evm", "network", "dev",
        "evmProof", proof));
    assertEquals(202, linked.statusCode(), linked.body());
    String jarDeployment = Json.MAPPER.readTree(linked.body()).path("deploymentId").asText();
    // A repeat answers the same deployment; the spent proof is not checked again.
    HttpResponse<String> repeat = becomeCreator(annToken, "ann-evm-2", Map.of("displayName", "Ann", "chain", "evm", "network", "dev",
        "evmProof", proof));
    assertEquals(200, repeat.statusCode(), repeat.body());
    assertEquals(jarDeployment, Json.MAPPER.readTree(repeat.body()).path("deploymentId").asText());
    JsonNode jar = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      jar = get(annToken, "/api/v1/deployments/" + jarDeployment);
      assertNotEquals("failed", jar.path("status").asText(), jar.toString());
      if ("active".equals(jar.path("status").asText())) break;
      mine();
      Thread.sleep(200);
    }
    assertEquals("active", jar.path("status").asText(), String.valueOf(jar));
    assertEquals(annAddress, jar.path("owner").asText());
    String annJar = jar.path("evm").path("contractAddress").asText();
    JsonNode wallet = null;
    for (int i = 0; i < 100; i++) {
      wallet = get(annToken, "/api/v1/wallets/" + annAddress);
      if (wallet.path("tipJars").size() == 1) break;
      Thread.sleep(100);
    }
    assertEquals("CREATOR", wallet.path("role").asText(), wallet.toString());
    assertEquals(proxy.path("appId").asLong(), wallet.path("appId").asLong(), "still the Algorand creator: " + wallet);
    assertEquals(annJar, wallet.path("tipJars").get(0).path("address").asText(), wallet.toString());
    assertEquals(annEvm, wallet.path("tipJars").get(0).path("payee").asText(), wallet.toString());

    // Both chains at once: 3 ethers fans x 3 tips into the jar while 3 algosdk fans x 3 tips pay the TipProxy.
    ProcessBuilder js = new ProcessBuilder("node", "http-api/src/test/js-evm-tips/tip-burst.mjs").directory(root.toFile());
    js.environment().put("EVM_RPC_URL", ganache.url());
    js.environment().put("TIP_JAR", annJar);
    js.environment().put("CREATOR", annEvm);
    js.environment().put("FANS", "3");
    js.environment().put("TIPS", "3");
    js.environment().put("TIP_WEI", "1000000000000000");
    Process burst = js.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var algod = io.mintline.deploy.algorand.AlgorandGenesis.client(node.node.devnet().url(), node.node.devnet().apiToken());
    List<Account> algoFans = List.of(new Account(), new Account(), new Account());
    for (Account fan : algoFans) AuthHttpTest.awaitConfirmed(algod, node.node.devnet().fund(fan.getAddress().toString(), 20_000_000));
    Set<String> algoTips = new HashSet<>();
    for (int t = 0; t < 3; t++) {
      for (Account fan : algoFans) {
        var tx = com.algorand.algosdk.transaction.Transaction.PaymentTransactionBuilder().sender(fan.getAddress())
            .receiver(new com.algorand.algosdk.crypto.Address(appAddress)).amount(1_000_000)
            .note(("tip " + t).getBytes(StandardCharsets.UTF_8)).suggestedParams(algod.TransactionParams().execute().body()).build();
        var sent = algod.RawTransaction().rawtxn(com.algorand.algosdk.util.Encoder.encodeToMsgPack(fan.signTransaction(tx))).execute();
        assertTrue(sent.isSuccessful(), sent.message());
        algoTips.add(sent.body().txId);
      }
    }
    String out = new String(burst.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(burst.waitFor(2, TimeUnit.MINUTES), "the ethers tip burst did not finish");
    assertEquals(0, burst.exitValue(), out);
    JsonNode evmBurst = Json.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    Set<String> evmTips = new HashSet<>();
    evmBurst.path("txs").forEach(h -> evmTips.add(tipId(h.asText())));
    assertEquals(9, evmTips.size());
    mine();

    // Every tip is the one creator's, named by its chain.
    List<JsonNode> received = awaitTips(annAddress, t -> t.size() >= 18, "18 tips on both chains");
    Map<String, Set<String>> byChain = new HashMap<>();
    for (JsonNode t : received) {
      assertEquals("received", t.path("direction").asText(), t.toString());
      assertTrue(byChain.computeIfAbsent(t.path("chain").asText(), c -> new HashSet<>()).add(t.path("txId").asText()), "listed twice: " + t);
    }
    assertEquals(Map.of("algorand", algoTips, "evm", evmTips), byChain);
    assertTrue(tips(annEvm).isEmpty(), "the linked EVM address is not a second creator");

    // Every sticker on its own chain: ERC-5192 tokens for the EVM fans, Algorand assets for the others.
    List<String> evmFans = new ArrayList<>();
    evmBurst.path("fans").forEach(f -> evmFans.add(f.asText()));
    List<String> algoFanAddresses = algoFans.stream().map(a -> a.getAddress().toString()).toList();
    List<String> everyFan = new ArrayList<>(evmFans);
    everyFan.addAll(algoFanAddresses);
    Map<String, List<JsonNode>> stickers = awaitStickers(everyFan, 3);
    Set<String> evmStickered = new HashSet<>();
    Set<String> algoStickered = new HashSet<>();
    String collection = null;
    for (String fan : evmFans) {
      assertEquals(3, stickers.get(fan).size(), fan + ": " + stickers.get(fan));
      for (JsonNode st : stickers.get(fan)) {
        assertEquals("evm", st.path("chain").asText(), st.toString());
        assertTrue(evmStickered.add(st.path("tipTxId").asText()), "one sticker per tip: " + st);
        collection = st.path("collection").asText();
        BigInteger tokenId = new BigInteger(st.path("tokenId").asText());
        String owner = ethCall(collection, fan, new Function("ownerOf", List.of(new org.web3j.abi.datatypes.generated.Uint256(tokenId)),
            List.of()));
        assertTrue(owner.toLowerCase().endsWith(fan.substring(2).toLowerCase()), "owned by the fan on chain: " + owner);
      }
    }
    assertEquals(evmTips, evmStickered);
    Map<String, Integer> mints = mintsPerToken(collection);
    for (String tip : evmTips) {
      String txHash = tip.split(":")[2];
      assertEquals(1, mints.get("0x" + String.format("%064x", expectedTokenId(txHash, 0))), "minted once on chain: " + tip);
    }
    for (String fan : algoFanAddresses) {
      assertEquals(3, stickers.get(fan).size(), fan + ": " + stickers.get(fan));
      for (JsonNode st : stickers.get(fan)) {
        assertEquals("algorand", st.path("chain").asText(), st.toString());
        assertTrue(algoStickered.add(st.path("tipTxId").asText()), "one sticker per tip: " + st);
        var asset = algod.GetAssetByID(st.path("assetId").asLong()).execute();
        assertTrue(asset.isSuccessful(), "the sticker's asset is on the Algorand chain: " + st);
        assertEquals("1", String.valueOf(asset.body().params.total), "a sticker is an asset of total 1");
      }
    }
    assertEquals(algoTips, algoStickered);
  }
}
