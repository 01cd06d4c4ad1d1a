package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How durable jobs (compile, audit, deploy) run, read once at start from {@code mintline.jobs}
 * (every key is explained in reference.conf). Fails fast with the key's name.
 *
 * @param maxAttempts attempts of a job whose failures are retryable before it fails for good
 * @param minBackoff wait before the second attempt; doubled for each later one
 * @param maxBackoff longest wait between attempts
 * @param timeout longest a single attempt may run once it has a slot
 * @param concurrencyPerNode jobs running at once on one node; the rest wait for a slot
 */
public record JobSettings(int maxAttempts, Duration minBackoff, Duration maxBackoff, Duration timeout, int concurrencyPerNode) {

  /** The wait before attempt {@code attempt + 1} after {@code attempt} failed: min × 2^(attempt−1), capped. */
  public Duration backoff(int attempt) {
    long min = minBackoff.toMillis();
    return Duration.ofMillis(Math.min(maxBackoff.toMillis(), min << Math.min(Math.max(attempt - 1, 0), 20)));
  }

  public static JobSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.jobs.";
    Duration min = r.positiveDuration(p + "min-backoff");
    Duration max = r.positiveDuration(p + "max-backoff");
    if (max.compareTo(min) < 0) throw new SettingsException(p + "max-backoff", "at least " + p + "min-backoff", max);
    return new JobSettings(
        r.intInRange(p + "max-attempts", 1, 100),
        min,
        max,
        r.positiveDuration(p + "timeout"),
        r.intInRange(p + "concurrency-per-node", 1, 1024));
  }
}
