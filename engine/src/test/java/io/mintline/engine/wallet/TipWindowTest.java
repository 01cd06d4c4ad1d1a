package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The tip window against the listener's delivery rules: a main scan delivers rounds above the
 * watermark it carries, a rescan of a newly watched TipProxy rounds at or below it (and may repeat
 * until the listener moves past it). Nothing is counted twice, nothing new is taken for a repeat,
 * and the window stays as small as the rounds not settled yet.
 */
class TipWindowTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aMainScanOfAMillionTipsKeepsOnlyTheUnsettledRoundsAndTellsEveryRepeat() {
    TipWindow w = TipWindow.EMPTY;
    int batch = 200;
    int maxSize = 0;
    for (int round = 1; round <= 1_000_000; round++) {
      // The listener persists its watermark every `batch` rounds: deliveries carry the last one.
      long watermark = (round - 1) / batch * batch;
      String key = "s:" + round;
      assertFalse(w.handled(key, round, watermark));
      w = w.record(key, round, watermark);
      assertTrue(w.handled(key, round, watermark), "a repeat in the same batch");
      maxSize = Math.max(maxSize, w.size());
    }
    assertTrue(maxSize <= 2 * batch, "window held " + maxSize + " keys");
    // Every old tip delivered again (an in-flight message of an earlier run) is a duplicate.
    for (int round = 1; round <= 999_000; round += 997) {
      assertTrue(w.handled("s:" + round, round, (round - 1) / batch * batch), "round " + round);
    }
  }

  @Test
  void aRescanBelowTheWatermarkIsNewOnceAndARepeatedRescanIsADuplicateUntilTheListenerMovesOn() {
    TipWindow w = TipWindow.EMPTY;
    // Main scan up to round 1000 (watermark 990 when these were delivered).
    for (int round = 991; round <= 1000; round++) w = w.record("s:main" + round, round, 990);
    assertEquals(990, w.settled());
    // A TipProxy watched from round 980 is rescanned at watermark 1000: its tips are below the
    // watermark and below what this window settled, yet new.
    assertFalse(w.handled("s:late985", 985, 1000), "a rescanned tip is new the first time");
    w = w.record("s:late985", 985, 1000);
    // The rescan fails and runs again: the same tip is a duplicate.
    assertTrue(w.handled("s:late985", 985, 1000));
    // A rescan does not settle anything: other rescanned tips are still new.
    assertEquals(990, w.settled());
    assertFalse(w.handled("s:late986", 986, 1000));
    // Once the main scan has moved past the rescan's watermark, the rescanned key is forgotten and a
    // late message of the rescan is known settled.
    w = w.record("s:main1001", 1001, 1000);
    assertTrue(w.handled("s:late985", 985, 1000));
    assertTrue(w.size() <= 11, w.toString());
    w = w.record("s:main1250", 1250, 1201);
    assertFalse(w.entries().stream().anyMatch(e -> e.key().equals("s:late985")), "forgotten once settled");
    assertTrue(w.handled("s:late985", 985, 1000), "still a duplicate");
    assertTrue(w.handled("s:main995", 995, 990));
  }

  @Test
  void deliveriesWithoutAWatermarkAreRememberedForever() {
    TipWindow w = TipWindow.EMPTY.record("s:a", 5, -1).record("s:b", 6, 1000);
    w = w.record("s:c", 2000, 1500);
    assertTrue(w.handled("s:a", 5, -1));
    assertFalse(w.handled("s:z", 5, -1), "a new tip without a watermark is new");
  }

  @Test
  void theWindowIsAValueASnapshotCanSerializeWhileTheNextTipIsRecorded() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    TipWindow w = TipWindow.EMPTY;
    Random random = new Random(3);
    for (int i = 1; i <= 10_000; i++) w = w.record("s:" + random.nextLong(), i, i - 50);
    TipWindow snapshot = w;
    String before = snapshot.entries().toString();
    // The entity goes on recording while the snapshot store serializes the state it was handed.
    Thread writer = new Thread(() -> {
      TipWindow next = snapshot;
      for (int i = 10_001; i <= 60_000; i++) next = next.record("s:" + i, i, i - 50);
    });
    writer.start();
    byte[] bytes = serialization.serialize(snapshot).get();
    writer.join();
    var serializer = serialization.findSerializerFor(snapshot);
    Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, snapshot)).get();
    assertEquals(snapshot, back);
    assertEquals(before, snapshot.entries().toString(), "the value handed to the snapshot never changed");
  }
}
