package io.mintline.engine.persistence;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.NoOffset;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node paused in the middle of a journal write (a long GC, SIGSTOP, a partition: cluster drill 2)
 * holds an open transaction, and with it the row of the event it is writing. The entity's new owner
 * elsewhere writes the same sequence number: its insert takes a journal position and then waits for
 * that row. The database aborts the paused transaction after {@code idle-in-transaction-timeout}, the
 * new owner's write goes through, and the read side, which waits {@code journal-gap-wait} for a
 * missing position, still sees the event although later positions were committed before it.
 *
 * <p>Before, nothing aborted the paused transaction, and the read side read past a missing position
 * after 2 s: when the paused node resumed, its write committed at a position every projection had
 * already passed, and that event was never on the read side (drill 2's 299 stickers of 300).
 */
class PausedWriterTest {

  @Test
  void aWriteStuckBehindAPausedTransactionStillReachesTheReadSide() throws Exception {
    Config config = ConfigFactory.parseString(
            "mintline.db { idle-in-transaction-timeout = 5s, journal-gap-wait = 10s }")
        .withFallback(TestDatabases.postgres());
    ActorSystem<Void> system = TestSystems.start(config, s -> { });
    Connection paused = null;
    try {
      String tag = "paused-" + UUID.randomUUID().toString().substring(0, 8);
      String entity = "probe|" + tag + "-a";

      // The paused node: a connection of the node's pool that began writing event 1 of the entity
      // and then stopped talking to the database.
      paused = JournalDatabase.get(system).dataSource().getConnection();
      paused.setAutoCommit(false);
      try (PreparedStatement insert = paused.prepareStatement(
          "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp,"
              + " event_ser_id, event_ser_manifest, event_payload) VALUES (?, 1, 'paused-node', 0, 0, '', ?)")) {
        insert.setString(1, entity);
        insert.setBytes(2, new byte[] {1});
        insert.executeUpdate();
      }
      long pausedAt = System.nanoTime();

      CopyOnWriteArrayList<String> seen = new CopyOnWriteArrayList<>();
      PersistenceQuery.get(system.classicSystem())
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
          .eventsByTag(tag, NoOffset.getInstance())
          .map(EventEnvelope::event)
          .runWith(Sink.foreach(e -> seen.add((String) e)), system);

      // The new owner writes event 1: its insert takes a journal position and waits for the row.
      ActorRef<String> owner = system.systemActorOf(new ReadSideProjectionsTest.Writer(entity, tag), "owner", Props.empty());
      owner.tell("written-behind-the-paused-node");
      Thread.sleep(500);
      // Another entity writes meanwhile: a later position, committed first.
      ActorRef<String> other = system.systemActorOf(new ReadSideProjectionsTest.Writer("probe|" + tag + "-b", tag), "other", Props.empty());
      other.tell("written-meanwhile");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.size() < 2 && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(Set.of("written-behind-the-paused-node", "written-meanwhile"), Set.copyOf(seen),
          "the read side sees both events, including the one committed after a later position");
      long blockedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
      assertTrue(blockedMs < 15_000, "the new owner waited " + blockedMs + " ms for the paused write");

      // The paused node's write never lands: the database aborted its transaction.
      assertThrows(SQLException.class, paused::commit, "the paused transaction was aborted by the server");
      assertEquals(List.of("new-owner"), writersOf(system, entity));
    } finally {
      if (paused != null) {
        try {
          paused.rollback();
        } catch (SQLException aborted) {
          // the server ended it: what the test expects
        }
        paused.close();
      }
      TestSystems.stop(system);
    }
  }

  private static List<String> writersOf(ActorSystem<Void> system, String entity) throws SQLException {
    try (Connection c = JournalDatabase.get(system).dataSource().getConnection();
        PreparedStatement q = c.prepareStatement(
            "SELECT writer FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number")) {
      q.setString(1, entity);
      try (ResultSet rs = q.executeQuery()) {
        List<String> writers = new java.util.ArrayList<>();
        while (rs.next()) writers.add(rs.getString(1).equals("paused-node") ? "paused-node" : "new-owner");
        return writers;
      }
    }
  }
}
