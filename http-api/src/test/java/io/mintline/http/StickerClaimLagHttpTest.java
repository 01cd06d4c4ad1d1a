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
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.testing.TestDatabases;
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
 * Issue 11 §5: a sticker minted a moment ago can be claimed before the read side has it. The node's
 * projections here read the journal only once an hour, so the stickers table never sees the sticker
 * during the test: the claim must find it in the fan's sticker book (a claim that asked the read
 * side only answered 404).
 */
class StickerClaimLagHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Config lagging = ConfigFactory.parseMap(Map.of(
        "mintline.devnet.block-interval", "200ms",
        "jdbc-read-journal.refresh-interval", "1h",
        "jdbc-read-journal.journal-sequence-retrieval.query-delay", "1h"));
    node = TestNode.start(lagging.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  @Test
  void aStickerMintedAMomentAgoIsClaimableBeforeTheReadSideHasIt() throws Exception {
    Account fan = new Account();
    String address = fan.getAddress().toString();
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    String tipTxId = StickerHttpTest.tip(node, fan, seed);
    long assetId = awaitMintedInBook(address, tipTxId);
    // The read side has not seen it.
    HttpResponse<String> listed = node.get("/api/v1/wallets/" + address + "/stickers");
    assertEquals("{\"items\":[],\"next\":null}", listed.body(), "the read side must lag in this test");

    String token = Creators.login(node, fan);
    HttpResponse<String> early = StickerHttpTest.claim(node, token, assetId);
    assertEquals(409, early.statusCode(), "known to the book, not 404: " + early.body());
    assertEquals("not_opted_in", Json.MAPPER.readTree(early.body()).path("error").asText());
    // Someone else still gets 404 (the sticker is not in their book, nor in the read side).
    assertEquals(404, StickerHttpTest.claim(node, Creators.login(node, new Account()), assetId).statusCode());

    StickerHttpTest.AlgodJson algod = new StickerHttpTest.AlgodJson(node);
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

    HttpResponse<String> claimed = StickerHttpTest.claim(node, token, assetId);
    assertEquals(200, claimed.statusCode(), claimed.body());
    assertEquals("claimed", Json.MAPPER.readTree(claimed.body()).path("status").asText());
    assertEquals("already_claimed", Json.MAPPER.readTree(StickerHttpTest.claim(node, token, assetId).body()).path("status").asText());
  }

  /** Waits until the fan's sticker book has the sticker minted (StickerMinted persisted); its asset id. */
  private static long awaitMintedInBook(String fan, String tipTxId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      StickerBook.StickerView view = ClusterSharding.get(node.node.system()).entityRefFor(StickerBook.ENTITY_KEY, fan)
          .<StickerBook.StickerView>ask(r -> new StickerBook.GetSticker(tipTxId, r), Duration.ofSeconds(10))
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      if (view.status() == StickerBook.MintStatus.MINTED) return view.assetId();
      Thread.sleep(50);
    }
    fail("not minted within 60 s");
    return 0;
  }
}
