package io.mintline.engine.minting;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.algorand.algosdk.util.Encoder;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Confirmation;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 §4: after lastValid a sticker creation is rebuilt only when the blocks of its validity
 * window prove it is in none of them. The devnet's pending endpoint is made to forget every
 * transaction (as real algod does), and the pipeline resuming the request runs on a fresh gateway
 * whose block follower never saw the creation's block: only reading the window's blocks tells a
 * confirmed creation from a lost one.
 */
class RebuildProofTest {
  Devnet devnet;
  ActorTestKit testKit;
  Ed25519Signer mintKey;
  MintingSettings settings;
  MintlineSettings mintline;

  @BeforeEach
  void start() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    mintKey = Ed25519Signer.generate("mint");
    devnet.fund(mintKey.address().toString(), 100_000_000);
    settings = MintingSettings.load(MintingFixture.MINTING.withFallback(ConfigFactory.load()));
    mintline = MintlineSettings.load(ConfigFactory.load("engine-test.conf"));
    testKit = ActorTestKit.create(ConfigFactory.load("engine-test.conf"));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
    devnet.close();
  }

  @Test
  void aConfirmedCreationTheNodeForgotIsFoundInItsWindowsBlocksAndNotRebuilt() throws Exception {
    StickerMinter minter = new StickerMinter(mintKey, settings, SignatureLog.NONE);
    String tip = tipTxId();
    StickerMinter.SignedMint mint;
    Confirmation confirmed;
    try (AlgodGateway first = gateway()) {
      ChainParams params = first.params().toCompletableFuture().get(10, TimeUnit.SECONDS);
      mint = minter.sign(new StickerMinter.MintOrder(tip, false), params);
      first.submit(mint.signedBytes()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      confirmed = first.awaitConfirmation(mint.txId(), mint.lastValid()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertNotNull(confirmed.assetId());
    }
    // The node that submitted it is gone; algod has forgotten it; the chain moves past lastValid.
    devnet.forgetPendingTransactions();
    awaitRoundPast(mint.lastValid());

    MintingPipeline.Reply reply = resume(minter, mint);
    MintingPipeline.Confirmed c = assertInstanceOf(MintingPipeline.Confirmed.class, reply,
        "a creation in a block of its window is confirmed, never rebuilt: " + reply);
    assertEquals(confirmed.assetId(), c.assetId());
    assertEquals(confirmed.round(), c.round());
  }

  @Test
  void aCreationInNoBlockOfItsWindowIsExpiredForARebuild() throws Exception {
    StickerMinter minter = new StickerMinter(mintKey, settings, SignatureLog.NONE);
    StickerMinter.SignedMint mint;
    try (AlgodGateway first = gateway()) {
      // Signed and persisted, never submitted (the node died first).
      mint = minter.sign(new StickerMinter.MintOrder(tipTxId(), false), first.params().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    devnet.forgetPendingTransactions();
    awaitRoundPast(mint.lastValid());
    // Resumed as a group member: only looked up, not resent.
    MintingPipeline.Reply reply = resume(minter, new StickerMinter.SignedMint(mint.tipTxId(), mint.txId(), null, null,
        mint.firstValid(), mint.lastValid()));
    assertInstanceOf(MintingPipeline.Expired.class, reply, "absent from every block of its window: " + reply);
  }

  private MintingPipeline.Reply resume(StickerMinter minter, StickerMinter.SignedMint mint) throws Exception {
    AlgodGateway fresh = gateway();
    try {
      MintingPipeline pipeline = MintingPipeline.start(testKit.system(), settings, minter, fresh);
      TestProbe<MintingPipeline.Reply> owner = testKit.createTestProbe(MintingPipeline.Reply.class);
      MintingPipeline.Offer offered = pipeline.offer(new MintingPipeline.Resume(mint.tipTxId(), mint.txId(), mint.signedBytes(),
          mint.firstValid(), mint.lastValid(), mint.signedBytes() == null, owner.ref())).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(MintingPipeline.Offer.ACCEPTED, offered);
      return owner.expectMessageClass(MintingPipeline.Reply.class, Duration.ofSeconds(60));
    } finally {
      fresh.close();
    }
  }

  private AlgodGateway gateway() {
    return AlgodGateway.create(mintline.algod(), devnet.url(), devnet.apiToken());
  }

  private void awaitRoundPast(long round) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (devnet.currentRound() <= round + 1 && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(devnet.currentRound() > round + 1, "the devnet did not pass round " + round);
  }

  private static String tipTxId() {
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    return Encoder.encodeToBase32StripPad(txid);
  }
}
