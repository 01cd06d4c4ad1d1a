package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvmListenerSettingsTest {

  @Test
  void defaultsAreTheDocumentedBounds() {
    EvmListenerSettings s = EvmListenerSettings.load(ConfigFactory.load());
    assertTrue(s.enabled());
    assertEquals(Duration.ofSeconds(1), s.pollInterval());
    assertEquals(500, s.maxBlockRange());
    assertEquals(4, s.catchUpParallelism());
    assertEquals(64, s.reorgWindow());
    assertEquals(Duration.ofSeconds(30), s.staleAfter());
    assertEquals(0, s.minTipWei());
    assertTrue(s.stickers());
  }

  @Test
  void badValuesNameTheirKey() {
    var zeroRange = ConfigFactory.parseString("mintline.evm.listener.max-block-range = 0").withFallback(ConfigFactory.load());
    SettingsException e = assertThrows(SettingsException.class, () -> EvmListenerSettings.load(zeroRange));
    assertTrue(e.getMessage().contains("mintline.evm.listener.max-block-range"), e.getMessage());
    var negative = ConfigFactory.parseString("mintline.evm.listener.min-tip-wei = -1").withFallback(ConfigFactory.load());
    e = assertThrows(SettingsException.class, () -> EvmListenerSettings.load(negative));
    assertTrue(e.getMessage().contains("mintline.evm.listener.min-tip-wei"), e.getMessage());
    var staleBeforePoll = ConfigFactory.parseString("mintline.evm.listener { poll-interval = 5s, stale-after = 2s }")
        .withFallback(ConfigFactory.load());
    e = assertThrows(SettingsException.class, () -> EvmListenerSettings.load(staleBeforePoll));
    assertTrue(e.getMessage().contains("mintline.evm.listener.stale-after"), e.getMessage());
  }
}
