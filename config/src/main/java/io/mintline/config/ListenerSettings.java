package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The chain listener's bounds, read once at start from {@code mintline.listener} (see
 * reference.conf for each key's meaning and default). Fails fast with the key's name like
 * {@link MintlineSettings}.
 *
 * @param pollInterval one poll cycle; the heartbeat is stale when older than twice this
 * @param fetchParallelism blocks fetched at once while catching up
 * @param batchRounds rounds handled between two watermark writes while catching up
 * @param deliveryParallelism tip deliveries awaiting a wallet's acknowledgement at once
 * @param minTipMicroAlgos payments below this are recorded as tips flagged below the minimum
 * @param followingLag more rounds behind than this counts as catching up
 */
public record ListenerSettings(
    boolean enabled,
    Duration pollInterval,
    int fetchParallelism,
    int batchRounds,
    int deliveryParallelism,
    Duration deliveryTimeout,
    long minTipMicroAlgos,
    int followingLag,
    Duration watchRefresh,
    Duration progressLogInterval,
    Duration restartMinBackoff,
    Duration restartMaxBackoff) {

  /** Stale when the last heartbeat is older than this: two poll intervals. */
  public Duration staleAfter() {
    return pollInterval.multipliedBy(2);
  }

  public static ListenerSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    int minTip = r.intInRange("mintline.listener.min-tip-micro-algos", 0, Integer.MAX_VALUE);
    ListenerSettings settings = new ListenerSettings(
        r.bool("mintline.listener.enabled"),
        r.positiveDuration("mintline.listener.poll-interval"),
        r.intInRange("mintline.listener.fetch-parallelism", 1, 1000),
        r.intInRange("mintline.listener.batch-rounds", 1, 100_000),
        r.intInRange("mintline.listener.delivery-parallelism", 1, 10_000),
        r.positiveDuration("mintline.listener.delivery-timeout"),
        minTip,
        r.intInRange("mintline.listener.following-lag", 0, 1_000_000),
        r.positiveDuration("mintline.listener.watch-refresh"),
        r.positiveDuration("mintline.listener.progress-log-interval"),
        r.positiveDuration("mintline.listener.restart.min-backoff"),
        r.positiveDuration("mintline.listener.restart.max-backoff"));
    if (settings.restartMaxBackoff().compareTo(settings.restartMinBackoff()) < 0) {
      throw new SettingsException("mintline.listener.restart.max-backoff", "at least mintline.listener.restart.min-backoff",
          settings.restartMaxBackoff());
    }
    return settings;
  }
}
