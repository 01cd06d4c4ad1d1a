package io.mintline.config;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the node's network allows: the Algorand genesis hash it must find at its algod (testnet and
 * mainnet; the devnet's own hash is whatever the devnet has) and the EVM chain ids logins may name.
 *
 * <p>Loading is also the first network guard: mainnet refuses the devnet, demo mode and simulation,
 * since each of them means keys or balances that are not real.
 */
public record NetworkProfile(
    MintlineSettings.Network network, String expectedGenesisHash, Set<Long> evmChainIds, boolean demoMode, boolean simulation) {

  public long defaultEvmChainId() {
    return evmChainIds.iterator().next();
  }

  public static NetworkProfile load(Config config, MintlineSettings settings) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    MintlineSettings.Network network = settings.network();
    String expected = network == MintlineSettings.Network.DEVNET
        ? null
        : r.nonEmptyString("mintline.networks." + network.id() + ".genesis-hash");
    String rawIds = r.nonEmptyString("mintline.evm.chain-ids");
    Set<Long> ids = new LinkedHashSet<>();
    for (String id : Arrays.stream(rawIds.split(",")).map(String::trim).toList()) {
      try {
        long value = Long.parseLong(id);
        if (value <= 0) throw new NumberFormatException();
        ids.add(value);
      } catch (NumberFormatException e) {
        throw new SettingsException("mintline.evm.chain-ids", "comma-separated positive EVM chain ids such as 1,8453", rawIds);
      }
    }
    boolean demo = r.bool("mintline.demo-mode");
    boolean simulation = r.bool("mintline.simulation");
    if (network == MintlineSettings.Network.MAINNET) {
      refuseOnMainnet("mintline.demo-mode", demo);
      refuseOnMainnet("mintline.simulation", simulation);
      refuseOnMainnet("mintline.algod.url", settings.runsEmbeddedDevnet() || settings.algod().embedded());
    }
    return new NetworkProfile(network, expected, java.util.Collections.unmodifiableSet(ids), demo, simulation);
  }

  private static void refuseOnMainnet(String key, boolean on) {
    if (!on) return;
    throw new SettingsException(key, switch (key) {
      case "mintline.algod.url" -> "a mainnet algod URL: mainnet never runs on the in-process devnet";
      default -> "false: mainnet refuses to start with " + key + " on (it means keys or balances that are not real)";
    }, key.equals("mintline.algod.url") ? "the in-process devnet" : "true");
  }

  /** The EVM chain ids as a list, in configuration order. */
  public List<Long> evmChainIdList() {
    return List.copyOf(evmChainIds);
  }
}
