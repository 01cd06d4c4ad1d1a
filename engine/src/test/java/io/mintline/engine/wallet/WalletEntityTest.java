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
}
