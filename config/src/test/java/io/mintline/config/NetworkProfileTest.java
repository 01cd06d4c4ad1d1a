package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Network profiles, the mainnet guards and the auth settings. */
class NetworkProfileTest {

  private static Config with(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static NetworkProfile profile(Config config) {
    return NetworkProfile.load(config, MintlineSettings.load(config));
  }

  @Test
  void profilesCarryTheExpectedGenesisHashes() {
    assertNull(profile(with(Map.of())).expectedGenesisHash(), "the devnet's hash is whatever the devnet has");
    assertEquals("SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=", profile(with(Map.of(
        "mintline.network", "testnet", "mintline.algod.url", "http://127.0.0.1:4001"))).expectedGenesisHash());
    assertEquals("wGHE2Pwdvd7S12BL5FaOP20EGYesN73ktiC1qzkkit8=", profile(with(Map.of(
        "mintline.network", "mainnet", "mintline.algod.url", "http://127.0.0.1:4001"))).expectedGenesisHash());
  }

  @Test
  void mainnetRefusesDemoModeAndSimulation() {
    for (String key : List.of("mintline.demo-mode", "mintline.simulation")) {
      var e = assertThrows(SettingsException.class, () -> profile(with(Map.of(
          "mintline.network", "mainnet", "mintline.algod.url", "https://mainnet.example", key, true))));
      assertTrue(e.getMessage().contains(key) && e.getMessage().contains("mainnet refuses"), e.getMessage());
    }
    // The same switches are fine off mainnet.
    assertTrue(profile(with(Map.of("mintline.demo-mode", true, "mintline.simulation", true))).demoMode());
  }

  @Test
  void mainnetRefusesTheInProcessDevnet() {
    var e = assertThrows(SettingsException.class, () -> profile(with(Map.of("mintline.network", "mainnet"))));
    assertTrue(e.getMessage().contains("mintline.algod.url") && e.getMessage().contains("devnet"), e.getMessage());
  }

  @Test
  void evmChainIdsAreAnAllowList() {
    NetworkProfile p = profile(with(Map.of("mintline.evm.chain-ids", "8453, 1")));
    assertEquals(List.of(8453L, 1L), p.evmChainIdList());
    assertEquals(8453L, p.defaultEvmChainId());
    var e = assertThrows(SettingsException.class, () -> profile(with(Map.of("mintline.evm.chain-ids", "1,mainnet"))));
    assertTrue(e.getMessage().contains("mintline.evm.chain-ids"), e.getMessage());
  }

  @Test
  void authSettingsValidateDomainsAndHideTheKeys() {
    AuthSettings auth = AuthSettings.load(with(Map.of("mintline.auth.domains", "app.example, localhost:8080",
        "mintline.auth.jwks", "{\"keys\":[{\"d\":\"secret\"}]}")));
    assertEquals("app.example", auth.defaultDomain());
    assertEquals(List.of("app.example", "localhost:8080"), auth.domains());
    assertFalse(auth.toString().contains("secret"));
    var e = assertThrows(SettingsException.class, () -> AuthSettings.load(with(Map.of("mintline.auth.domains", "evil.example/path"))));
    assertTrue(e.getMessage().contains("mintline.auth.domains"), e.getMessage());
  }
}
