package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WalletEntityTest {
  private static final String ADDRESS = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
  private static final String OTHER_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load("engine-test.conf")));

  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
  private EventSourcedBehaviorTestKit<WalletEntity.Command, WalletEntity.Event, WalletEntity.State> kit;

  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis.getAndAdd(1000)); }
  };

  @BeforeEach
  void setUp() {
    // Serialization checks of commands, events, state and replies stay on (the default).
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), WalletEntity.create(ADDRESS, clock));
  }

  @AfterAll
  static void tearDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void anUnseenWalletIsUnknownAndAskingPersistsNothing() {
    var result = kit.<WalletEntity.Summary>runCommand(WalletEntity.GetWallet::new);
    assertFalse(result.reply().known());
    assertEquals(0, result.reply().timesSeen());
    assertTrue(result.events().isEmpty());
  }

  @Test
  void seeingAWalletPersistsSeenAndCounts() {
    var first = kit.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    assertEquals(WalletEntity.Seen.class, first.event().getClass());
    assertEquals("login", ((WalletEntity.Seen) first.event()).via());
    var second = kit.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("tip", replyTo));

    WalletEntity.Summary summary = second.reply();
    assertTrue(summary.known());
    assertEquals(2, summary.timesSeen());
    assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), summary.firstSeen());
    assertEquals(Instant.ofEpochMilli(1_700_000_001_000L), summary.lastSeen());
  }

  @Test
  void sightingsWithinTheResolutionAreNotWrittenAgain() {
    var wallet = EventSourcedBehaviorTestKit.<WalletEntity.Command, WalletEntity.Event, WalletEntity.State>create(
        testKit.system(), WalletEntity.create(OTHER_ADDRESS, clock, null, Duration.ofMillis(2500)));
    var first = wallet.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    assertEquals(1, first.events().size());
    // The test clock advances 1 s per reading: 1 s and 2 s later are within 2.5 s, 3 s is not.
    var soon = wallet.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    var stillSoon = wallet.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    assertTrue(soon.events().isEmpty());
    assertTrue(stillSoon.events().isEmpty());
    assertEquals(1, stillSoon.reply().timesSeen());
    assertEquals(first.reply().lastSeen(), stillSoon.reply().lastSeen());

    var later = wallet.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("tip", replyTo));
    assertEquals(1, later.events().size());
    assertEquals(2, later.reply().timesSeen());
    assertEquals(first.reply().lastSeen().plusSeconds(3), later.reply().lastSeen());
  }

  @Test
  void stateSurvivesARestart() {
    kit.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    kit.<WalletEntity.Summary>runCommand(replyTo -> new WalletEntity.MarkSeen("login", replyTo));
    WalletEntity.State before = kit.getState();

    kit.restart();

    assertEquals(before, kit.getState());
    var after = kit.<WalletEntity.Summary>runCommand(WalletEntity.GetWallet::new).reply();
    assertEquals(2, after.timesSeen());
  }

  @Test
  void eventsAreTaggedForTheirSlice() {
    String tag = WalletEntity.tagFor(ADDRESS);
    assertTrue(tag.matches("wallet-[0-" + (WalletEntity.TAG_SLICES - 1) + "]"), tag);
  }

  @Test
  void aTipIsRecordedOncePerTxidAndSideAndSurvivesARestart() {
    TipReceived tip = new TipReceived("TX".repeat(26), 42, new byte[32], "FAN", ADDRESS, 50_000);
    var first = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.RECEIVED, true, r));
    assertFalse(first.reply().duplicate());
    WalletEntity.TipRecorded recorded = (WalletEntity.TipRecorded) first.event();
    assertEquals(TipReceived.Direction.RECEIVED, recorded.direction());
    assertTrue(recorded.belowMinimum(), "the below-minimum flag is kept");
    assertEquals(42, recorded.round());

    var again = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.RECEIVED, true, r));
    assertTrue(again.reply().duplicate());
    assertTrue(again.events().isEmpty(), "a repeated tip persists nothing");

    kit.restart();
    var afterRestart = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.RECEIVED, true, r));
    assertTrue(afterRestart.reply().duplicate());
    assertTrue(afterRestart.events().isEmpty());
    // The same txid on the other side (a wallet tipping its own TipProxy) is its own record.
    var sent = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.SENT, true, r));
    assertFalse(sent.reply().duplicate());
    assertEquals(1, sent.events().size());
  }

  /**
   * A creator's tips of a round come as one command: the new ones in one write, each de-duplicated
   * exactly as tip by tip, against what a single RecordTip recorded too, and through a restart.
   */
  @Test
  void aCreatorsTipsOfARoundAreRecordedInOneWriteOncePerTxid() {
    java.util.function.IntFunction<TipReceived> tip = i -> new TipReceived(String.format("T%051d", i), 42, new byte[32], "FAN" + i, ADDRESS,
        i == 2 ? 50_000 : 200_000);
    var single = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip.apply(0), TipReceived.Direction.RECEIVED, false, 41, r));
    assertFalse(single.reply().duplicate());

    java.util.List<WalletEntity.ReceivedTip> round = java.util.stream.IntStream.range(0, 5)
        .mapToObj(i -> new WalletEntity.ReceivedTip(tip.apply(i), i == 2)).toList();
    var batch = kit.<WalletEntity.TipsAck>runCommand(r -> new WalletEntity.RecordReceivedTips(round, 41, r));
    assertEquals(new WalletEntity.TipsAck(4, 1), batch.reply(), "tip 0 was recorded already");
    assertEquals(4, batch.events().size(), "one write of the four new tips");
    for (var event : batch.events()) {
      WalletEntity.TipRecorded recorded = (WalletEntity.TipRecorded) event;
      assertEquals(TipReceived.Direction.RECEIVED, recorded.direction());
      assertEquals(recorded.tipTxId().equals(tip.apply(2).tipTxId()), recorded.belowMinimum(), "the below-minimum flag of each tip");
    }

    kit.restart();
    var redelivered = kit.<WalletEntity.TipsAck>runCommand(r -> new WalletEntity.RecordReceivedTips(round, 41, r));
    assertEquals(new WalletEntity.TipsAck(0, 5), redelivered.reply());
    assertTrue(redelivered.events().isEmpty(), "a redelivered round persists nothing");
    var oneByOne = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip.apply(3), TipReceived.Direction.RECEIVED, false, 41, r));
    assertTrue(oneByOne.reply().duplicate(), "a tip the batch recorded is a duplicate tip by tip");
  }

  private static TipReceived evmTip(long chainId, int i, long block) {
    return new TipReceived(TipReceived.evmTipId(chainId, String.format("0x%064x", i), 0), block, new byte[32], OTHER_ADDRESS, ADDRESS,
        1_000);
  }

  private WalletEntity.TipAck deliver(TipReceived tip, long watermark, long reorgWindow) {
    return kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(tip, TipReceived.Direction.RECEIVED, false, watermark,
        reorgWindow, r)).reply();
  }

  /**
   * EVM deliveries carry the listener's watermark and its reorg window: the wallet forgets an EVM tip
   * once the chain is read a reorg window past it, so 5,000 tips leave a few dozen keys (and none of
   * the Algorand window's), through a restart; every repeat the listener can still send is a duplicate.
   */
  @Test
  void evmTipKeysStayBoundedByTheWatermarkAndTheReorgWindow() {
    int window = 12;
    for (int i = 1; i <= 5_000; i++) {
      // One tip per block; the watermark is the block before (a main-scan delivery).
      assertFalse(deliver(evmTip(31337, i, 100 + i), 99 + i, window).duplicate());
    }
    WalletEntity.State state = kit.getState();
    assertTrue(state.evmTipKeys() <= window + 2, "EVM keys kept: " + state.evmTipKeys());
    assertEquals(0, state.tips().size(), "EVM tips are not in the Algorand window");
    kit.restart();
    assertEquals(state.evmTipKeys(), kit.getState().evmTipKeys());
    // A redelivery after a crash (same block, the watermark the listener had persisted), old or recent: a duplicate.
    assertTrue(deliver(evmTip(31337, 5_000, 5_100), 5_095, window).duplicate());
    assertTrue(deliver(evmTip(31337, 10, 110), 109, window).duplicate());
    // Another chain counts its own blocks: its tip at a low block number is new.
    assertFalse(deliver(evmTip(8453, 10, 110), 109, window).duplicate());
  }

  /**
   * A reorganisation sends the EVM listener back to a fork point below watermarks it already
   * delivered, and a replaced block's tip can come back in a later block of the new chain: still a
   * duplicate. A tip first seen in the new chain is new.
   */
  @Test
  void aTipReincludedInALaterBlockAfterAReorganisationIsADuplicate() {
    int window = 12;
    for (int i = 1; i <= 30; i++) assertFalse(deliver(evmTip(31337, i, 100 + i), 99 + i, window).duplicate());
    // Blocks 125..130 are replaced (fork at 124, within the window); tip 27 (block 127) is mined again in block 133.
    assertTrue(deliver(evmTip(31337, 27, 133), 124, window).duplicate(), "a re-included tip is not recorded twice");
    assertFalse(deliver(evmTip(31337, 900, 126), 124, window).duplicate(), "a tip of the new chain is new");
    // Without the lag (as an Algorand-style window would do) the re-included tip's key would be gone already.
    assertFalse(TipWindow.EMPTY.record("r:x", 127, 126).record("r:y", 131, 130).handled("r:x", 133, 124),
        "the case the lag covers: settled past the tip's block, redelivered in a later block");
  }

  private WalletEntity.TipAck withdraw(TipReceived tip) {
    return kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.WithdrawTip(tip.tipTxId(), TipReceived.Direction.RECEIVED, r))
        .reply();
  }

  /**
   * The EVM listener withdraws the tips of replaced blocks before it reads the new chain: the wallet
   * persists TipWithdrawn and forgets the key, so the new chain's delivery of the tip (another block,
   * a watermark at the fork) is recorded again, and from then on it is a duplicate as usual. A
   * withdrawal of a tip the wallet does not have (told twice, or never recorded) persists nothing.
   */
  @Test
  void aTipWithdrawnByAReorganisationIsRecordedAgainFromTheNewChain() {
    int window = 12;
    for (int i = 1; i <= 30; i++) assertFalse(deliver(evmTip(31337, i, 100 + i), 99 + i, window).duplicate());
    var withdrawn = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.WithdrawTip(evmTip(31337, 27, 127).tipTxId(),
        TipReceived.Direction.RECEIVED, r));
    assertFalse(withdrawn.reply().duplicate());
    assertEquals(WalletEntity.TipWithdrawn.class, withdrawn.event().getClass());
    var again = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.WithdrawTip(evmTip(31337, 27, 127).tipTxId(),
        TipReceived.Direction.RECEIVED, r));
    assertTrue(again.reply().duplicate(), "withdrawn once");
    assertTrue(again.events().isEmpty());
    assertTrue(withdraw(evmTip(31337, 901, 127)).duplicate(), "a tip never recorded: nothing to withdraw");
    kit.restart();
    // The new chain (fork at 124) has tip 27 again in block 133: recorded again, once.
    var recorded = kit.<WalletEntity.TipAck>runCommand(r -> new WalletEntity.RecordTip(evmTip(31337, 27, 133),
        TipReceived.Direction.RECEIVED, false, 124, window, r));
    assertFalse(recorded.reply().duplicate(), "re-included after its withdrawal: recorded again");
    assertEquals(133, ((WalletEntity.TipRecorded) recorded.event()).round());
    assertTrue(deliver(evmTip(31337, 27, 133), 125, window).duplicate());
    // Tips not withdrawn stay duplicates; the sent side of the withdrawn tip was not touched.
    assertTrue(deliver(evmTip(31337, 28, 128), 124, window).duplicate());
  }
}
