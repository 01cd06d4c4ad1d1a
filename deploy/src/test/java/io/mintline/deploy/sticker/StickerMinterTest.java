package io.mintline.deploy.sticker;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.model.Asset;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Confirmation;
import io.mintline.deploy.algorand.Txids;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.keys.Signer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sticker creations, groups and the claim against the devnet, read back with the real Java algosdk. */
class StickerMinterTest {
  static DevnetFixture chain;
  static AlgodGateway gateway;
  static AlgodClient algod;
  static MintingSettings settings = MintingSettings.load(ConfigFactory.load());

  @BeforeAll
  static void start() {
    chain = new DevnetFixture();
    gateway = chain.gateway();
    algod = AlgorandGenesis.client(chain.devnet.url(), chain.devnet.apiToken());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    chain.close();
  }

  static String randomTxId() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Encoder.encodeToBase32StripPad(b);
  }

  @Test
  void aGroupOfSixteenCreatesSixteenFrozenOneUnitStickersEachLeasedAndNotedByItsTip() throws Exception {
    Signer mintKey = chain.fundedKey("mint", 100_000_000);
    StickerMinter minter = new StickerMinter(mintKey, settings, SignatureLog.NONE);
    List<StickerMinter.MintOrder> orders = new ArrayList<>();
    for (int i = 0; i < 16; i++) orders.add(new StickerMinter.MintOrder(randomTxId(), i == 3));
    StickerMinter.SignedGroup group = minter.signGroup(orders, get(gateway.params()));
    assertTrue(group.grouped());

    get(gateway.submit(group.submitBytes()));
    for (int i = 0; i < 16; i++) {
      StickerMinter.SignedMint m = group.members().get(i);
      Confirmation c = get(gateway.awaitConfirmation(m.txId(), m.lastValid()));
      assertNotNull(c.assetId());
      Asset asset = algod.GetAssetByID(c.assetId()).execute().body();
      assertEquals(1L, asset.params.total.longValue());
      assertEquals(0L, asset.params.decimals.longValue());
      assertEquals("STKR", asset.params.unitName);
      assertEquals(i == 3 ? "Mintline Golden Sticker" : "Mintline Sticker", asset.params.name);
      assertEquals(settings.metadataBaseUrl() + m.tipTxId() + "#arc3", asset.params.url);
      assertTrue(asset.params.defaultFrozen);
      String mint = mintKey.address().toString();
      assertEquals(mint, asset.params.manager);
      assertEquals(mint, asset.params.freeze);
      assertEquals(mint, asset.params.clawback);
      // The lease is H("mint" ‖ T) and the note names the tip, as the block carries them.
      SignedTransaction stx = Encoder.decodeFromMsgPack(m.signedBytes(), SignedTransaction.class);
      assertArrayEquals(Txids.sha512_256(("mint" + m.tipTxId()).getBytes(StandardCharsets.US_ASCII)), stx.tx.lease);
      assertEquals("mintline:mint:" + m.tipTxId(), new String(stx.tx.note, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aRebuiltCreationForTheSameTipIsRefusedWhileTheFirstIsValid() throws Exception {
    Signer mintKey = chain.fundedKey("mint", 10_000_000);
    StickerMinter minter = new StickerMinter(mintKey, settings, SignatureLog.NONE);
    String tip = randomTxId();
    StickerMinter.SignedMint first = minter.sign(new StickerMinter.MintOrder(tip, false), get(gateway.params()));
    get(gateway.submit(first.signedBytes()));
    get(gateway.awaitConfirmation(first.txId(), first.lastValid()));
    // Resending the same bytes is harmless; a rebuild (new params, new txid) is refused by the lease.
    assertEquals(first.txId(), get(gateway.submit(first.signedBytes())));
    StickerMinter.SignedMint rebuilt = minter.sign(new StickerMinter.MintOrder(tip, true), get(gateway.params()));
    assertNotEquals(first.txId(), rebuilt.txId());
    ChainException refused = assertThrows(ChainException.class, () -> get(gateway.submit(rebuilt.signedBytes())));
    assertTrue(refused.getMessage().contains("lease"), refused.getMessage());
    assertEquals(1, algod.AccountInformation(mintKey.address()).execute().body().createdAssets.size());
  }

  @Test
  void aClaimDeliversTheStickerFrozenSoTheFanCannotPassItOn() throws Exception {
    Signer mintKey = chain.fundedKey("mint", 10_000_000);
    StickerMinter minter = new StickerMinter(mintKey, settings, SignatureLog.NONE);
    StickerMinter.SignedMint mint = minter.sign(new StickerMinter.MintOrder(randomTxId(), false), get(gateway.params()));
    get(gateway.submit(mint.signedBytes()));
    long assetId = get(gateway.awaitConfirmation(mint.txId(), mint.lastValid())).assetId();

    Account fan = new Account();
    chain.devnet.fund(fan.getAddress().toString(), 1_000_000);
    assertTrue(get(gateway.holding(fan.getAddress().toString(), assetId)).isEmpty(), "not opted in yet");
    // Before the opt-in the clawback is refused by the chain.
    ChainException early = assertThrows(ChainException.class,
        () -> get(gateway.submit(minter.signClaim(assetId, fan.getAddress().toString(), get(gateway.params())).signedBytes())));
    assertEquals(ChainException.Kind.REJECTED, early.kind());

    // The fan's wallet opts in (a zero transfer to itself), signed by the fan.
    ChainParams p = get(gateway.params());
    Transaction optIn = Transaction.AssetAcceptTransactionBuilder()
        .acceptingAccount(fan.getAddress()).assetIndex(assetId)
        .flatFee(p.minFee()).firstValid(p.lastRound()).lastValid(p.lastRound() + 100)
        .genesisID(p.genesisId()).genesisHash(new Digest(p.genesisHash())).build();
    String optInId = get(gateway.submit(Encoder.encodeToMsgPack(fan.signTransaction(optIn))));
    get(gateway.awaitConfirmation(optInId, p.lastRound() + 100));
    AlgorandGateway.AssetHolding opted = get(gateway.holding(fan.getAddress().toString(), assetId)).orElseThrow();
    assertEquals(0, opted.amount());
    assertTrue(opted.frozen(), "a default-frozen asset's new holding is frozen");

    StickerMinter.SignedMint claim = minter.signClaim(assetId, fan.getAddress().toString(), get(gateway.params()));
    get(gateway.submit(claim.signedBytes()));
    get(gateway.awaitConfirmation(claim.txId(), claim.lastValid()));
    AlgorandGateway.AssetHolding held = get(gateway.holding(fan.getAddress().toString(), assetId)).orElseThrow();
    assertEquals(1, held.amount());
    assertTrue(held.frozen());

    // Soulbound: the fan's own transfer of it is refused.
    Account friend = new Account();
    ChainParams q = get(gateway.params());
    Transaction pass = Transaction.AssetTransferTransactionBuilder()
        .sender(fan.getAddress()).assetReceiver(friend.getAddress()).assetIndex(assetId).assetAmount(1)
        .flatFee(q.minFee()).firstValid(q.lastRound()).lastValid(q.lastRound() + 100)
        .genesisID(q.genesisId()).genesisHash(new Digest(q.genesisHash())).build();
    ChainException refused = assertThrows(ChainException.class,
        () -> get(gateway.submit(Encoder.encodeToMsgPack(fan.signTransaction(pass)))));
    assertTrue(refused.getMessage().contains("frozen"), refused.getMessage());
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }
}
