package io.mintline.config;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The minting pipeline's bounds and the stickers it makes, read once at start from
 * {@code mintline.minting} (every key is explained in reference.conf). Fails fast with the key's
 * name like {@link MintlineSettings}.
 *
 * @param queueSize mint jobs buffered in front of the pipeline; a full queue holds the offer
 * @param maxWaitingOffers offers that may wait for room at once before a new one is refused
 * @param groupSize transactions per atomic group (1 = single transactions)
 * @param groupWindow longest wait to fill a group before it goes out smaller
 * @param parallelism groups signed, persisted and submitted at once
 * @param confirmingGroups submitted groups awaiting their round at once
 * @param validityRounds lastValid − firstValid of a sticker creation
 * @param goldenBasisPoints the golden draw's threshold out of 10,000
 * @param retry backoff of a submission the chain could not take
 * @param persistTimeout how long a group waits for its wallets to persist their requests
 * @param paramsMaxAge how long suggested transaction params are reused
 * @param sweepInterval how often wallets with unfinished mints are woken up
 * @param drainTimeout how long coordinated shutdown lets in-flight mints finish
 * @param unitName the sticker ASA's unit name
 * @param assetName the sticker ASA's name (the golden ones get {@code goldenAssetName})
 * @param metadataBaseUrl ARC-3 metadata base URL; a sticker's URL is base + tip txid + {@code #arc3}
 */
public record MintingSettings(
    int queueSize,
    int maxWaitingOffers,
    int groupSize,
    Duration groupWindow,
    int parallelism,
    int confirmingGroups,
    int validityRounds,
    int goldenBasisPoints,
    Retry retry,
    Duration persistTimeout,
    Duration paramsMaxAge,
    Duration sweepInterval,
    Duration drainTimeout,
    String unitName,
    String assetName,
    String goldenAssetName,
    String metadataBaseUrl) {

  /** Exponential backoff with jitter: the n-th retry waits min × 2^(n−1), capped, plus up to jitter%. */
  public record Retry(Duration minBackoff, Duration maxBackoff, int jitterPercent, int maxAttempts) {
    public Duration delay(int attempt) {
      long min = minBackoff.toMillis();
      long capped = Math.min(maxBackoff.toMillis(), min << Math.min(Math.max(attempt - 1, 0), 20));
      long jitter = (long) (capped * jitterPercent / 100.0 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
      return Duration.ofMillis(capped + jitter);
    }
  }

  /** Algorand's limits on an ASA's unit name, name and URL (bytes). */
  static final int MAX_UNIT_BYTES = 8, MAX_NAME_BYTES = 32, MAX_URL_BYTES = 96;
  /** A base32 txid is 52 characters; the URL ends with it and {@code #arc3}. */
  static final int TXID_AND_SUFFIX = 52 + 5;

  public static MintingSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.minting.";
    Retry retry = new Retry(
        r.positiveDuration(p + "retry.min-backoff"),
        r.positiveDuration(p + "retry.max-backoff"),
        r.intInRange(p + "retry.jitter-percent", 0, 100),
        r.intInRange(p + "retry.max-attempts", 1, 1000));
    if (retry.maxBackoff().compareTo(retry.minBackoff()) < 0) {
      throw new SettingsException(p + "retry.max-backoff", "at least " + p + "retry.min-backoff", retry.maxBackoff());
    }
    String unit = r.nonEmptyString(p + "sticker.unit-name");
    bytesAtMost(p + "sticker.unit-name", unit, MAX_UNIT_BYTES);
    String name = r.nonEmptyString(p + "sticker.name");
    bytesAtMost(p + "sticker.name", name, MAX_NAME_BYTES);
    String golden = r.nonEmptyString(p + "sticker.golden-name");
    bytesAtMost(p + "sticker.golden-name", golden, MAX_NAME_BYTES);
    String base = r.nonEmptyString(p + "sticker.metadata-base-url");
    if (!base.startsWith("https://") && !base.startsWith("http://") && !base.startsWith("ipfs://")) {
      throw new SettingsException(p + "sticker.metadata-base-url", "an https://, http:// or ipfs:// URL", base);
    }
    bytesAtMost(p + "sticker.metadata-base-url", base, MAX_URL_BYTES - TXID_AND_SUFFIX);
    return new MintingSettings(
        r.intInRange(p + "queue-size", 1, 1_000_000),
        r.intInRange(p + "max-waiting-offers", 1, 1_000_000),
        r.intInRange(p + "group-size", 1, 16),
        r.positiveDuration(p + "group-window"),
        r.intInRange(p + "parallelism", 1, 10_000),
        r.intInRange(p + "confirming-groups", 1, 100_000),
        r.intInRange(p + "validity-rounds", 2, 1000),
        r.intInRange(p + "golden-basis-points", 0, 10_000),
        retry,
        r.positiveDuration(p + "persist-timeout"),
        r.positiveDuration(p + "params-max-age"),
        r.positiveDuration(p + "sweep-interval"),
        r.positiveDuration(p + "drain-timeout"),
        unit, name, golden, base);
  }

  private static void bytesAtMost(String key, String value, int max) {
    if (value.getBytes(StandardCharsets.UTF_8).length > max) {
      throw new SettingsException(key, "at most " + max + " UTF-8 bytes", value);
    }
  }
}
