package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.mintline.config.SettingsException;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network guards refuse to start a node on the wrong chain or on mainnet with test switches. */
class NetworkGuardTest {
  @TempDir Path dataDir;

  private SettingsException refusal(Map<String, Object> settings) {
    return assertThrows(SettingsException.class,
        () -> TestNode.start(ConfigFactory.parseMap(settings).withFallback(TestDatabases.h2(dataDir))).close());
  }

  @Test
  void testnetOnAnAlgodOfAnotherChainRefusesNamingBothHashes() {
    try (Devnet devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO))) {
      SettingsException e = refusal(Map.of(
          "mintline.network", "testnet",
          "mintline.algod.url", devnet.url(),
          "mintline.algod.token", devnet.apiToken()));
      assertTrue(e.getMessage().contains("SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI="), e.getMessage());
      assertTrue(e.getMessage().contains(devnet.genesisHashBase64()), e.getMessage());
      assertTrue(e.getMessage().contains("refusing to start"), e.getMessage());
    }
  }

  @Test
  void mainnetRefusesTheDevnetDemoModeAndSimulation() {
    SettingsException devnet = refusal(Map.of("mintline.network", "mainnet"));
    assertTrue(devnet.getMessage().contains("mintline.algod.url") && devnet.getMessage().contains("devnet"), devnet.getMessage());
    for (String key : new String[] {"mintline.demo-mode", "mintline.simulation"}) {
      SettingsException e = refusal(Map.of("mintline.network", "mainnet", "mintline.algod.url", "http://127.0.0.1:9", key, true));
      assertTrue(e.getMessage().contains(key) && e.getMessage().contains("mainnet refuses"), e.getMessage());
    }
  }

  @Test
  void offDevnetTheSigningKeysMustBeConfigured() throws Exception {
    try (Devnet devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO))) {
      // The role keys are given, so the start-up gets as far as the JWT signing keys.
      SettingsException e = refusal(Map.of(
          "mintline.network", "testnet",
          "mintline.networks.testnet.genesis-hash", devnet.genesisHashBase64(),
          "mintline.algod.url", devnet.url(),
          "mintline.algod.token", devnet.apiToken(),
          "mintline.keys.mint-mnemonic", new com.algorand.algosdk.account.Account().toMnemonic(),
          "mintline.keys.deploy-mnemonic", new com.algorand.algosdk.account.Account().toMnemonic(),
          "mintline.keys.admin-mnemonic", new com.algorand.algosdk.account.Account().toMnemonic()));
      assertTrue(e.getMessage().contains("mintline.auth.jwks") && e.getMessage().contains("only devnet"), e.getMessage());
    }
  }
}
