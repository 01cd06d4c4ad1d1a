package io.mintline.http.quota;

import io.mintline.config.EdgeSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Daily quotas by tier for compilations, deployments and audits, counted in the
 * {@code usage_quotas} table: one row per wallet, kind and UTC day. The database makes the count
 * cluster-wide and exact (a conditional increment: two nodes can never both take the last unit),
 * and it costs one write per charged request, which is cheap next to a compilation or a
 * deployment. A unit is charged when the work is accepted, whether or not it then succeeds.
 */
public final class QuotaService {
  /** The outcome of a charge; {@code resetsAt} is the next UTC midnight. */
  public record Charge(boolean allowed, String kind, String tier, int limit, int used, Instant resetsAt) {
    public int remaining() {
      return Math.max(0, limit - used);
    }
  }

  private final DataSource dataSource;
  private final Map<String, Map<String, Integer>> quotas;
  private final Clock clock;

  public QuotaService(DataSource dataSource, Map<String, Map<String, Integer>> quotas, Clock clock) {
    this.dataSource = dataSource;
    this.quotas = quotas;
    this.clock = clock;
  }

  /** The daily allowance of {@code kind} on {@code tier}. */
  public int limit(String tier, String kind) {
    Map<String, Integer> perKind = quotas.getOrDefault(tier, quotas.get("free"));
    Integer limit = perKind.get(kind);
    if (limit == null) throw new IllegalArgumentException("no quota kind " + kind + "; kinds: " + EdgeSettings.QUOTA_KINDS);
    return limit;
  }

  /** Charges one unit of {@code kind} to {@code subject} on {@code tier} for today (UTC). Blocking. */
  public Charge charge(String subject, String tier, String kind) throws SQLException {
    int limit = limit(tier, kind);
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    Instant resets = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    try (Connection c = dataSource.getConnection()) {
      for (int attempt = 0; attempt < 2; attempt++) {
        try (PreparedStatement up = c.prepareStatement(
            "UPDATE usage_quotas SET used = used + 1 WHERE subject = ? AND kind = ? AND usage_day = ? AND used < ?")) {
          up.setString(1, subject);
          up.setString(2, kind);
          up.setObject(3, today);
          up.setInt(4, limit);
          if (up.executeUpdate() == 1) return new Charge(true, kind, tier, limit, used(c, subject, kind, today), resets);
        }
        int used = used(c, subject, kind, today);
        if (used >= 0) return new Charge(false, kind, tier, limit, used, resets);
        if (limit == 0) return new Charge(false, kind, tier, limit, 0, resets);
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO usage_quotas (subject, kind, usage_day, used) VALUES (?, ?, ?, 1)")) {
          insert.setString(1, subject);
          insert.setString(2, kind);
          insert.setObject(3, today);
          insert.executeUpdate();
          return new Charge(true, kind, tier, limit, 1, resets);
        } catch (SQLException e) {
          // Another node inserted today's row first (a unique violation): count against it.
          if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) throw e;
        }
      }
      throw new SQLException("quota row for " + kind + " kept changing under two attempts");
    }
  }

  /** Today's use, or -1 when there is no row yet. */
  private static int used(Connection c, String subject, String kind, LocalDate day) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT used FROM usage_quotas WHERE subject = ? AND kind = ? AND usage_day = ?")) {
      select.setString(1, subject);
      select.setString(2, kind);
      select.setObject(3, day);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    }
  }
}
