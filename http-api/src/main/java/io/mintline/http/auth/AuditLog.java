package io.mintline.http.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mintline.config.MintlineSettings;
import io.mintline.http.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only {@code audit_logs} table: who did what to which resource, with details as JSON
 * and the request id. Changes append their row in their own transaction ({@link #append}), so a
 * change is never recorded without its audit row or the other way round; failures are appended on
 * their own ({@link #record}). Details never hold secrets: no tokens, keys or signatures.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /** One audit row. */
  public record Entry(String actor, String action, String resource, Map<String, ?> details, String requestId) {}

  private final DataSource dataSource;
  private final String insert;
  private final Executor blockingIo;
  private final Clock clock;

  public AuditLog(DataSource dataSource, MintlineSettings.Vendor vendor, Executor blockingIo, Clock clock) {
    this.dataSource = dataSource;
    this.blockingIo = blockingIo;
    this.clock = clock;
    String details = vendor == MintlineSettings.Vendor.POSTGRES ? "CAST(? AS JSONB)" : "?";
    this.insert = "INSERT INTO audit_logs (actor, action, resource, details, request_id, created_at) VALUES (?, ?, ?, "
        + details + ", ?, ?)";
  }

  /** Appends {@code entry} inside the caller's transaction. */
  public void append(Connection connection, Entry entry) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      bind(statement, entry);
      statement.executeUpdate();
    }
  }

  private void bind(PreparedStatement statement, Entry entry) throws SQLException {
    statement.setString(1, clip(entry.actor(), 128));
    statement.setString(2, entry.action());
    statement.setString(3, clip(entry.resource(), 256));
    statement.setString(4, json(entry.details()));
    statement.setString(5, entry.requestId());
    statement.setObject(6, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
  }

  /** Appends {@code entries} inside the caller's transaction, as one JDBC batch. */
  public void appendAll(Connection connection, java.util.List<Entry> entries) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      for (Entry entry : entries) {
        bind(statement, entry);
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /** Appends {@code entry} in a transaction of its own; a failure to write is logged, not thrown. */
  public CompletionStage<Void> record(Entry entry) {
    return CompletableFuture.runAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        append(c, entry);
      } catch (SQLException e) {
        log.error("Could not write the audit row {} {} for request {}: {}", entry.action(), entry.resource(), entry.requestId(), e.getMessage());
      }
    }, blockingIo);
  }

  private static String json(Map<String, ?> details) {
    try {
      return Json.MAPPER.writeValueAsString(details == null ? Map.of() : details);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit details are not JSON-writable", e);
    }
  }

  private static String clip(String value, int max) {
    if (value == null) return "-";
    return value.length() <= max ? value : value.substring(0, max);
  }
}
