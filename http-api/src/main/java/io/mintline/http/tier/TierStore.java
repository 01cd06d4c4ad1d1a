package io.mintline.http.tier;

import io.mintline.http.auth.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The {@code wallet_tiers} table: which tier (free or paid) a wallet is on, set by an admin; a
 * wallet without a row is on the free tier. Reads are cached for {@code cacheTtl} so the limiter
 * does not query per request: a tier change reaches every node within that time. A change is
 * written with its audit row in one transaction.
 */
public final class TierStore {
  public static final String DEFAULT_TIER = "free";
  private static final int MAX_CACHED = 100_000;

  private record Cached(String tier, long untilMillis) {}

  /** A wallet's tier as stored. */
  public record Tier(String address, String tier, Instant updatedAt, String updatedBy) {}

  private final DataSource dataSource;
  private final AuditLog audit;
  private final Clock clock;
  private final long cacheTtlMillis;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public TierStore(DataSource dataSource, AuditLog audit, Clock clock, Duration cacheTtl) {
    this.dataSource = dataSource;
    this.audit = audit;
    this.clock = clock;
    this.cacheTtlMillis = cacheTtl.toMillis();
  }

  /** The wallet's tier, from the cache when fresh; blocking on a miss. */
  public String tierOf(String address) throws SQLException {
    long now = clock.millis();
    Cached cached = cache.get(address);
    if (cached != null && cached.untilMillis() > now) return cached.tier();
    String tier = find(address).map(Tier::tier).orElse(DEFAULT_TIER);
    if (cacheTtlMillis > 0) {
      if (cache.size() >= MAX_CACHED) cache.clear();
      cache.put(address, new Cached(tier, now + cacheTtlMillis));
    }
    return tier;
  }

  /** The wallet's cached tier without a database call, or null when not cached. */
  public String cachedTierOf(String address) {
    Cached cached = cache.get(address);
    return cached != null && cached.untilMillis() > clock.millis() ? cached.tier() : null;
  }

  public java.util.Optional<Tier> find(String address) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(
            "SELECT address, tier, updated_at, updated_by FROM wallet_tiers WHERE address = ?")) {
      select.setString(1, address);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return java.util.Optional.empty();
        return java.util.Optional.of(new Tier(rs.getString(1), rs.getString(2),
            rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4)));
      }
    }
  }

  /** Sets {@code address}'s tier, audited as {@code tier.set} by {@code admin}; returns the previous tier. */
  public String set(String address, String tier, String admin, String requestId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        String previous = DEFAULT_TIER;
        try (PreparedStatement select = c.prepareStatement("SELECT tier FROM wallet_tiers WHERE address = ? FOR UPDATE")) {
          select.setString(1, address);
          try (ResultSet rs = select.executeQuery()) {
            if (rs.next()) previous = rs.getString(1);
          }
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE wallet_tiers SET tier = ?, updated_at = ?, updated_by = ? WHERE address = ?")) {
          update.setString(1, tier);
          update.setObject(2, now);
          update.setString(3, admin);
          update.setString(4, address);
          if (update.executeUpdate() == 0) {
            try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO wallet_tiers (address, tier, updated_at, updated_by) VALUES (?, ?, ?, ?)")) {
              insert.setString(1, address);
              insert.setString(2, tier);
              insert.setObject(3, now);
              insert.setString(4, admin);
              insert.executeUpdate();
            }
          }
        }
        audit.append(c, new AuditLog.Entry(admin, "tier.set", "wallet:" + address,
            Map.of("tier", tier, "previous", previous), requestId));
        c.commit();
        cache.remove(address);
        return previous;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }
}
