package io.mintline.engine.persistence;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import org.junit.jupiter.api.Test;

/** What the persistence plugins are told, derived from the typed {@code mintline.db} settings. */
class JournalConfigTest {
  @Test
  void theJournalWriteQueueHoldsWhatTheNodeMayPersistAtOnce() {
    Config akka = JournalDatabase.akkaConfig(MintlineSettings.load(ConfigFactory.load()).database());
    // akka-persistence-jdbc's own default (1000) failed writes under a minting burst.
    assertEquals(10_000, akka.getInt("jdbc-journal.bufferSize"));
    assertEquals(10, akka.getInt("akka-persistence-jdbc.shared-databases.mintline.db.maxConnections"));

    Config tuned = ConfigFactory.parseString("mintline.db.journal-write-buffer = 25000").withFallback(ConfigFactory.load());
    assertEquals(25_000, JournalDatabase.akkaConfig(MintlineSettings.load(tuned).database()).getInt("jdbc-journal.bufferSize"));
  }

  @Test
  void thePluginsCircuitBreakersRetryWithinASecondOnceTheyOpen() {
    Config akka = JournalDatabase.akkaConfig(MintlineSettings.load(ConfigFactory.load()).database())
        .withFallback(ConfigFactory.load()).resolve();
    // Akka's 30 s and 60 s kept entities from recovering for a minute after PostgreSQL was back (DatabaseRestartTest).
    assertEquals(java.time.Duration.ofSeconds(1), akka.getDuration("jdbc-journal.circuit-breaker.reset-timeout"));
    assertEquals(java.time.Duration.ofSeconds(1), akka.getDuration("jdbc-snapshot-store.circuit-breaker.reset-timeout"));
  }

  @Test
  void aWriteQueueTooSmallToBeUsefulIsRefusedAtStart() {
    Config tiny = ConfigFactory.parseString("mintline.db.journal-write-buffer = 10").withFallback(ConfigFactory.load());
    SettingsException e = assertThrows(SettingsException.class, () -> MintlineSettings.load(tiny));
    assertTrue(e.getMessage().contains("mintline.db.journal-write-buffer"), e.getMessage());
  }
}
