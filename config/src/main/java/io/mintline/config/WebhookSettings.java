package io.mintline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * How signed webhooks are delivered, read once at start from {@code mintline.webhooks} (every key
 * is explained in reference.conf). Fails fast with the key's name.
 *
 * @param enabled run this node's delivery worker
 * @param retrySchedule waits between attempts after the first; one attempt more than entries
 * @param jitter fraction (0..1) each wait is stretched or shortened by at random
 * @param requestTimeout longest a receiver may take to answer
 * @param claimLease how long a claimed delivery stays with the claiming node
 * @param parallelism deliveries one node sends at once
 * @param pollInterval how often an idle worker looks for due deliveries
 * @param maxRetryAfter longest Retry-After honoured
 * @param rotationOverlap how long the old secret still signs after a rotation
 * @param disableAfter an endpoint failing without a success this long is disabled
 * @param retention delivered and failed deliveries older than this are deleted; zero keeps them
 * @param maxEndpointsPerOwner endpoints one wallet may register
 * @param secretEncryptionKey AES-256 key for secrets at rest; null = stored in the clear
 */
public record WebhookSettings(boolean enabled, List<Duration> retrySchedule, double jitter, Duration requestTimeout,
    Duration claimLease, int parallelism, Duration pollInterval, Duration maxRetryAfter, Duration rotationOverlap,
    Duration disableAfter, Duration retention, int maxEndpointsPerOwner, byte[] secretEncryptionKey) {

  @Override
  public String toString() {
    // The encryption key stays out of logs and exception messages.
    return "WebhookSettings[enabled=" + enabled + ", retrySchedule=" + retrySchedule + ", parallelism=" + parallelism + "]";
  }

  /** Attempts a delivery gets before it is failed: the first and one per schedule entry. */
  public int maxAttempts() {
    return retrySchedule.size() + 1;
  }

  public static WebhookSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.webhooks.";
    List<Duration> schedule;
    try {
      if (config.hasPath(p + "retry-schedule") && config.getValue(p + "retry-schedule").valueType() == com.typesafe.config.ConfigValueType.STRING) {
        // A system property or environment variable gives the list as text: "5s, 5m, 30m" (brackets optional).
        String text = config.getString(p + "retry-schedule").replace("[", "").replace("]", "");
        schedule = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
          if (!part.isBlank()) schedule.add(com.typesafe.config.ConfigFactory.parseString("d = " + part.trim()).getDuration("d"));
        }
      } else {
        schedule = config.getDurationList(p + "retry-schedule");
      }
    } catch (ConfigException e) {
      throw new SettingsException(p + "retry-schedule", "a list of durations such as [5s, 5m, 30m]", null);
    }
    if (schedule.isEmpty() || schedule.size() > 50 || schedule.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
      throw new SettingsException(p + "retry-schedule", "1 to 50 positive durations", schedule);
    }
    double jitter;
    try {
      jitter = config.getDouble(p + "jitter");
    } catch (ConfigException e) {
      throw new SettingsException(p + "jitter", "a number from 0 to 1", null);
    }
    if (jitter < 0 || jitter > 1) throw new SettingsException(p + "jitter", "a number from 0 to 1", jitter);
    Duration timeout = r.positiveDuration(p + "request-timeout");
    Duration lease = r.positiveDuration(p + "claim-lease");
    if (lease.compareTo(timeout) <= 0) {
      throw new SettingsException(p + "claim-lease", "longer than " + p + "request-timeout", lease);
    }
    String key = r.string(p + "secret-encryption-key").trim();
    byte[] keyBytes = null;
    if (!key.isEmpty()) {
      try {
        keyBytes = Base64.getDecoder().decode(key);
      } catch (IllegalArgumentException e) {
        keyBytes = new byte[0];
      }
      // The value itself is never echoed: it is a secret.
      if (keyBytes.length != 32) throw new SettingsException(p + "secret-encryption-key", "32 bytes in base64", "(hidden)");
    }
    return new WebhookSettings(
        r.bool(p + "enabled"),
        List.copyOf(schedule),
        jitter,
        timeout,
        lease,
        r.intInRange(p + "parallelism", 1, 1024),
        r.positiveDuration(p + "poll-interval"),
        r.positiveDuration(p + "max-retry-after"),
        r.nonNegativeDuration(p + "rotation-overlap"),
        r.positiveDuration(p + "disable-after"),
        r.nonNegativeDuration(p + "retention"),
        r.intInRange(p + "max-endpoints-per-owner", 1, 1000),
        keyBytes);
  }
}
