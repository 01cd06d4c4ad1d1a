package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MintlineSettingsTest {

  private static Config with(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void defaultsAreTheEmbeddedDevnetNode() {
    MintlineSettings settings = MintlineSettings.load(ConfigFactory.defaultReference().resolve());
    assertEquals(MintlineSettings.Network.DEVNET, settings.network());
    assertEquals(8080, settings.http().port());
    assertTrue(settings.database().embedded());
    assertEquals(MintlineSettings.Vendor.H2, settings.database().vendor());
    assertTrue(settings.database().jdbcUrl().startsWith("jdbc:h2:file:"), settings.database().jdbcUrl());
    assertTrue(settings.database().jdbcUrl().contains("data"), settings.database().jdbcUrl());
    assertEquals(Duration.ofSeconds(5), settings.askTimeout());
  }

  @Test
  void aPostgresUrlSelectsPostgres() {
    MintlineSettings settings = MintlineSettings.load(with(Map.of(
        "mintline.db.url", "jdbc:postgresql://127.0.0.1:5432/mintline",
        "mintline.db.password", "s3cret")));
    assertEquals(MintlineSettings.Vendor.POSTGRES, settings.database().vendor());
    assertFalse(settings.database().toString().contains("s3cret"), "the password must never be printed");
  }

  @Test
  void aBadPortNamesTheKeyAndWhatWasExpected() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.http.port", "eighty"))));
    assertTrue(e.getMessage().contains("mintline.http.port"), e.getMessage());
    assertTrue(e.getMessage().contains("an integer from 0 to 65535"), e.getMessage());
    assertTrue(e.getMessage().contains("eighty"), e.getMessage());

    var range = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.http.port", 70000))));
    assertTrue(range.getMessage().contains("70000"), range.getMessage());
  }

  @Test
  void aJournalGapWaitShorterThanTwiceTheIdleTransactionTimeoutIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of(
        "mintline.db.idle-in-transaction-timeout", "4s", "mintline.db.journal-gap-wait", "6s"))));
    assertTrue(e.getMessage().contains("mintline.db.journal-gap-wait"), e.getMessage());
    assertTrue(e.getMessage().contains("twice mintline.db.idle-in-transaction-timeout"), e.getMessage());

    var defaults = MintlineSettings.load(with(Map.of())).database();
    assertTrue(defaults.journalGapWait().compareTo(defaults.idleInTransactionTimeout().multipliedBy(2)) >= 0);
  }

  @Test
  void anUnknownNetworkIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.network", "moonnet"))));
    assertTrue(e.getMessage().contains("mintline.network"), e.getMessage());
    assertTrue(e.getMessage().contains("devnet, testnet, mainnet"), e.getMessage());
  }

  @Test
  void aForeignJdbcUrlIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.db.url", "jdbc:mysql://x/y"))));
    assertTrue(e.getMessage().contains("mintline.db.url"), e.getMessage());
  }

  @Test
  void aNonPositiveDurationIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.ask-timeout", "0s"))));
    assertTrue(e.getMessage().contains("mintline.ask-timeout"), e.getMessage());
    var garbage = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.ask-timeout", "soon"))));
    assertTrue(garbage.getMessage().contains("positive duration"), garbage.getMessage());
  }

  @Test
  void aBadLogFormatIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.log.format", "xml"))));
    assertTrue(e.getMessage().contains("json, text"), e.getMessage());
  }

  @Test
  void devnetRunsInProcessUnlessAnAlgodUrlIsGiven() {
    MintlineSettings embedded = MintlineSettings.load(ConfigFactory.defaultReference().resolve());
    assertTrue(embedded.runsEmbeddedDevnet());
    assertEquals(4001, embedded.devnet().port());

    MintlineSettings external = MintlineSettings.load(with(Map.of("mintline.algod.url", "http://127.0.0.1:4002/")));
    assertFalse(external.runsEmbeddedDevnet());
    assertEquals("http://127.0.0.1:4002", external.algod().url());
  }

  @Test
  void testnetAndMainnetNeedAnAlgodUrl() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.network", "mainnet"))));
    assertTrue(e.getMessage().contains("mintline.algod.url"), e.getMessage());
  }

  @Test
  void aMalformedAlgodUrlIsRefused() {
    var e = assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.algod.url", "ftp://x"))));
    assertTrue(e.getMessage().contains("http(s)"), e.getMessage());
  }

  @Test
  void theDevnetBlockIntervalMayBeZeroButNotNegative() {
    assertEquals(java.time.Duration.ZERO,
        MintlineSettings.load(with(Map.of("mintline.devnet.block-interval", "0s"))).devnet().blockInterval());
    assertThrows(SettingsException.class, () -> MintlineSettings.load(with(Map.of("mintline.devnet.block-interval", "-1s"))));
  }
}
