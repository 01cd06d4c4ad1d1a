package io.mintline.deploy.evm;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.EvmSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import io.mintline.deploy.keys.EvmSigner;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.devnet.testing.NodeToolchain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** EVM networks start as an operator configures them: local ganache on devnet, chain ids checked, guards on mainnet. */
class EvmNetworksTest {

  private static Config config(String extra) {
    return ConfigFactory.parseString(extra).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void aDevNetworkWithoutRpcUrlRunsOnALocalGanacheThatFundsTheGeneratedKey() throws Exception {
    Path root = NodeToolchain.require("ganache");
    EvmSettings settings = EvmSettings.load(config(""), MintlineSettings.Network.DEVNET);
    List<String> signed = new ArrayList<>();
    EvmSigner signer = EvmSigner.generate((keyId, purpose, txId) -> signed.add(keyId + " " + purpose + " " + txId));
    try (EvmNetworks networks = EvmNetworks.start(settings, "node", root.resolve("node_modules"), null, signer)) {
      EvmNetworks.Network dev = networks.network("dev");
      assertNotNull(dev.localNode(), "the dev network has no rpc-url: the node runs ganache itself");
      assertTrue(dev.gateway().url().startsWith("http://127.0.0.1:"), dev.gateway().url());
      assertEquals(31337L, dev.gateway().chainId().toCompletableFuture().get(30, TimeUnit.SECONDS));
      Object balance = dev.gateway().raw("eth_getBalance", List.of(signer.address(), "latest"))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(LocalEvmNode.FUNDING_WEI, new BigInteger(balance.toString().substring(2), 16),
          "the generated deployment key is funded by the local chain");
      assertEquals(BigInteger.ZERO, dev.gateway().pendingNonce(signer.address()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      // A second network claiming another chain id at the same URL stops the node, naming the setting.
      EvmSettings.Network wrong = new EvmSettings.Network("other", 5, dev.gateway().url(), "", 1,
          BigInteger.TEN.pow(11), Duration.ofSeconds(30));
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> EvmNetworks.checkChainId(wrong, dev.gateway()));
      assertTrue(refused.getMessage().contains("chain id 31337") && refused.getMessage().contains("mintline.evm.networks.other.chain-id is 5"),
          refused.getMessage());
      LocalEvmNode ganache = dev.localNode();
      networks.close();
      assertFalse(ganache.alive(), "closing the networks kills the local ganache");
    }
    assertTrue(signed.isEmpty(), "starting signs nothing");
  }

  /**
   * The dev network's local chain mines what two accounts send at once with different fees: while
   * ganache executes account C's long, cheap transaction, account E's dearer one arrives. On
   * ganache 7.9's instamine E's transaction stayed in the pool for good ("locked", a resend refused
   * as "mining has already started"): the stall of docs/BENCHMARKS.md that left every EVM mint of
   * a tip burst unminted.
   */
  @Test
  void theLocalChainMinesATransactionThatArrivesWhileACheaperOneOfAnotherAccountIsExecuted() throws Exception {
    Path root = NodeToolchain.require("ganache");
    EvmSettings settings = EvmSettings.load(config(""), MintlineSettings.Network.DEVNET);
    EvmSigner signer = EvmSigner.generate((keyId, purpose, txId) -> { });
    try (EvmNetworks networks = EvmNetworks.start(settings, "node", root.resolve("node_modules"), null, signer)) {
      EvmGateway chain = networks.network("dev").gateway();
      long chainId = chain.chainId().toCompletableFuture().get(30, TimeUnit.SECONDS);
      List<String> unmined = new ArrayList<>();
      int[] delaysMs = {5, 10, 20, 40, 80, 5, 10, 20};
      for (int delayMs : delaysMs) {
        org.web3j.crypto.Credentials c = org.web3j.crypto.Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
        org.web3j.crypto.Credentials e = org.web3j.crypto.Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
        for (String a : List.of(c.getAddress(), e.getAddress())) {
          chain.raw("evm_setAccountBalance", List.of(a, "0x" + BigInteger.TEN.pow(24).toString(16))).toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
        }
        BigInteger maxFee = BigInteger.valueOf(200_000_000_000L);
        // C: a creation looping until its 3,000,000 gas are gone (JUMPDEST PUSH1 0 JUMP), 1 wei priority fee.
        String cheap = org.web3j.utils.Numeric.toHexString(org.web3j.crypto.TransactionEncoder.signMessage(
            org.web3j.crypto.RawTransaction.createTransaction(chainId, BigInteger.ZERO, BigInteger.valueOf(3_000_000), "",
                BigInteger.ZERO, "0x5b600056", BigInteger.ONE, maxFee), chainId, c));
        // E: a transfer of nothing to itself at 1 gwei priority fee, sent while C's runs.
        String dear = org.web3j.utils.Numeric.toHexString(org.web3j.crypto.TransactionEncoder.signMessage(
            org.web3j.crypto.RawTransaction.createTransaction(chainId, BigInteger.ZERO, BigInteger.valueOf(21_000), e.getAddress(),
                BigInteger.ZERO, "", BigInteger.TEN.pow(9), maxFee), chainId, e));
        String cheapHash = org.web3j.crypto.Hash.sha3(cheap);
        String dearHash = org.web3j.crypto.Hash.sha3(dear);
        var cheapSent = chain.sendRaw(cheap, cheapHash).toCompletableFuture();
        Thread.sleep(delayMs);
        chain.sendRaw(dear, dearHash).toCompletableFuture().get(30, TimeUnit.SECONDS);
        cheapSent.get(30, TimeUnit.SECONDS);
        for (String hash : List.of(cheapHash, dearHash)) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          while (chain.receipt(hash).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          if (chain.receipt(hash).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty()) {
            unmined.add((hash.equals(dearHash) ? "the dear one" : "the cheap one") + " (sent " + delayMs + " ms after the cheap one)");
          }
        }
      }
      assertEquals(List.of(), unmined, "transactions not mined within 5 s, of " + delaysMs.length + " pairs");
    }
  }

  @Test
  void anRpcNodeThatDoesNotAnswerStopsTheStartWithTheNetworksName() {
    EvmSettings settings = EvmSettings.load(config(
        "mintline.evm.deploy-key = \"0x" + "11".repeat(32) + "\"\n"
            + "mintline.evm.rpc-timeout = 2s\n"
            + "mintline.evm.networks.dev.rpc-url = \"http://127.0.0.1:" + TcpPorts.closed() + "\""),
        MintlineSettings.Network.DEVNET);
    EvmSigner signer = EvmSigner.fromPrivateKey(settings.deployKey(), SignatureLog.NONE);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EvmNetworks.start(settings, "node", Path.of("node_modules"), null, signer));
    assertTrue(e.getMessage().contains("EVM network dev: eth_chainId at http://127.0.0.1:"), e.getMessage());
  }

  @Test
  void mainnetChainIdsRefuseDemoModeSimulationAndALocalChain() {
    String mainnet = "mintline.evm.deploy-key = \"0x" + "11".repeat(32) + "\"\n"
        + "mintline.evm.networks.base { chain-id = 8453, rpc-url = \"https://rpc.example\", backup-rpc-url = \"\", "
        + "confirmations = 3, max-fee-gwei = 50, replace-after = 60s }\n";
    SettingsException demo = assertThrows(SettingsException.class,
        () -> EvmSettings.load(config(mainnet + "mintline.demo-mode = true"), MintlineSettings.Network.DEVNET));
    assertTrue(demo.getMessage().contains("mintline.demo-mode"), demo.getMessage());
    SettingsException simulation = assertThrows(SettingsException.class,
        () -> EvmSettings.load(config(mainnet + "mintline.simulation = true"), MintlineSettings.Network.DEVNET));
    assertTrue(simulation.getMessage().contains("mintline.simulation"), simulation.getMessage());
    SettingsException local = assertThrows(SettingsException.class, () -> EvmSettings.load(config(
        mainnet + "mintline.evm.networks.base.rpc-url = \"\""), MintlineSettings.Network.DEVNET));
    assertTrue(local.getMessage().contains("mintline.evm.networks.base.rpc-url"), local.getMessage());
    assertEquals(8453L, EvmSettings.load(config(mainnet), MintlineSettings.Network.DEVNET).networks().get("base").chainId());
  }

  @Test
  void aLocalChainRunsOnlyOnDevnetAndARemoteOneNeedsAKey() {
    // Off devnet the default dev network (no RPC URL) is not offered: a testnet node starts without EVM settings.
    assertEquals(java.util.Set.of(), EvmSettings.load(config(""), MintlineSettings.Network.TESTNET).networks().keySet());
    assertEquals(java.util.Set.of("dev"), EvmSettings.load(config(""), MintlineSettings.Network.DEVNET).networks().keySet());
    assertEquals(java.util.Set.of("dev"), EvmSettings.load(config("mintline.evm.networks.dev.rpc-url = \"http://127.0.0.1:8545\"\n"
        + "mintline.evm.deploy-key = \"0x" + "11".repeat(32) + "\""), MintlineSettings.Network.TESTNET).networks().keySet());
    // Without the key in the settings the key ring looks in the keystore and on the token, and stops the start without one.
    Config keyless0 = config("mintline.evm.networks.dev.rpc-url = \"http://127.0.0.1:8545\"");
    SettingsException keyless = assertThrows(SettingsException.class, () -> io.mintline.deploy.keys.KeyRing.load(
        io.mintline.config.KeySettings.load(keyless0), MintlineSettings.Network.DEVNET,
        EvmSettings.load(keyless0, MintlineSettings.Network.DEVNET), null));
    assertTrue(keyless.getMessage().contains("mintline.evm.deploy-key"), keyless.getMessage());
    SettingsException badKey = assertThrows(SettingsException.class, () -> EvmSettings.load(
        config("mintline.evm.deploy-key = \"0x1234\""), MintlineSettings.Network.DEVNET));
    assertFalse(badKey.getMessage().contains("0x1234"), "a bad key is never echoed: " + badKey.getMessage());
  }

  /** A loopback port nothing listens on. */
  static final class TcpPorts {
    static int closed() {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
