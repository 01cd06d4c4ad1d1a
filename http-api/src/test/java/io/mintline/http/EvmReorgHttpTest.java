package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * Acceptance 3 of issue 19: reorganisations of blocks holding EVM tips, on a real local EVM node
 * (ganache 7.9, 2 confirmations) and a real node on PostgreSQL.
 *
 * <p>Deeper than the confirmations: two fans tip, the listener reads the tips and the node mints
 * and lists their stickers; then {@code evm_revert} to a snapshot taken before the tips, and a new,
 * longer chain that includes one of the tips again (the same signed transaction sent again) and not
 * the other. On the final chain (and in the API) there must be exactly one sticker for the tip it
 * includes, owned by its fan, and none for the other; the tip lists must match the final chain.
 * Within the confirmations: a tip reverted before it is deep enough is never read, a tip sent after
 * the revert is; a mint reverted before it is deep enough is sent again (one sticker); nothing about
 * the earlier tips changes.
 */
class EvmReorgHttpTest {
  private static final long CHAIN_ID = 31337;
  private static final int CONFIRMATIONS = 2;
  @TempDir static Path dir;
  static Path root;
  static LocalEvmNode ganache;
  static EvmGateway chain;
  static Web3j web3;
  static TestNode node;
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
    Config config = EvmTipsHttpTest.nodeConfig(root, ganache, CONFIRMATIONS, deployer);
    node = TestNode.start(config.withFallback(TestDatabases.postgres()).withFallback(TestDatabases.h2(dir.resolve("h2"))));
    NodeHttpTest.awaitHealthy(node);
    ECKeyPair creatorKey = Keys.createEcKeyPair();
    creator = Keys.toChecksumAddress(Keys.getAddress(creatorKey));
    creatorToken = EvmTipsHttpTest.evmLogin(node, creatorKey);
    tipJar = deployTipJar();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
    if (web3 != null) web3.shutdown();
    if (chain != null) chain.close();
    if (ganache != null) ganache.close();
  }

  // ---- the chain ----

  static Object rpc(String method, List<?> params) throws Exception {
    return chain.raw(method, params).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void fund(String address) throws Exception {
    rpc("evm_setAccountBalance", List.of(address, "0x" + BigInteger.TEN.pow(24).toString(16)));
  }

  static void mine() throws Exception {
    rpc("evm_mine", List.of());
  }

  static long head() throws Exception {
    return chain.blockNumber().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A tip from {@code fan}, signed (legacy transaction, the fan's next nonce of the latest block) but not sent: its raw hex. */
  static String signTip(Credentials fan, String memo) throws Exception {
    BigInteger nonce = web3.ethGetTransactionCount(fan.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
    RawTransaction tx = RawTransaction.createTransaction(nonce, BigInteger.valueOf(10_000_000_000L), BigInteger.valueOf(200_000),
        tipJar, BigInteger.TEN.pow(15),
        FunctionEncoder.encode(new Function("tip", List.of(new Address(creator), new Utf8String(memo)), List.of())));
    return Numeric.toHexString(TransactionEncoder.signMessage(tx, CHAIN_ID, fan));
  }

  /** Sends a signed transaction and waits for its (successful) receipt; answers its hash. */
  static String send(String rawHex) throws Exception {
    var sent = web3.ethSendRawTransaction(rawHex).send();
    assertFalse(sent.hasError(), () -> sent.getError().getMessage());
    String hash = sent.getTransactionHash();
    for (int i = 0; i < 400; i++) {
      var r = web3.ethGetTransactionReceipt(hash).send().getTransactionReceipt();
      if (r.isPresent()) {
        assertTrue(r.get().isStatusOK(), "the tip reverted");
        return hash;
      }
      if (i > 0 && i % 40 == 0) mine();
      Thread.sleep(50);
    }
    return fail("no receipt for " + hash);
  }

  /** The block the chain has {@code txHash} in now, or -1 when it does not have it. */
  static long blockOf(String txHash) throws Exception {
    return web3.ethGetTransactionReceipt(txHash).send().getTransactionReceipt().map(r -> r.getBlockNumber().longValueExact()).orElse(-1L);
  }

  static BigInteger tokenId(String txHash) {
    return EvmTipsHttpTest.expectedTokenId(CHAIN_ID, txHash, 0);
  }

  static String tokenTopic(String txHash) {
    return "0x" + String.format("%064x", tokenId(txHash));
  }

  // ---- the API ----

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = Creators.get(node, creatorToken, path);
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  static List<JsonNode> all(String path) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = get(path + (after == null ? "" : "&after=" + after));
      page.path("items").forEach(all::add);
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return all;
  }

  /** The tip ids {@code wallet} lists. */
  static Set<String> tipIds(String wallet) throws Exception {
    Set<String> ids = new HashSet<>();
    List<JsonNode> tips = all("/api/v1/wallets/" + wallet + "/tips?limit=500");
    for (JsonNode t : tips) assertTrue(ids.add(t.path("txId").asText()), "a tip listed twice: " + tips);
    return ids;
  }

  /** The stickers {@code wallet} lists, by tip id (a tip with two stickers fails). */
  static Map<String, JsonNode> stickersByTip(String wallet) throws Exception {
    Map<String, JsonNode> by = new java.util.HashMap<>();
    List<JsonNode> stickers = all("/api/v1/wallets/" + wallet + "/stickers?limit=100");
    for (JsonNode s : stickers) assertNull(by.put(s.path("tipTxId").asText(), s), "two stickers for one tip: " + stickers);
    return by;
  }

  static String tipId(String txHash) {
    return "evm:" + CHAIN_ID + ":" + txHash.toLowerCase(Locale.ROOT) + ":0";
  }

  static JsonNode evmListener() throws Exception {
    for (JsonNode l : Json.MAPPER.readTree(node.get("/api/v1/listener/status").body()).path("listeners")) {
      if ("evm".equals(l.path("chain").asText()) && "dev".equals(l.path("network").asText())) return l;
    }
    return fail("no EVM listener for dev in /api/v1/listener/status");
  }

  /** Mines a block now and then (mints are listed once 2 blocks deep) until {@code done} holds; fails after 180 s. */
  static void await(String what, Predicate<Void> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (done.test(null)) return;
      mine();
      Thread.sleep(250);
    }
    fail(what + " not seen within 180 s; listener " + evmListener());
  }

  interface Check {
    boolean test() throws Exception;
  }

  static Predicate<Void> check(Check c) {
    return x -> {
      try {
        return c.test();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    };
  }

  static String deployTipJar() throws Exception {
    HttpResponse<String> accepted = Creators.becomeCreator(node, creatorToken, "reorg-jar", Json.MAPPER.writeValueAsString(
        Map.of("displayName", "Reorg Creator", "chain", "evm", "network", "dev")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText();
    JsonNode active = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      active = get("/api/v1/deployments/" + id);
      assertNotEquals("failed", active.path("status").asText(), active.toString());
      if ("active".equals(active.path("status").asText())) break;
      mine();
      Thread.sleep(200);
    }
    assertEquals("active", active.path("status").asText(), String.valueOf(active));
    return active.path("evm").path("contractAddress").asText();
  }

  static Credentials fan() throws Exception {
    Credentials fan = Credentials.create(Keys.createEcKeyPair());
    fund(fan.getAddress());
    return fan;
  }

  static String address(Credentials fan) {
    return Keys.toChecksumAddress(fan.getAddress());
  }

  @Test
  void aReorgOfBlocksHoldingTipsLeavesOneStickerPerTipOfTheFinalChainAndNoneForTheOthers() throws Exception {
    // A tip before everything: it stays in every chain, and its mint deploys the sticker collection
    // (before the snapshot, so that the revert does not take the collection away).
    Credentials early = fan();
    String earlyTip = send(signTip(early, "early"));
    await("the early tip's sticker", check(() -> stickersByTip(address(early)).containsKey(tipId(earlyTip))));
    String collection = stickersByTip(address(early)).get(tipId(earlyTip)).path("collection").asText();

    // ---- deeper than the confirmations ----
    Credentials kept = fan();
    Credentials lost = fan();
    // A tip mined just before the snapshot: the new chain keeps it, but its mint comes after the
    // snapshot (the tip is read once 2 deep) and is replaced.
    Credentials before = fan();
    String beforeTip = send(signTip(before, "kept by both chains, its mint replaced"));
    String snapshot = String.valueOf(rpc("evm_snapshot", List.of()));
    long forkHead = head();
    String keptRaw = signTip(kept, "kept: re-included by the new chain");
    String keptTip = send(keptRaw);
    String lostTip = send(signTip(lost, "lost: not in the new chain"));
    await("the three tips' stickers minted and listed", check(() -> stickersByTip(address(kept)).containsKey(tipId(keptTip))
        && stickersByTip(address(lost)).containsKey(tipId(lostTip)) && stickersByTip(address(before)).containsKey(tipId(beforeTip))));
    assertEquals(forkHead, blockOf(beforeTip));
    assertTrue(stickersByTip(address(before)).get(tipId(beforeTip)).path("mintedRound").asLong() > forkHead,
        "the mint of the tip before the snapshot comes after it");
    assertEquals(Set.of(tipId(keptTip)), tipIds(address(kept)));
    assertEquals(Set.of(tipId(lostTip)), tipIds(address(lost)));
    for (int i = 0; i < 3; i++) mine();
    long oldHead = head();
    assertTrue(oldHead - forkHead > CONFIRMATIONS + 2, "the blocks to replace are deeper than the confirmations: " + forkHead + ".." + oldHead);
    assertEquals(1, EvmTipsHttpTest.mintsPerToken(chain, collection).getOrDefault(tokenTopic(lostTip), 0), "minted before the reorg");

    // The reorganisation: back to before the tips; the new chain has the kept tip again (the same
    // signed transaction, in another block) and never the lost one, and grows longer than the old one.
    assertEquals(Boolean.TRUE, rpc("evm_revert", List.of(snapshot)));
    assertEquals(forkHead, head());
    Thread.sleep(1000); // the listener notices the replaced blocks
    mine();
    mine(); // the kept tip lands in another block than before
    assertEquals(keptTip, send(keptRaw), "the same transaction again");
    long keptBlock = blockOf(keptTip);
    while (head() <= oldHead + CONFIRMATIONS) mine();
    assertNotEquals(-1, blockOf(keptTip));
    assertEquals(-1, blockOf(lostTip), "the final chain does not have the lost tip");
    assertNotEquals(-1, blockOf(beforeTip), "nor did it lose the tip before the snapshot");

    await("the kept tips' stickers on the final chain", check(() -> EvmTipsHttpTest.mintsPerToken(chain, collection)
        .containsKey(tokenTopic(keptTip)) && stickersByTip(address(kept)).containsKey(tipId(keptTip))
        && EvmTipsHttpTest.mintsPerToken(chain, collection).containsKey(tokenTopic(beforeTip))
        && stickersByTip(address(before)).containsKey(tipId(beforeTip))
        && !stickersByTip(address(lost)).containsKey(tipId(lostTip)) && tipIds(address(lost)).isEmpty()));
    // Settle: more blocks, the listener past the replaced ones, every mint deep; nothing changes any more.
    for (int i = 0; i < 8; i++) {
      mine();
      Thread.sleep(250);
    }
    long safe = head() - CONFIRMATIONS + 1;
    await("the listener at the safe block", check(() -> evmListener().path("block").asLong() >= safe));
    Thread.sleep(2000);

    Map<String, Integer> mints = EvmTipsHttpTest.mintsPerToken(chain, collection);
    assertEquals(1, mints.get(tokenTopic(earlyTip)), "the early tip's sticker, once: " + mints);
    assertEquals(1, mints.get(tokenTopic(keptTip)), "one sticker on the final chain for the re-included tip: " + mints);
    assertFalse(mints.containsKey(tokenTopic(lostTip)), "no sticker on the final chain for the lost tip: " + mints);
    assertEquals(1, mints.get(tokenTopic(beforeTip)), "the tip kept by both chains has its sticker on the final chain: " + mints);
    assertEquals(3, mints.size(), "no other token: " + mints);
    String owner = web3.ethCall(org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(address(kept), collection,
        FunctionEncoder.encode(new Function("ownerOf", List.of(new Uint256(tokenId(keptTip))), List.of()))),
        DefaultBlockParameterName.LATEST).send().getValue();
    assertTrue(owner.toLowerCase(Locale.ROOT).endsWith(address(kept).substring(2).toLowerCase(Locale.ROOT)), "owned by its fan: " + owner);

    // The API lists what the final chain has.
    Map<String, JsonNode> keptStickers = stickersByTip(address(kept));
    assertEquals(Set.of(tipId(keptTip)), keptStickers.keySet());
    assertTrue(stickersByTip(address(lost)).isEmpty(), "no sticker listed for the lost tip: " + stickersByTip(address(lost)));
    assertEquals(Set.of(tipId(earlyTip)), stickersByTip(address(early)).keySet());
    assertEquals(Set.of(tipId(beforeTip)), stickersByTip(address(before)).keySet());
    assertEquals(Set.of(tipId(beforeTip)), tipIds(address(before)));
    assertEquals(Set.of(tipId(keptTip)), tipIds(address(kept)));
    assertEquals(Set.of(), tipIds(address(lost)), "the lost tip is no longer listed");
    assertEquals(Set.of(tipId(earlyTip), tipId(beforeTip), tipId(keptTip)), tipIds(creator),
        "the creator's received tips are the final chain's");
    List<JsonNode> keptTips = all("/api/v1/wallets/" + address(kept) + "/tips?limit=500");
    assertEquals(keptBlock, blockOf(keptTip));
    assertEquals(keptBlock, keptTips.get(0).path("round").asLong(), "the tip is listed at its block in the final chain");
    // Its sticker is the final chain's: its draw uses the block the final chain has the tip in.
    JsonNode draw = get("/api/v1/stickers/" + keptStickers.get(tipId(keptTip)).path("id").asText() + "/draw");
    String blockHash = web3.ethGetTransactionReceipt(keptTip).send().getTransactionReceipt().orElseThrow().getBlockHash();
    assertEquals(blockHash.toLowerCase(Locale.ROOT), draw.path("blockHash").asText(), draw.toString());
    JsonNode listener = evmListener();
    assertTrue(listener.path("reorgs").asLong() >= 1, listener.toString());
    assertTrue(listener.path("withdrawnTips").asLong() >= 1, listener.toString());
    assertEquals("following", listener.path("state").asText(), listener.toString());

    // ---- within the confirmations ----
    Credentials shallowFan = fan();
    String snapshot2 = String.valueOf(rpc("evm_snapshot", List.of()));
    String shallowTip = send(signTip(shallowFan, "shallow"));
    Thread.sleep(1000); // listener cycles with the tip one block short of the depth
    assertTrue(tipIds(address(shallowFan)).isEmpty(), "a tip one confirmation short is not read yet");
    assertEquals(Boolean.TRUE, rpc("evm_revert", List.of(snapshot2)));
    String afterTip = send(signTip(shallowFan, "after the shallow revert"));
    assertNotEquals(shallowTip, afterTip);
    await("the tip after the shallow revert", check(() -> stickersByTip(address(shallowFan)).containsKey(tipId(afterTip))));
    for (int i = 0; i < 6; i++) {
      mine();
      Thread.sleep(250);
    }
    long safe2 = head() - CONFIRMATIONS + 1;
    await("the listener at the safe block", check(() -> evmListener().path("block").asLong() >= safe2));
    Thread.sleep(2000);
    assertEquals(Set.of(tipId(afterTip)), tipIds(address(shallowFan)));
    assertEquals(Set.of(tipId(afterTip)), stickersByTip(address(shallowFan)).keySet());
    Map<String, Integer> after = EvmTipsHttpTest.mintsPerToken(chain, collection);
    assertFalse(after.containsKey(tokenTopic(shallowTip)), "no sticker for the reverted shallow tip: " + after);
    assertEquals(1, after.get(tokenTopic(afterTip)), after.toString());
    assertEquals(1, after.get(tokenTopic(keptTip)), after.toString());
    assertEquals(4, after.size(), "no other token: " + after);
    // A shallow reorganisation that takes a mint (not its tip): the tip is read, its mint mined one
    // block deep, then both blocks after the tip's are replaced. The minter sends it again; one sticker.
    Credentials mintFan = fan();
    String mintTip = send(signTip(mintFan, "its mint is reorganised away"));
    String snapshot3 = String.valueOf(rpc("evm_snapshot", List.of()));
    mine(); // the tip is 2 deep: read, and its mint sent (and mined at once, 1 deep: not recorded yet)
    long mintDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!EvmTipsHttpTest.mintsPerToken(chain, collection).containsKey(tokenTopic(mintTip))) {
      assertTrue(System.nanoTime() < mintDeadline, "the mint was not sent within 90 s; listener " + evmListener());
      Thread.sleep(100);
    }
    assertFalse(stickersByTip(address(mintFan)).containsKey(tipId(mintTip)), "a mint one block deep is not listed yet");
    assertEquals(Boolean.TRUE, rpc("evm_revert", List.of(snapshot3)));
    assertFalse(EvmTipsHttpTest.mintsPerToken(chain, collection).containsKey(tokenTopic(mintTip)), "the mint left the chain");
    assertNotEquals(-1, blockOf(mintTip), "its tip did not");
    await("the reorganised mint's sticker", check(() -> stickersByTip(address(mintFan)).containsKey(tipId(mintTip))));
    for (int i = 0; i < 4; i++) {
      mine();
      Thread.sleep(250);
    }
    assertEquals(1, EvmTipsHttpTest.mintsPerToken(chain, collection).get(tokenTopic(mintTip)), "one sticker for the tip");
    assertEquals(Set.of(tipId(mintTip)), stickersByTip(address(mintFan)).keySet());
    assertEquals(Set.of(tipId(mintTip)), tipIds(address(mintFan)));
    assertEquals(5, EvmTipsHttpTest.mintsPerToken(chain, collection).size());

    // The deep reorganisation's outcome is unchanged.
    assertEquals(Set.of(tipId(keptTip)), stickersByTip(address(kept)).keySet());
    assertTrue(stickersByTip(address(lost)).isEmpty());
    assertEquals(Set.of(tipId(earlyTip), tipId(beforeTip), tipId(keptTip), tipId(afterTip), tipId(mintTip)), tipIds(creator));
  }
}
