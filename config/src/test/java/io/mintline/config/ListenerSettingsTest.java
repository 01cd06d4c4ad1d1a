package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerSettingsTest {

  @Test
  void defaultsAreTheDocumentedBounds() {
    ListenerSettings s = ListenerSettings.load(ConfigFactory.load());
    assertTrue(s.enabled());
    assertEquals(30, s.fetchParallelism());
    assertEquals(Duration.ofSeconds(5), s.pollInterval());
    assertEquals(Duration.ofSeconds(10), s.staleAfter(), "stale after two poll intervals");
    assertEquals(100_000, s.minTipMicroAlgos());
  }

  @Test
  void aBadValueNamesItsKey() {
    var bad = ConfigFactory.parseString("mintline.listener.fetch-parallelism = 0").withFallback(ConfigFactory.load());
    SettingsException e = assertThrows(SettingsException.class, () -> ListenerSettings.load(bad));
    assertTrue(e.getMessage().contains("mintline.listener.fetch-parallelism"), e.getMessage());
    var backwards = ConfigFactory.parseString("mintline.listener.restart { min-backoff = 10s, max-backoff = 1s }")
        .withFallback(ConfigFactory.load());
    e = assertThrows(SettingsException.class, () -> ListenerSettings.load(backwards));
    assertTrue(e.getMessage().contains("mintline.listener.restart.max-backoff"), e.getMessage());
  }
}
