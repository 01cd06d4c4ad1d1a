package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** mintline.keys.multisig: off by default, the members and threshold read, bad values named. */
class MultisigSettingsTest {
  private static final String A = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  private static final String B = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
  private static final String C = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

  private static Config with(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void noRoleIsAMultisigByDefault() {
    MultisigSettings s = MultisigSettings.load(with(Map.of()));
    assertTrue(s.deploy().isEmpty());
    assertTrue(s.admin().isEmpty());
    assertEquals(1000, s.validityRounds());
    assertEquals(Duration.ofMillis(500), s.pollInterval());
  }

  @Test
  void membersAndThresholdAreRead() {
    MultisigSettings s = MultisigSettings.load(with(Map.of("mintline.keys.multisig.deploy-keys", A + ", " + B + "," + C,
        "mintline.keys.multisig.deploy-threshold", 2)));
    assertEquals(new MultisigSettings.Account(2, List.of(A, B, C)), s.deploy().orElseThrow());
    assertTrue(s.admin().isEmpty());
  }

  @Test
  void badValuesNameTheirKey() {
    assertKey("mintline.keys.multisig.deploy-keys", Map.of("mintline.keys.multisig.deploy-keys", A + ",nope"));
    assertKey("mintline.keys.multisig.deploy-keys", Map.of("mintline.keys.multisig.deploy-keys", A));
    assertKey("mintline.keys.multisig.deploy-keys", Map.of("mintline.keys.multisig.deploy-keys", A + "," + A));
    assertKey("mintline.keys.multisig.admin-threshold", Map.of("mintline.keys.multisig.admin-keys", A + "," + B,
        "mintline.keys.multisig.admin-threshold", 3));
    assertKey("mintline.keys.multisig.validity-rounds", Map.of("mintline.keys.multisig.validity-rounds", 1001));
  }

  private static void assertKey(String key, Map<String, Object> overrides) {
    SettingsException e = assertThrows(SettingsException.class, () -> MultisigSettings.load(with(overrides)));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
