package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProjectionSettingsTest {

  @Test
  void defaultsAreTheDocumentedGroup() {
    ProjectionSettings s = ProjectionSettings.load(ConfigFactory.load());
    assertEquals(500, s.groupSize());
    assertEquals(Duration.ofMillis(200), s.groupWindow());
  }

  @Test
  void aBadValueNamesItsKey() {
    var zero = ConfigFactory.parseString("mintline.projections.group-size = 0").withFallback(ConfigFactory.load());
    SettingsException e = assertThrows(SettingsException.class, () -> ProjectionSettings.load(zero));
    assertTrue(e.getMessage().contains("mintline.projections.group-size"), e.getMessage());
    var words = ConfigFactory.parseString("mintline.projections.group-window = soon").withFallback(ConfigFactory.load());
    e = assertThrows(SettingsException.class, () -> ProjectionSettings.load(words));
    assertTrue(e.getMessage().contains("mintline.projections.group-window"), e.getMessage());
  }
}
