package io.mintline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The EVM tip listeners' bounds ({@code mintline.evm.listener}), read once at start; see
 * reference.conf for each key. The confirmation depth is the network's own
 * ({@code mintline.evm.networks.<name>.confirmations}); tip deliveries use the Algorand listener's
 * {@code delivery-parallelism} and {@code delivery-timeout}, restarts its backoff.
 *
 * @param enabled run one tip listener per EVM network in the cluster
 * @param pollInterval wait between two cycles once the listener has reached the safe head
 * @param maxBlockRange blocks one {@code eth_getLogs} call covers at most
 * @param catchUpParallelism block ranges fetched at once while behind (handled in block order)
 * @param reorgWindow hashes of this many handled blocks are kept to notice a reorganisation
 * @param staleAfter no completed cycle for this long: the listener is stale and restarted
 * @param minTipWei tips below this many wei are recorded flagged below the minimum
 * @param stickers mint an ERC-5192 sticker for every EVM tip ({@code mintline.evm.stickers.enabled})
 */
public record EvmListenerSettings(boolean enabled, Duration pollInterval, int maxBlockRange, int catchUpParallelism,
    int reorgWindow, Duration staleAfter, long minTipWei, boolean stickers) {

  public static EvmListenerSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.evm.listener.";
    long minTip;
    try {
      minTip = config.getLong(p + "min-tip-wei");
    } catch (ConfigException e) {
      throw new SettingsException(p + "min-tip-wei", "a non-negative integer (wei)", null);
    }
    if (minTip < 0) throw new SettingsException(p + "min-tip-wei", "a non-negative integer (wei)", minTip);
    EvmListenerSettings settings = new EvmListenerSettings(
        r.bool(p + "enabled"),
        r.positiveDuration(p + "poll-interval"),
        r.intInRange(p + "max-block-range", 1, 100_000),
        r.intInRange(p + "catch-up-parallelism", 1, 64),
        r.intInRange(p + "reorg-window", 1, 10_000),
        r.positiveDuration(p + "stale-after"),
        minTip,
        r.bool("mintline.evm.stickers.enabled"));
    if (settings.staleAfter().compareTo(settings.pollInterval()) <= 0) {
      throw new SettingsException(p + "stale-after", "longer than " + p + "poll-interval", settings.staleAfter());
    }
    return settings;
  }
}
