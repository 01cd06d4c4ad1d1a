package io.mintline.engine.minting;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import akka.persistence.typed.PersistenceId;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.model.Asset;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Confirmation;
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
import java.time.Instant;
import java.util.concurrent.TimeUnit;
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
  static Ed25519Signer mintKey;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load("engine-test.conf")));
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    mintKey = Ed25519Signer.generate("mint");
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

  /**
   * Cluster drill 2's zombie: a node paused with a fan's book writes once more after it resumes, before
   * it learns it was downed, so the journal holds a rebuilt request (Z) after the creation that is on
   * chain (A). The book that recovers holds Z, which the chain refuses for A's lease and which expires;
   * it finds A in A's window instead of signing anything new: one sticker, A's, and no second creation.
   */
  @Test
  void aCreationReplacedInTheJournalByAnotherIncarnationIsFoundOnChainAndNothingIsMintedTwice() throws Exception {
    String fan = Ed25519Signer.generate("fan").address().toString();
    String tip = txid();
    MintingSettings shortWindow = MintingSettings.load(MintingFixture.MINTING.withFallback(ConfigFactory.load()));
    StickerMinter minter = new StickerMinter(mintKey, shortWindow, SignatureLog.NONE);
    StickerMinter.MintOrder order = new StickerMinter.MintOrder(tip, false);
    StickerMinter.SignedMint onChain = minter.sign(order, gateway.params().toCompletableFuture().get(10, TimeUnit.SECONDS));
    gateway.submit(onChain.signedBytes()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Confirmation confirmed = gateway.awaitConfirmation(onChain.txId(), onChain.firstValid(), onChain.lastValid())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertNotNull(confirmed.assetId());
    ChainParams later = gateway.params().toCompletableFuture().get(10, TimeUnit.SECONDS);
    StickerMinter.SignedMint zombie = minter.sign(order, later);
    assertNotEquals(onChain.txId(), zombie.txId());
    assertTrue(zombie.firstValid() <= onChain.lastValid(), "the two windows overlap, so the lease excludes the second");

    // The testkit clears a behavior's journal when it spawns it: the journal is written after that,
    // and the book recovers from it.
    var kit = EventSourcedBehaviorTestKit.<StickerBook.Command, StickerBook.Event, StickerBook.State>create(
        testKit.system(), StickerBook.create(fan, Clock.systemUTC(), pipeline, 10));
    PersistenceTestKit.create(testKit.system()).persistForRecovery(PersistenceId.of(StickerBook.ENTITY_KEY.name(), fan).id(),
        List.<Object>of(requested(fan, onChain), requested(fan, zombie)));
    kit.restart();
    StickerBook.Sticker recovered = kit.getState().sticker(tip).orElseThrow();
    assertEquals(zombie.txId(), recovered.txId());
    assertEquals(List.of(new MintingPipeline.Attempt(onChain.txId(), onChain.firstValid(), onChain.lastValid())),
        recovered.earlier(), "the replaced creation is kept while the sticker is unfinished");

    StickerBook.Sticker minted = awaitMinted(kit, tip);
    assertEquals(confirmed.assetId(), minted.assetId(), "the sticker is the asset already on chain");
    assertEquals(onChain.txId(), minted.txId());
    // Past the zombie's window (and a rebuild's lease) nothing else was created for this tip.
    while (devnet.currentRound() <= zombie.lastValid() + 5) Thread.sleep(100);
    AlgodClient algod = AlgorandGenesis.client(devnet.url(), devnet.apiToken());
    List<Asset> created = algod.AccountInformation(mintKey.address()).execute().body().createdAssets;
    assertEquals(1, created.stream().filter(a -> minter.metadataUrl(tip).equals(a.params.url)).count(),
        "exactly one sticker created for the tip");
    kit.restart();
    assertEquals(StickerBook.MintStatus.MINTED, kit.getState().sticker(tip).orElseThrow().status());
  }

  private static StickerBook.MintRequested requested(String fan, StickerMinter.SignedMint mint) {
    return new StickerBook.MintRequested(fan, mint.tipTxId(), 40, new byte[32], "CREATOR", false, mint.txId(), mint.signedBytes(),
        mint.firstValid(), mint.lastValid(), false, -1, Instant.now());
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
