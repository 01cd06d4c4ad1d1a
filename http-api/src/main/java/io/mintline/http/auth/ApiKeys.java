package io.mintline.http.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Server-to-server API keys: {@code mlk_<prefix>_<secret>}, shown once at creation, stored as
 * SHA-256 with the prefix kept in clear so a key can be recognised in lists. A key acts for the
 * wallet that made it, with that wallet's tier. Creation and revocation write their audit row in
 * the same transaction. Methods block on JDBC: call them on the blocking-io dispatcher.
 */
public final class ApiKeys {
  static final String PREFIX = "mlk_";
  /** A wallet can hold this many live keys; more is a mistake or abuse. */
  public static final int MAX_PER_OWNER = 20;

  /** A key as listed (never the secret). */
  public record Key(String id, String name, String prefix, String tier, Instant createdAt, Instant lastUsedAt) {}

  /** A new key with its secret, which is not stored anywhere. */
  public record Created(Key key, String secret) {}

  /** The wallet a presented key acts for. */
  public record Owner(String owner, String tier, String keyId) {}

  /** The owner already has {@link #MAX_PER_OWNER} live keys. */
  public static final class TooManyKeysException extends Exception {
    TooManyKeysException() {
      super("a wallet may hold at most " + MAX_PER_OWNER + " live API keys; revoke one first", null, false, false);
    }
  }

  private final DataSource dataSource;
  private final AuditLog audit;
  private final Clock clock;

  public ApiKeys(DataSource dataSource, AuditLog audit, Clock clock) {
    this.dataSource = dataSource;
    this.audit = audit;
    this.clock = clock;
  }

  public Created create(String owner, String tier, String name, String requestId) throws SQLException, TooManyKeysException {
    String id = UUID.randomUUID().toString();
    String prefix = Secrets.hex(4);
    String secret = PREFIX + prefix + "_" + Secrets.token(32);
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (live(c, owner).size() >= MAX_PER_OWNER) {
          c.rollback();
          throw new TooManyKeysException();
        }
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO api_keys (id, owner, name, prefix, key_hash, tier, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          insert.setString(1, id);
          insert.setString(2, owner);
          insert.setString(3, name);
          insert.setString(4, prefix);
          insert.setString(5, Secrets.sha256(secret));
          insert.setString(6, tier);
          insert.setObject(7, utc(now));
          insert.executeUpdate();
        }
        audit.append(c, new AuditLog.Entry(owner, "api-key.create", "api-key:" + id, Map.of("prefix", prefix, "name", name), requestId));
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return new Created(new Key(id, name, prefix, tier, now, null), secret);
  }

  /** The owner's live keys, newest first. */
  public List<Key> list(String owner) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return live(c, owner);
    }
  }

  /** Revokes the owner's key {@code id}; false when the owner has no such live key. */
  public boolean revoke(String owner, String id, String requestId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int updated;
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND owner = ? AND revoked_at IS NULL")) {
          update.setObject(1, utc(clock.instant()));
          update.setString(2, id);
          update.setString(3, owner);
          updated = update.executeUpdate();
        }
        if (updated == 1) audit.append(c, new AuditLog.Entry(owner, "api-key.revoke", "api-key:" + id, Map.of(), requestId));
        c.commit();
        return updated == 1;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The owner of a live key {@code secret}, recording its use; empty for an unknown or revoked key. */
  public Optional<Owner> authenticate(String secret) throws SQLException {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) return Optional.empty();
    String hash = Secrets.sha256(secret);
    try (Connection c = dataSource.getConnection()) {
      Owner owner = null;
      try (PreparedStatement select = c.prepareStatement(
          "SELECT id, owner, tier FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
        select.setString(1, hash);
        try (ResultSet rs = select.executeQuery()) {
          if (rs.next()) owner = new Owner(rs.getString(2), rs.getString(3), rs.getString(1));
        }
      }
      if (owner == null) return Optional.empty();
      try (PreparedStatement used = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        used.setObject(1, utc(clock.instant()));
        used.setString(2, owner.keyId());
        used.executeUpdate();
      }
      return Optional.of(owner);
    }
  }

  private static List<Key> live(Connection c, String owner) throws SQLException {
    List<Key> keys = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement(
        "SELECT id, name, prefix, tier, created_at, last_used_at FROM api_keys WHERE owner = ? AND revoked_at IS NULL"
            + " ORDER BY created_at DESC, id")) {
      select.setString(1, owner);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          OffsetDateTime lastUsed = rs.getObject(6, OffsetDateTime.class);
          keys.add(new Key(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getObject(5, OffsetDateTime.class).toInstant(), lastUsed == null ? null : lastUsed.toInstant()));
        }
      }
    }
    return keys;
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
