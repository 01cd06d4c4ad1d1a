package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finished deliveries go after {@code mintline.webhooks.retention}, on H2 and PostgreSQL: the
 * worker's purge deletes delivered and failed ones last attempted before the cut, in batches, and
 * never a pending one however old, nor a finished one inside the window.
 */
class WebhookRetentionTest {
  private static final long DAY_MICROS = 86_400_000_000L;

  @TempDir Path dir;
  ActorSystem<Void> system;

  @AfterEach
  void stop() {
    if (system != null) system.terminate();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  void finishedDeliveriesOlderThanTheRetentionAreDeletedAndNothingElse(String database) throws Exception {
    Config config = WebhookTestSystems.config(TestDatabases.named(database, dir), Map.of("mintline.webhooks.retention", "30d"));
    system = WebhookTestSystems.start("webhook-retention-test", config);
    JournalDatabase journal = JournalDatabase.get(system);
    WebhookSettings settings = WebhookSettings.load(config);
    assertEquals(Duration.ofDays(30), settings.retention());
    WebhookStore store = new WebhookStore(journal.dataSource(), journal.vendor(), settings, Clock.systemUTC());
    WebhookDispatcher dispatcher = new WebhookDispatcher(system, store, settings, new UrlGuard(true, UrlGuard.SYSTEM_DNS), Runnable::run);

    long now = Instant.now().toEpochMilli() * 1000;
    // 1,500 delivered 40 days ago (more than one purge batch), and one of each kind around the cut.
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 1500; i++) rows.add(new Object[] {"msg_old_delivered_" + i, "delivered", now - 40 * DAY_MICROS});
    rows.add(new Object[] {"msg_old_failed", "failed", now - 31 * DAY_MICROS});
    rows.add(new Object[] {"msg_old_pending", "pending", now - 90 * DAY_MICROS});
    rows.add(new Object[] {"msg_recent_delivered", "delivered", now - 29 * DAY_MICROS});
    rows.add(new Object[] {"msg_recent_failed", "failed", now - DAY_MICROS});
    try (Connection c = journal.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, "
            + "attempts, next_attempt_at, created_at, updated_at) VALUES (?, 'wh_1', 'tip.received', '{}', ?, 1, 0, ?, ?)")) {
      for (Object[] row : rows) {
        s.setString(1, (String) row[0]);
        s.setString(2, (String) row[1]);
        s.setLong(3, (Long) row[2]);
        s.setLong(4, (Long) row[2]);
        s.addBatch();
      }
      s.executeBatch();
    }

    dispatcher.purge();

    List<String> left = new ArrayList<>();
    try (Connection c = journal.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM webhook_deliveries ORDER BY id")) {
      while (r.next()) left.add(r.getString(1));
    }
    assertEquals(List.of("msg_old_pending", "msg_recent_delivered", "msg_recent_failed"), left,
        "finished deliveries older than 30 days are gone, in batches; pending and recent ones stay");
  }
}
