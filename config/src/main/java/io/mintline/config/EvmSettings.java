package io.mintline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The EVM networks contracts can be deployed to ({@code mintline.evm.networks.<name>}), read once at
 * start. A network whose {@code rpc-url} is empty runs on a local EVM node the node starts itself —
 * only while the node runs on devnet, as the in-process Algorand devnet does. The chain id of every
 * network is checked against {@code eth_chainId} at start.
 *
 * <p>Guards: a network with a public mainnet chain id never runs on a local node and refuses demo
 * mode and simulation, as Algorand mainnet does.
 *
 * @param networks by name, in configuration order
 * @param deployKey the EVM deployment key (0x + 64 hex digits), empty when not configured (then the key ring finds it
 *     in the keystore, on a token, or makes a local one); never printed
 * @param rpcTimeout how long one JSON-RPC call may take
 */
public record EvmSettings(Map<String, Network> networks, String deployKey, Duration rpcTimeout) {

  /** Chain ids of public mainnets (Ethereum, OP, BNB, Gnosis, Polygon, zkSync, Base, Arbitrum, Avalanche, Linea). */
  public static final Set<Long> MAINNET_CHAIN_IDS = Set.of(1L, 10L, 56L, 100L, 137L, 324L, 8453L, 42161L, 43114L, 59144L);

  /**
   * One EVM network.
   *
   * @param name the name requests use ({@code "network"})
   * @param chainId what {@code eth_chainId} must answer
   * @param rpcUrl JSON-RPC URL, empty = a local EVM node started by this node
   * @param backupRpcUrl JSON-RPC URL tried when {@code rpcUrl} fails, or empty
   * @param confirmations blocks on top of a deployment's block before it is active (1 = its own block)
   * @param maxFeePerGasWei the fee cap: no transaction offers more per gas
   * @param replaceAfter how long a transaction may stay unmined before it is replaced at bumped fees
   */
  public record Network(String name, long chainId, String rpcUrl, String backupRpcUrl, int confirmations,
      BigInteger maxFeePerGasWei, Duration replaceAfter) {

    /** Whether the node runs this network's chain itself. */
    public boolean local() {
      return rpcUrl.isEmpty();
    }

    public boolean mainnet() {
      return MAINNET_CHAIN_IDS.contains(chainId);
    }
  }

  public static EvmSettings load(Config config, MintlineSettings.Network algorandNetwork) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    Map<String, Network> networks = new LinkedHashMap<>();
    ConfigObject block;
    try {
      block = config.getObject("mintline.evm.networks");
    } catch (ConfigException e) {
      throw new SettingsException("mintline.evm.networks", "an object of EVM networks by name", null);
    }
    boolean demo = r.bool("mintline.demo-mode");
    boolean simulation = r.bool("mintline.simulation");
    for (String name : block.keySet()) {
      String p = "mintline.evm.networks." + name + ".";
      if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
        throw new SettingsException("mintline.evm.networks." + name, "a network name of 1 to 32 characters a-z 0-9 -", name);
      }
      long chainId = positiveLong(config, p + "chain-id");
      String rpc = r.httpUrlOrEmpty(p + "rpc-url");
      String backup = r.httpUrlOrEmpty(p + "backup-rpc-url");
      int confirmations = r.intInRange(p + "confirmations", 1, 1_000);
      long maxFeeGwei = positiveLong(config, p + "max-fee-gwei");
      Duration replaceAfter = r.positiveDuration(p + "replace-after");
      Network network = new Network(name, chainId, rpc, backup, confirmations,
          BigInteger.valueOf(maxFeeGwei).multiply(BigInteger.TEN.pow(9)), replaceAfter);
      if (network.local() && algorandNetwork != MintlineSettings.Network.DEVNET && !network.mainnet()) {
        // A local EVM node runs only on devnet: elsewhere a network without an RPC URL (the default
        // dev network included) is not offered, and deploys to it answer 400 network_not_allowed.
        continue;
      }
      if (network.mainnet()) {
        if (network.local()) throw new SettingsException(p + "rpc-url", "a mainnet JSON-RPC URL: chain id " + chainId + " is a public mainnet", "");
        if (demo) throw new SettingsException("mintline.demo-mode", "false: EVM network " + name + " is a mainnet (chain id " + chainId + ")", true);
        if (simulation) throw new SettingsException("mintline.simulation", "false: EVM network " + name + " is a mainnet (chain id " + chainId + ")", true);
      }
      networks.put(name, network);
    }
    String key = r.string("mintline.evm.deploy-key").trim();
    if (!key.isEmpty() && !key.matches("(0x)?[0-9a-fA-F]{64}")) {
      throw new SettingsException("mintline.evm.deploy-key", "empty or a secp256k1 private key: 0x and 64 hex digits", "(not shown)");
    }
    // A remote network without this key needs it from the keystore or a token: the key ring checks that.
    return new EvmSettings(Collections.unmodifiableMap(networks), key, r.positiveDuration("mintline.evm.rpc-timeout"));
  }

  private static long positiveLong(Config config, String key) {
    try {
      long value = config.getLong(key);
      if (value > 0) return value;
      throw new SettingsException(key, "a positive integer", value);
    } catch (ConfigException.Missing e) {
      throw new SettingsException(key, "a positive integer", null);
    } catch (ConfigException e) {
      throw new SettingsException(key, "a positive integer", config.getValue(key).unwrapped());
    }
  }

  /** Whether every network runs on a local chain this node starts (whose key the node may make itself). */
  public boolean localOnly() {
    return networks.values().stream().allMatch(Network::local);
  }

  /** Never print the key. */
  @Override
  public String toString() {
    return "EvmSettings[networks=" + networks.keySet() + ", deployKey=" + (deployKey.isEmpty() ? "none" : "configured")
        + ", rpcTimeout=" + rpcTimeout + "]";
  }
}
