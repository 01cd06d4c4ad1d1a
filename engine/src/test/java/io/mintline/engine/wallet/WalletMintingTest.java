package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.algorand.algosdk.util.Encoder;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.minting.GoldenDraw;
import io.mintline.engine.minting.MintingPipeline;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wallet's side of minting with the persistence testkit (serialization checks of commands,
 * events and state on) and a real pipeline on the devnet: the acknowledgement comes after
 * MintRequested, the sticker is recorded once, duplicates persist nothing, and it survives restart.
 */
class WalletMintingTest {
  static final String FAN = Ed25519Signer.generate("fan").address().toString();
  static ActorTestKit testKit;
  static Devnet devnet;
  static AlgodGateway gateway;
  static MintingPipeline pipeline;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load("engine-test.conf")));
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    Ed25519Signer mintKey = Ed25519Signer.generate("mint");
    devnet.fund(mintKey.address().toString(), 100_000_000);
    gateway = AlgodGateway.create(MintlineSettings.load(ConfigFactory.load("engine-test.conf")).algod(), devnet.url(), devnet.apiToken());
    MintingSettings settings = MintingSettings.load(ConfigFactory.load());
    pipeline = MintingPipeline.start(testKit.system(), settings, new StickerMinter(mintKey, settings, SignatureLog.NONE), gateway);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    gateway.close();
    devnet.close();
  }

  @Test
  void aTipIsAcknowledgedAfterItsRequestIsPersistedAndMintedOnceThroughRestarts() throws Exception {
    var kit = EventSourcedBehaviorTestKit.<WalletEntity.Command, WalletEntity.Event, WalletEntity.State>create(
        testKit.system(), WalletEntity.create(FAN, Clock.systemUTC(), pipeline, Duration.ZERO));
    byte[] txid = new byte[32];
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(txid);
    new SecureRandom().nextBytes(seed);
    String tip = Encoder.encodeToBase32StripPad(txid);

    var first = kit.<WalletEntity.MintAck>runCommand(r -> new WalletEntity.RequestMint(tip, 42, seed, "CREATOR", r));
    assertTrue(first.reply().accepted());
    assertFalse(first.reply().duplicate());
    // By the time of the acknowledgement the signed request is in the journal.
    WalletEntity.Sticker requested = kit.getState().stickers().get(tip);
    assertNotNull(requested);
    assertNotNull(requested.txId());
    assertEquals(GoldenDraw.of(seed, tip, 100).golden(), requested.golden());

    WalletEntity.Sticker minted = awaitMinted(kit, tip);
    assertNotNull(minted.assetId());
    assertNull(minted.signedBytes(), "signed bytes are dropped once minted");

    var again = kit.<WalletEntity.MintAck>runCommand(r -> new WalletEntity.RequestMint(tip, 42, seed, "CREATOR", r));
    assertTrue(again.reply().duplicate());
    assertTrue(again.events().isEmpty());

    kit.restart();
    WalletEntity.Sticker recovered = kit.getState().stickers().get(tip);
    assertEquals(WalletEntity.MintStatus.MINTED, recovered.status());
    assertEquals(minted.assetId(), recovered.assetId());
    var view = kit.<WalletEntity.StickerView>runCommand(r -> new WalletEntity.GetSticker(tip, r));
    assertEquals(minted.assetId(), view.reply().assetId());
  }

  @Test
  void aWalletWithoutAPipelineRefusesAndABadTipIsRefused() {
    var kit = EventSourcedBehaviorTestKit.<WalletEntity.Command, WalletEntity.Event, WalletEntity.State>create(
        testKit.system(), WalletEntity.create(FAN, Clock.systemUTC()));
    var refused = kit.<WalletEntity.MintAck>runCommand(r -> new WalletEntity.RequestMint("X".repeat(52), 1, new byte[32], "C", r));
    assertFalse(refused.reply().accepted());
    var minting = EventSourcedBehaviorTestKit.<WalletEntity.Command, WalletEntity.Event, WalletEntity.State>create(
        testKit.system(), WalletEntity.create(FAN, Clock.systemUTC(), pipeline, Duration.ZERO));
    var bad = minting.<WalletEntity.MintAck>runCommand(r -> new WalletEntity.RequestMint("not-a-txid", 1, new byte[32], "C", r));
    assertFalse(bad.reply().accepted());
    assertTrue(bad.events().isEmpty());
  }

  private static WalletEntity.Sticker awaitMinted(
      EventSourcedBehaviorTestKit<WalletEntity.Command, WalletEntity.Event, WalletEntity.State> kit, String tip) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      WalletEntity.Sticker s = kit.getState().stickers().get(tip);
      if (s != null && s.status() == WalletEntity.MintStatus.MINTED) return s;
      Thread.sleep(50);
    }
    fail("not minted within 30 s: " + kit.getState().stickers().get(tip));
    return null;
  }
}
