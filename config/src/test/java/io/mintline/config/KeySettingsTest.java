package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** mintline.keys and the algod budgets: defaults, and a fast failure naming the key. */
class KeySettingsTest {

  private static Config with(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void defaultsGenerateDevnetKeysAndBoundAlgodCalls() {
    KeySettings keys = KeySettings.load(with(Map.of()));
    assertTrue(keys.deployMnemonic().isEmpty());
    assertTrue(keys.keystore().isEmpty());
    assertTrue(keys.devnetGenerate());
    assertEquals(100_000_000_000L, keys.devnetFundingMicroAlgos());
    MintlineSettings.Algod algod = MintlineSettings.load(with(Map.of())).algod();
    assertEquals(Duration.ofSeconds(5), algod.timeout());
    assertEquals(4, algod.retry().maxAttempts());
    // Several block times, far below the minute algod may hold a wait: a hung primary is left after it.
    assertEquals(Duration.ofSeconds(15), algod.followTimeout());
  }

  @Test
  void badValuesNameTheirKey() {
    var backoff = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of(
        "mintline.algod.retry.min-backoff", "10s", "mintline.algod.retry.max-backoff", "1s"))));
    assertTrue(backoff.getMessage().contains("mintline.algod.retry.max-backoff"));
    var attempts = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.algod.retry.max-attempts", 0))));
    assertTrue(attempts.getMessage().contains("mintline.algod.retry.max-attempts"));
    var funding = assertThrows(SettingsException.class, () -> KeySettings.load(with(Map.of("mintline.keys.devnet-funding", 5))));
    assertTrue(funding.getMessage().contains("mintline.keys.devnet-funding"));
    var passphrase = assertThrows(SettingsException.class, () -> KeySettings.load(with(Map.of("mintline.keys.keystore", "/tmp/k.json"))));
    assertTrue(passphrase.getMessage().contains("mintline.keys.keystore-passphrase"));
  }

  @Test
  void secretsStayOutOfToString() {
    String words = "abandon ".repeat(24) + "about";
    KeySettings keys = KeySettings.load(with(Map.of("mintline.keys.mint-mnemonic", words, "mintline.keys.keystore", "/k.json",
        "mintline.keys.keystore-passphrase", "hunter2-hunter2")));
    assertFalse(keys.toString().contains("abandon"));
    assertFalse(keys.toString().contains("hunter2"));
    assertTrue(keys.toString().contains("mint=configured"));
  }
}
