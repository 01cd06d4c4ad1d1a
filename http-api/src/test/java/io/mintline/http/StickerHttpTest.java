package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.algorand.Txids;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.minting.StickerBook;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stickers through the API on a real node (H2, in-process devnet): a tip handed to the fan's wallet
 * becomes a listed sticker whose golden draw anyone can recompute; the fan claims it after opting
 * in (409 before), receives it frozen, and the devnet refuses the fan's transfer of it.
 */
class StickerHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Config fast = ConfigFactory.parseMap(Map.of("mintline.devnet.block-interval", "200ms"));
    node = TestNode.start(fast.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  /** Hands a tip to the fan's sticker book as the fan's wallet does, and waits for its acknowledgement. */
  static String tip(Account fan, byte[] seed) throws Exception {
    return tip(node, fan, seed);
  }

  static String tip(TestNode node, Account fan, byte[] seed) throws Exception {
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    String tipTxId = Encoder.encodeToBase32StripPad(txid);
    StickerBook.MintAck ack = ClusterSharding.get(node.node.system())
        .entityRefFor(StickerBook.ENTITY_KEY, fan.getAddress().toString())
        .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tipTxId, 7, seed, "CREATOR", r), Duration.ofSeconds(20))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(ack.accepted(), ack.toString());
    return tipTxId;
  }

  static JsonNode awaitSticker(String fan, String tipTxId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = node.get("/api/v1/wallets/" + fan + "/stickers?limit=10");
      assertEquals(200, r.statusCode(), r.body());
      for (JsonNode item : Json.MAPPER.readTree(r.body()).path("items")) {
        if (tipTxId.equals(item.path("tipTxId").asText())) return item;
      }
      Thread.sleep(100);
    }
    fail("no sticker for " + tipTxId + " within 60 s");
    return null;
  }

  static HttpResponse<String> claim(String token, long assetId) throws Exception {
    return claim(node, token, assetId);
  }

  static HttpResponse<String> claim(TestNode node, String token, long assetId) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/stickers/" + assetId + "/claim")))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void aTipBecomesAListedStickerWithARecomputableDrawAndTheFanClaimsItFrozen() throws Exception {
    Account fan = new Account();
    String address = fan.getAddress().toString();
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    String tipTxId = tip(fan, seed);
    JsonNode sticker = awaitSticker(address, tipTxId);
    long assetId = sticker.path("assetId").asLong();
    assertTrue(assetId > 0);
    assertFalse(sticker.path("claimed").asBoolean());
    assertTrue(sticker.path("mintedRound").asLong() > 0);
    assertTrue(sticker.has("golden"));

    // The draw: recompute from what the endpoint shows.
    HttpResponse<String> drawn = node.get("/api/v1/stickers/" + assetId + "/draw");
    assertEquals(200, drawn.statusCode(), drawn.body());
    JsonNode draw = Json.MAPPER.readTree(drawn.body());
    assertEquals(tipTxId, draw.path("tipTxId").asText());
    assertEquals(Base64.getEncoder().encodeToString(seed), draw.path("seed").asText());
    int value = new BigInteger(1, Txids.sha512_256(seed, Encoder.decodeFromBase32StripPad(tipTxId)))
        .mod(BigInteger.valueOf(10_000)).intValue();
    assertEquals(value, draw.path("value").asInt());
    assertEquals(100, draw.path("threshold").asInt());
    assertEquals(value < 100, draw.path("result").asBoolean());
    assertEquals(draw.path("result").asBoolean(), sticker.path("golden").asBoolean());
    assertEquals(404, node.get("/api/v1/stickers/999999999/draw").statusCode());

    // Claim before opting in: 409 with what to do.
    String token = Creators.login(node, fan);
    HttpResponse<String> early = claim(token, assetId);
    assertEquals(409, early.statusCode(), early.body());
    JsonNode error = Json.MAPPER.readTree(early.body());
    assertEquals("not_opted_in", error.path("error").asText());
    assertTrue(error.path("message").asText().contains("opt in"), early.body());

    // Someone else cannot claim it.
    Account other = new Account();
    assertEquals(404, claim(Creators.login(node, other), assetId).statusCode());

    // The fan's wallet opts in (signed by the fan, sent to the node's algod), then claims.
    AlgodJson algod = new AlgodJson(node);
    node.node.devnet().fund(address, 1_000_000);
    JsonNode params = algod.get("/v2/transactions/params");
    long last = params.path("last-round").asLong();
    Transaction optIn = Transaction.AssetAcceptTransactionBuilder()
        .acceptingAccount(fan.getAddress()).assetIndex(assetId)
        .flatFee(params.path("min-fee").asLong()).firstValid(last).lastValid(last + 100)
        .genesisID(params.path("genesis-id").asText())
        .genesisHash(new Digest(Base64.getDecoder().decode(params.path("genesis-hash").asText()))).build();
    assertEquals(200, algod.post(Encoder.encodeToMsgPack(fan.signTransaction(optIn))).statusCode());
    algod.awaitHolding(address, assetId);

    HttpResponse<String> claimed = claim(token, assetId);
    assertEquals(200, claimed.statusCode(), claimed.body());
    assertEquals("claimed", Json.MAPPER.readTree(claimed.body()).path("status").asText());
    JsonNode holding = algod.get("/v2/accounts/" + address + "/assets/" + assetId).path("asset-holding");
    assertEquals(1, holding.path("amount").asLong());
    assertTrue(holding.path("is-frozen").asBoolean(), "soulbound: the holding stays frozen");
    assertEquals("already_claimed", Json.MAPPER.readTree(claim(token, assetId).body()).path("status").asText());

    // The devnet refuses the fan's transfer of it.
    JsonNode p2 = algod.get("/v2/transactions/params");
    long l2 = p2.path("last-round").asLong();
    Transaction pass = Transaction.AssetTransferTransactionBuilder()
        .sender(fan.getAddress()).assetReceiver(other.getAddress()).assetIndex(assetId).assetAmount(1)
        .flatFee(p2.path("min-fee").asLong()).firstValid(l2).lastValid(l2 + 100)
        .genesisID(p2.path("genesis-id").asText())
        .genesisHash(new Digest(Base64.getDecoder().decode(p2.path("genesis-hash").asText()))).build();
    HttpResponse<String> refused = algod.post(Encoder.encodeToMsgPack(fan.signTransaction(pass)));
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("frozen"), refused.body());

    // The list shows it claimed once the projection has it; the status shows the mint.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!awaitSticker(address, tipTxId).path("claimed").asBoolean() && System.nanoTime() < deadline) Thread.sleep(100);
    assertTrue(awaitSticker(address, tipTxId).path("claimed").asBoolean());
    JsonNode status = Json.MAPPER.readTree(node.get("/api/v1/minting/status").body());
    for (String field : new String[] {"inFlight", "queued", "mintedTotal", "failedTotal", "mintsPerSecond", "oldestPendingAgeMs"}) {
      assertTrue(status.has(field), field + " in " + status);
    }
    assertTrue(status.path("mintedTotal").asLong() >= 1);
  }

  @Test
  void badInputGetsClearFourHundreds() throws Exception {
    assertEquals(400, node.get("/api/v1/wallets/not-an-address/stickers").statusCode());
    Account fan = new Account();
    assertEquals(400, node.get("/api/v1/wallets/" + fan.getAddress() + "/stickers?limit=0").statusCode());
    assertEquals(400, node.get("/api/v1/wallets/" + fan.getAddress() + "/stickers?after=@@").statusCode());
    HttpResponse<String> empty = node.get("/api/v1/wallets/" + fan.getAddress() + "/stickers");
    assertEquals(200, empty.statusCode());
    assertEquals("{\"items\":[],\"next\":null}", empty.body());
    assertEquals(401, node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/stickers/5/claim")))
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
  }

  /** The node's algod (the in-process devnet) as a wallet talks to it. */
  record AlgodJson(TestNode node) {
    JsonNode get(String path) throws Exception {
      HttpResponse<String> r = node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url() + path))
          .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      return Json.MAPPER.readTree(r.body());
    }

    HttpResponse<String> post(byte[] signed) throws Exception {
      return node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url() + "/v2/transactions"))
          .header("X-Algo-API-Token", node.node.devnet().apiToken()).header("Content-Type", "application/x-binary")
          .POST(HttpRequest.BodyPublishers.ofByteArray(signed)).build(), HttpResponse.BodyHandlers.ofString());
    }

    void awaitHolding(String address, long assetId) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        HttpResponse<String> r = node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url()
            + "/v2/accounts/" + address + "/assets/" + assetId)).header("X-Algo-API-Token", node.node.devnet().apiToken()).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
        Thread.sleep(100);
      }
      fail("opt-in not confirmed");
    }
  }
}
