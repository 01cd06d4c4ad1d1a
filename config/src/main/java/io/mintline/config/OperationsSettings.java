package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Metrics and the management port's access rules, read once at start from {@code mintline.metrics}
 * and {@code mintline.management} (see reference.conf). Fails fast with the key's name.
 *
 * @param metricsEnabled start Kamon and record Mintline's metrics; off = no {@code /metrics} content
 * @param instrumentation attach Kamon's bytecode instrumentation (JVM, Akka actors, dispatchers, Akka HTTP)
 * @param sampleInterval how often gauges are read from the status objects and the database
 * @param balanceInterval how often the minting account's balance is read from algod
 * @param keyRotationPeriod how old a role key may get before the key-age alert fires
 * @param keyCreated when each role key was made, where configured (generated devnet keys: node start)
 * @param adminUser basic-auth user for the management port's cluster routes; empty = JWT admins only
 * @param adminPassword that user's password (never logged)
 * @param allowClusterChanges enable the routes that change the cluster (leave, down); audited when used
 */
public record OperationsSettings(
    boolean metricsEnabled,
    boolean instrumentation,
    Duration sampleInterval,
    Duration balanceInterval,
    Duration keyRotationPeriod,
    Map<Role, Instant> keyCreated,
    String adminUser,
    String adminPassword,
    boolean allowClusterChanges) {

  /** The role keys whose age is reported. */
  public enum Role { MINT, DEPLOY, ADMIN }

  public boolean basicAuthConfigured() {
    return !adminUser.isEmpty();
  }

  public static OperationsSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    Map<Role, Instant> created = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      String key = "mintline.metrics.key-created." + role.name().toLowerCase(java.util.Locale.ROOT);
      String value = r.string(key).trim();
      if (value.isEmpty()) continue;
      try {
        created.put(role, Instant.parse(value));
      } catch (DateTimeParseException e) {
        throw new SettingsException(key, "an ISO-8601 instant such as 2026-01-31T00:00:00Z, or empty", value);
      }
    }
    String user = r.string("mintline.management.admin-user").trim();
    String password = r.string("mintline.management.admin-password");
    if (!user.isEmpty() && password.length() < 12) {
      throw new SettingsException("mintline.management.admin-password",
          "at least 12 characters when mintline.management.admin-user is set", "(" + password.length() + " characters)");
    }
    if (user.contains(":")) throw new SettingsException("mintline.management.admin-user", "a user name without ':'", user);
    return new OperationsSettings(
        r.bool("mintline.metrics.enabled"),
        r.bool("mintline.metrics.instrumentation"),
        r.positiveDuration("mintline.metrics.sample-interval"),
        r.positiveDuration("mintline.metrics.balance-interval"),
        r.positiveDuration("mintline.metrics.key-rotation-period"),
        Map.copyOf(created),
        user,
        password,
        r.bool("mintline.management.allow-cluster-changes"));
  }

  @Override
  public String toString() {
    return "OperationsSettings[metrics=" + metricsEnabled + ", instrumentation=" + instrumentation + ", adminUser="
        + (adminUser.isEmpty() ? "(none)" : adminUser) + ", allowClusterChanges=" + allowClusterChanges + "]";
  }
}
