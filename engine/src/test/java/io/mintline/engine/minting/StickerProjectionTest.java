package io.mintline.engine.minting;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.Sequence;
import akka.projection.eventsourced.EventEnvelope;
import com.typesafe.config.Config;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stickers table as the projection writes it, on H2 and PostgreSQL: one group mixing requests,
 * a rebuilt request, confirmations, a failure, a claim and replays, applied in event order.
 */
class StickerProjectionTest {
  private static final String FAN = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

  @TempDir Path dataDir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  void eventsBecomeRowsInEventOrder(String database) throws Exception {
    Config db = TestDatabases.named(database, dataDir);
    ActorSystem<Void> system = TestSystems.start(db);
    try {
      JournalDatabase journal = JournalDatabase.get(system);
      String prefix = UUID.randomUUID().toString().substring(0, 8);
      String minted = prefix + "-minted";
      String rebuilt = prefix + "-rebuilt";
      String failed = prefix + "-failed";
      String waiting = prefix + "-waiting";

      List<StickerBook.Event> events = new ArrayList<>();
      events.add(requested(minted, "TX-A", true, 0));
      events.add(requested(rebuilt, "TX-B1", false, 1));
      events.add(requested(failed, "TX-C", false, 2));
      events.add(requested(waiting, "TX-D", false, 3));
      // The first request for "rebuilt" expired; its book signed again.
      events.add(requested(rebuilt, "TX-B2", false, 4));
      events.add(new StickerBook.StickerMinted(FAN, minted, 1001, true, 50, "TX-A", T0.plusSeconds(5)));
      events.add(new StickerBook.StickerMinted(FAN, rebuilt, 1002, false, 51, "TX-B2", T0.plusSeconds(6)));
      events.add(new StickerBook.MintFailed(FAN, failed, "below minimum balance", T0.plusSeconds(7)));
      events.add(new StickerBook.StickerClaimed(FAN, minted, 1001, "TX-CLAIM", T0.plusSeconds(8)));
      // Replays of old requests must not undo a sticker or its txid.
      events.add(requested(minted, "TX-A", true, 9));
      events.add(requested(rebuilt, "TX-B1", false, 10));
      // Nor does a refusal written after the mint (a paused node's book, writing before it learns it was downed).
      events.add(new StickerBook.MintFailed(FAN, minted, "refused for the lease", T0.plusSeconds(11)));
      apply(journal, events);

      assertEquals("minted|TX-A|1001|true|true|TX-CLAIM|50", row(journal, minted));
      assertEquals("minted|TX-B2|1002|false|false|null|51", row(journal, rebuilt));
      assertEquals("failed|TX-C|null|false|false|null|null", row(journal, failed));
      assertEquals("requested|TX-D|null|false|false|null|null", row(journal, waiting));

      // Operators see the failure, with its reason and time, among the recent ones.
      List<StickerReadSide.FailedMint> recent = new StickerReadSide(system).recentFailed(100)
          .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(List.of(new StickerReadSide.FailedMint(failed, FAN, "CREATOR", "below minimum balance", T0.plusSeconds(7))),
          recent.stream().filter(f -> f.tipTxId().startsWith(prefix)).toList());

      // Applying the same group again (a projection restarted before its offset was saved) changes nothing.
      apply(journal, events);
      assertEquals("minted|TX-A|1001|true|true|TX-CLAIM|50", row(journal, minted));
      assertEquals("minted|TX-B2|1002|false|false|null|51", row(journal, rebuilt));
    } finally {
      TestSystems.stop(system);
    }
  }

  private static StickerBook.MintRequested requested(String tip, String txId, boolean golden, int second) {
    return new StickerBook.MintRequested(FAN, tip, 40, new byte[32], "CREATOR", golden, txId, new byte[] {1, 2, 3}, 1020, 1040, true,
        39, T0.plusSeconds(second));
  }

  private static void apply(JournalDatabase journal, List<StickerBook.Event> events) throws Exception {
    List<EventEnvelope<StickerBook.Event>> envelopes = new ArrayList<>();
    long seq = 1;
    for (StickerBook.Event e : events) {
      envelopes.add(EventEnvelope.create(Sequence.apply(seq), "StickerBook|" + FAN, seq, e, T0.toEpochMilli()));
      seq++;
    }
    PooledJdbcSession session = new PooledJdbcSession(journal.dataSource());
    try {
      new StickerProjection().process(session, envelopes);
      session.commit();
    } finally {
      session.close();
    }
  }

  private static String row(JournalDatabase journal, String tip) throws Exception {
    try (Connection c = journal.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT status, tx_id, asset_id, golden, claimed, claim_tx_id, minted_round FROM stickers WHERE tip_tx_id = ?")) {
      s.setString(1, tip);
      try (ResultSet r = s.executeQuery()) {
        assertTrue(r.next(), "no row for " + tip);
        return r.getString(1) + "|" + r.getString(2) + "|" + r.getObject(3) + "|" + r.getBoolean(4) + "|" + r.getBoolean(5)
            + "|" + r.getString(6) + "|" + r.getObject(7);
      }
    }
  }
}
