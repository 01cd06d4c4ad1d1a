package io.mintline.engine.minting;

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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sticker book with the persistence testkit (serialization checks of commands, events and state
 * on) and a real pipeline on the devnet: the acknowledgement comes after MintRequested, the sticker is
 * recorded once, duplicates persist nothing, it survives restart, and finished stickers leave memory
 * while their tips stay de-duplicated.
 */
class StickerBookTest {
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

  private static EventSourcedBehaviorTestKit<StickerBook.Command, StickerBook.Event, StickerBook.State> book(int recent) {
    // A fan of its own per book: the testkit's journal is shared by the tests.
    String fan = Ed25519Signer.generate("fan").address().toString();
    return EventSourcedBehaviorTestKit.create(testKit.system(), StickerBook.create(fan, Clock.systemUTC(), pipeline, recent));
  }

  private static String txid() {
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    return Encoder.encodeToBase32StripPad(txid);
  }

  @Test
  void aTipIsAcknowledgedAfterItsRequestIsPersistedAndMintedOnceThroughRestarts() throws Exception {
    var kit = book(10);
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    String tip = txid();

    var first = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint(tip, 42, seed, "CREATOR", r));
    assertTrue(first.reply().accepted());
    assertFalse(first.reply().duplicate());
    // By the time of the acknowledgement the signed request is in the journal.
    StickerBook.Sticker requested = kit.getState().sticker(tip).orElseThrow();
    assertNotNull(requested.txId());
    assertTrue(requested.firstValid() > 0 && requested.firstValid() < requested.lastValid(), "the validity window is kept");
    assertEquals(GoldenDraw.of(seed, tip, 100).golden(), requested.golden());

    StickerBook.Sticker minted = awaitMinted(kit, tip);
    assertNotNull(minted.assetId());
    assertNull(minted.signedBytes(), "signed bytes are dropped once minted");

    var again = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint(tip, 42, seed, "CREATOR", r));
    assertTrue(again.reply().duplicate());
    assertTrue(again.events().isEmpty());

    kit.restart();
    StickerBook.Sticker recovered = kit.getState().sticker(tip).orElseThrow();
    assertEquals(StickerBook.MintStatus.MINTED, recovered.status());
    assertEquals(minted.assetId(), recovered.assetId());
    var view = kit.<StickerBook.StickerView>runCommand(r -> new StickerBook.GetSticker(tip, r));
    assertEquals(minted.assetId(), view.reply().assetId());
    var found = kit.<StickerBook.Found>runCommand(r -> new StickerBook.FindAsset(minted.assetId(), r));
    assertEquals(tip, found.reply().sticker().tipTxId());
  }

  @Test
  void finishedStickersLeaveMemoryButTheirTipsStayExactlyDeduplicated() throws Exception {
    var kit = book(2);
    byte[] seed = new byte[32];
    List<String> tips = new ArrayList<>();
    // Tips of rounds 101..106 as the listener delivers them: each carries the watermark of the
    // rounds already settled (two behind), so older tips' keys are forgotten as the watermark moves.
    for (int i = 0; i < 6; i++) {
      String tip = txid();
      tips.add(tip);
      long round = 101 + i;
      var ack = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint(tip, round, seed, "CREATOR", round - 3, r));
      assertTrue(ack.reply().accepted() && !ack.reply().duplicate());
      awaitMinted(kit, tip);
    }
    StickerBook.State state = kit.getState();
    assertEquals(2, state.recent().size(), "only the recent window of finished stickers stays in memory");
    assertTrue(state.unfinished().isEmpty());
    assertEquals(103, state.tips().settled());
    assertTrue(state.tips().size() <= 3, "only tips the listener may still deliver again are remembered: " + state.tips());
    // The first tip, forgotten, is delivered again (a replayed round, an old message): never minted twice.
    for (int i = 0; i < tips.size(); i++) {
      String tip = tips.get(i);
      long round = 101 + i;
      var again = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint(tip, round, seed, "CREATOR", round - 3, r));
      assertTrue(again.reply().duplicate(), "tip " + i + " again");
      assertTrue(again.events().isEmpty());
    }
    kit.restart();
    assertEquals(state, kit.getState(), "the bounded state is what recovery rebuilds");
    // A tip of a round above the settled watermark that this book never saw is new.
    String fresh = txid();
    var ack = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint(fresh, 104, seed, "CREATOR", 103, r));
    assertFalse(ack.reply().duplicate());
  }

  @Test
  void aBookWithoutAPipelineRefusesAndABadTipIsRefused() {
    var kit = EventSourcedBehaviorTestKit.<StickerBook.Command, StickerBook.Event, StickerBook.State>create(
        testKit.system(), StickerBook.create(Ed25519Signer.generate("fan").address().toString(), Clock.systemUTC(), null, 10));
    var refused = kit.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint("X".repeat(52), 1, new byte[32], "C", r));
    assertFalse(refused.reply().accepted());
    var minting = book(10);
    var bad = minting.<StickerBook.MintAck>runCommand(r -> new StickerBook.RequestMint("not-a-txid", 1, new byte[32], "C", r));
    assertFalse(bad.reply().accepted());
    assertTrue(bad.events().isEmpty());
  }

  private static StickerBook.Sticker awaitMinted(
      EventSourcedBehaviorTestKit<StickerBook.Command, StickerBook.Event, StickerBook.State> kit, String tip) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      var s = kit.getState().sticker(tip);
      if (s.isPresent() && s.get().status() == StickerBook.MintStatus.MINTED) return s.get();
      Thread.sleep(50);
    }
    fail("not minted within 30 s: " + kit.getState().sticker(tip));
    return null;
  }
}
