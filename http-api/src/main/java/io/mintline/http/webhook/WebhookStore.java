package io.mintline.http.webhook;

import io.mintline.config.MintlineSettings;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.readside.Page;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook tables: endpoints (with their sealed secrets) and deliveries. Blocking JDBC; callers
 * run it on the blocking-io dispatcher. Deliveries are claimed row by row ({@link #claim}): on
 * PostgreSQL with {@code FOR UPDATE SKIP LOCKED}, on both databases by a conditional update that only
 * one claimer can win, so two nodes never send the same delivery at once; a claim is a lease
 * ({@code next_attempt_at} moved to its end), so a node killed mid-delivery gives it back.
 */
public final class WebhookStore {
  private static final Logger log = LoggerFactory.getLogger(WebhookStore.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An endpoint as its owner sees it (never its secret). */
  public record Endpoint(String id, String owner, boolean allOwners, String url, List<String> events, String status,
      String disabledReason, Instant failingSince, Instant previousSecretUntil, Instant createdAt, Instant updatedAt) {}

  /** A delivery as the deliveries list shows it. */
  public record Delivery(String id, String eventType, String status, int attempts, Integer lastResponseCode,
      String lastError, Instant nextAttemptAt, Instant createdAt, Instant deliveredAt) {}

  /** A delivery this node has claimed, with what it needs to send it. */
  public record Claimed(String id, String endpointId, String url, String payload, int attempts, List<String> secrets,
      String claimToken) {
    @Override
    public String toString() {
      return "Claimed[" + id + " to endpoint " + endpointId + ", attempt " + (attempts + 1) + "]";
    }
  }

  /** What a manual retry found. */
  public enum RetryResult { QUEUED, NOT_FOUND, IN_FLIGHT, ENDPOINT_DISABLED }

  private final DataSource dataSource;
  private final boolean postgres;
  private final SecretBox box;
  private final WebhookSettings settings;
  private final Clock clock;

  public WebhookStore(DataSource dataSource, MintlineSettings.Vendor vendor, WebhookSettings settings, Clock clock) {
    this.dataSource = dataSource;
    this.postgres = vendor == MintlineSettings.Vendor.POSTGRES;
    this.box = new SecretBox(settings.secretEncryptionKey());
    this.settings = settings;
    this.clock = clock;
  }

  public boolean encryptsSecrets() {
    return box.encrypts();
  }

  // ---- endpoints ----

  public int countOwned(String owner) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM webhook_endpoints WHERE owner = ?")) {
      s.setString(1, owner);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  /** Stores a new endpoint under a fresh id, sealing {@code secret}. */
  public Endpoint create(String owner, boolean allOwners, String url, List<String> events, String secret) throws SQLException {
    byte[] random = new byte[12];
    RANDOM.nextBytes(random);
    String id = "ep_" + HexFormat.of().formatHex(random);
    long now = micros(clock.instant());
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO webhook_endpoints (id, owner, all_owners, url, events, secret, "
            + "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'enabled', ?, ?)")) {
      s.setString(1, id);
      s.setString(2, owner);
      s.setBoolean(3, allOwners);
      s.setString(4, url);
      s.setString(5, String.join(",", events));
      s.setString(6, box.seal(secret));
      s.setLong(7, now);
      s.setLong(8, now);
      s.executeUpdate();
    }
    return get(id).orElseThrow();
  }

  private static final String ENDPOINT_COLUMNS =
      "id, owner, all_owners, url, events, status, disabled_reason, failing_since, previous_until, created_at, updated_at";

  public List<Endpoint> listOwned(String owner) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE owner = ? ORDER BY id")) {
      s.setString(1, owner);
      List<Endpoint> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) out.add(endpoint(r));
      }
      return out;
    }
  }

  public Optional<Endpoint> get(String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(endpoint(r)) : Optional.empty();
      }
    }
  }

  /** Changes what is given (null leaves it); {@code enabled = true} also clears a disabled endpoint's failure record. */
  public Optional<Endpoint> update(String id, String url, List<String> events, Boolean enabled) throws SQLException {
    long now = micros(clock.instant());
    StringBuilder sql = new StringBuilder("UPDATE webhook_endpoints SET updated_at = ?");
    if (url != null) sql.append(", url = ?");
    if (events != null) sql.append(", events = ?");
    if (Boolean.TRUE.equals(enabled)) sql.append(", status = 'enabled', disabled_reason = NULL, failing_since = NULL");
    if (Boolean.FALSE.equals(enabled)) sql.append(", status = 'disabled', disabled_reason = 'disabled by its owner'");
    sql.append(" WHERE id = ?");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      int i = 1;
      s.setLong(i++, now);
      if (url != null) s.setString(i++, url);
      if (events != null) s.setString(i++, String.join(",", events));
      s.setString(i, id);
      if (s.executeUpdate() == 0) return Optional.empty();
    }
    return get(id);
  }

  /** Deletes the endpoint and its deliveries. */
  public boolean delete(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement d = c.prepareStatement("DELETE FROM webhook_deliveries WHERE endpoint_id = ?");
          PreparedStatement e = c.prepareStatement("DELETE FROM webhook_endpoints WHERE id = ?")) {
        d.setString(1, id);
        d.executeUpdate();
        e.setString(1, id);
        boolean deleted = e.executeUpdate() == 1;
        c.commit();
        return deleted;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The new secret signs from now on; the old one signs as well until {@code overlapUntil}. */
  public Optional<Endpoint> rotate(String id, String newSecret, Instant overlapUntil) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE webhook_endpoints SET previous_secret = secret, previous_until = ?, "
            + "secret = ?, updated_at = ? WHERE id = ?")) {
      s.setLong(1, micros(overlapUntil));
      s.setString(2, box.seal(newSecret));
      s.setLong(3, micros(clock.instant()));
      s.setString(4, id);
      if (s.executeUpdate() == 0) return Optional.empty();
    }
    return get(id);
  }

  // ---- deliveries ----

  /** Newest first, keyset-paged by (created_at, id). */
  public Page<Delivery> deliveries(String endpointId, Optional<String> status, int limit, Optional<Cursor> after) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT id, event_type, status, attempts, last_response_code, last_error, "
        + "next_attempt_at, created_at, delivered_at FROM webhook_deliveries WHERE endpoint_id = ?");
    if (status.isPresent()) sql.append(" AND status = ?");
    if (after.isPresent()) sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      int i = 1;
      s.setString(i++, endpointId);
      if (status.isPresent()) s.setString(i++, status.get());
      if (after.isPresent()) {
        s.setLong(i++, after.get().epochMicros());
        s.setLong(i++, after.get().epochMicros());
        s.setString(i++, "msg_" + after.get().id());
      }
      s.setInt(i, limit + 1);
      List<Delivery> items = new ArrayList<>();
      List<Long> created = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          items.add(new Delivery(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), (Integer) r.getObject(5),
              r.getString(6), "pending".equals(r.getString(3)) ? instant(r.getLong(7)) : null, instant(r.getLong(8)),
              instantOrNull(r, 9)));
          created.add(r.getLong(8));
        }
      }
      String next = null;
      if (items.size() > limit) {
        items = items.subList(0, limit);
        Delivery last = items.get(limit - 1);
        // Cursor ids are alphanumeric: the hex after "msg_".
        next = new Cursor(instant(created.get(limit - 1)), last.id().substring("msg_".length())).encode();
      }
      return new Page<>(List.copyOf(items), next);
    }
  }

  /**
   * A delivery whose last attempt failed, for the operator view: retrying ({@code pending}, with
   * its next attempt) or given up ({@code failed}). {@code owner} is the endpoint's.
   */
  public record FailingDelivery(String id, String endpointId, String owner, String eventType, String status, int attempts,
      Integer lastResponseCode, String lastError, Instant nextAttemptAt, Instant updatedAt) {}

  /** An endpoint that is disabled or failing, for the operator view: its URL's host only, as the path or query may hold a token. */
  public record FailingEndpoint(String id, String owner, String host, String status, String disabledReason,
      Instant failingSince, Instant updatedAt) {}

  /**
   * The newest {@code limit} deliveries whose last attempt failed (a pending one that was sent
   * again by hand after a 2xx is not failing), newest change first, across every endpoint.
   */
  public List<FailingDelivery> failingDeliveries(int limit) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT d.id, d.endpoint_id, e.owner, d.event_type, d.status, d.attempts, "
            + "d.last_response_code, d.last_error, d.next_attempt_at, d.updated_at FROM webhook_deliveries d "
            + "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'failed' OR (d.status = 'pending' "
            + "AND d.attempts > 0 AND (d.last_response_code IS NULL OR d.last_response_code < 200 OR d.last_response_code > 299)) "
            + "ORDER BY d.updated_at DESC, d.id DESC LIMIT ?")) {
      s.setInt(1, limit);
      List<FailingDelivery> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          boolean pending = "pending".equals(r.getString(5));
          out.add(new FailingDelivery(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
              r.getInt(6), (Integer) r.getObject(7), r.getString(8), pending ? instant(r.getLong(9)) : null, instant(r.getLong(10))));
        }
      }
      return out;
    }
  }

  /**
   * The newest {@code limit} endpoints that are disabled or failing (a failure since their last
   * success), ordered by when that began: {@code failingSince}, or for an endpoint its owner
   * disabled, the time it was disabled.
   */
  public List<FailingEndpoint> failingEndpoints(int limit) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id, owner, url, status, disabled_reason, failing_since, updated_at "
            + "FROM webhook_endpoints WHERE status = 'disabled' OR failing_since IS NOT NULL "
            + "ORDER BY COALESCE(failing_since, updated_at) DESC, id DESC LIMIT ?")) {
      s.setInt(1, limit);
      List<FailingEndpoint> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new FailingEndpoint(r.getString(1), r.getString(2), host(r.getString(3)), r.getString(4), r.getString(5),
              instantOrNull(r, 6), instant(r.getLong(7))));
        }
      }
      return out;
    }
  }

  /** The host of a stored URL (checked by {@link UrlGuard} when it was stored); never its path or query. */
  static String host(String url) {
    try {
      String host = java.net.URI.create(url).getHost();
      return host == null ? "(no host)" : host;
    } catch (IllegalArgumentException e) {
      return "(unreadable URL)";
    }
  }

  /** Makes a delivery due now again (one more attempt), unless it is being sent at this moment. */
  public RetryResult retry(String endpointId, String deliveryId) throws SQLException {
    long now = micros(clock.instant());
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement e = c.prepareStatement("SELECT status FROM webhook_endpoints WHERE id = ?")) {
        e.setString(1, endpointId);
        try (ResultSet r = e.executeQuery()) {
          if (!r.next()) return RetryResult.NOT_FOUND;
          if (!"enabled".equals(r.getString(1))) return RetryResult.ENDPOINT_DISABLED;
        }
      }
      try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, "
          + "claimed_by = NULL, updated_at = ? WHERE id = ? AND endpoint_id = ? "
          + "AND NOT (status = 'pending' AND claimed_by IS NOT NULL AND next_attempt_at > ?)")) {
        s.setLong(1, now);
        s.setLong(2, now);
        s.setString(3, deliveryId);
        s.setString(4, endpointId);
        s.setLong(5, now);
        if (s.executeUpdate() == 1) return RetryResult.QUEUED;
      }
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?")) {
        s.setString(1, deliveryId);
        s.setString(2, endpointId);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? RetryResult.IN_FLIGHT : RetryResult.NOT_FOUND;
        }
      }
    }
  }

  public Optional<Delivery> delivery(String endpointId, String deliveryId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id, event_type, status, attempts, last_response_code, last_error, "
            + "next_attempt_at, created_at, delivered_at FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?")) {
      s.setString(1, deliveryId);
      s.setString(2, endpointId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) return Optional.empty();
        return Optional.of(new Delivery(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), (Integer) r.getObject(5),
            r.getString(6), "pending".equals(r.getString(3)) ? instant(r.getLong(7)) : null, instant(r.getLong(8)),
            instantOrNull(r, 9)));
      }
    }
  }

  /**
   * Claims up to {@code limit} due deliveries of enabled endpoints for this node: each is leased
   * until {@code now + claim-lease} under a token of this claim, which the result must present.
   */
  public List<Claimed> claim(int limit) throws SQLException {
    Instant nowInstant = clock.instant();
    long now = micros(nowInstant);
    long leaseEnd = micros(nowInstant.plus(settings.claimLease()));
    String token = "c_" + HexFormat.of().formatHex(randomBytes(12));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<String> due = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' "
            + "AND d.next_attempt_at <= ? AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id "
            + "AND e.status = 'enabled') ORDER BY d.next_attempt_at LIMIT ?" + (postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""))) {
          s.setLong(1, now);
          s.setInt(2, limit);
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) due.add(r.getString(1));
          }
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET next_attempt_at = ?, claimed_by = ? "
            + "WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?")) {
          for (String id : due) {
            s.setLong(1, leaseEnd);
            s.setString(2, token);
            s.setString(3, id);
            s.setLong(4, now);
            s.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
      c.setAutoCommit(true);
      List<Claimed> claimed = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT d.id, d.endpoint_id, e.url, d.payload, d.attempts, e.secret, "
          + "e.previous_secret, e.previous_until FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
          + "WHERE d.claimed_by = ?")) {
        s.setString(1, token);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            List<String> secrets = new ArrayList<>();
            secrets.add(box.open(r.getString(6)));
            String previous = r.getString(7);
            long previousUntil = r.getLong(8);
            if (previous != null && previousUntil > now) secrets.add(box.open(previous));
            claimed.add(new Claimed(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                List.copyOf(secrets), token));
          }
        }
      }
      return claimed;
    }
  }

  /**
   * Deletes at most {@code batch} delivered or failed deliveries last attempted before
   * {@code before}, oldest first; answers how many went. Pending ones are never touched.
   */
  public int purgeFinished(Instant before, int batch) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
            + "WHERE status IN ('delivered', 'failed') AND updated_at < ? ORDER BY updated_at LIMIT ?)")) {
      s.setLong(1, micros(before));
      s.setInt(2, batch);
      return s.executeUpdate();
    }
  }

  /** A 2xx: the delivery is done and the endpoint is no longer failing. */
  public void delivered(Claimed claimed, int code) throws SQLException {
    long now = micros(clock.instant());
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, "
          + "last_response_code = ?, last_error = NULL, delivered_at = ?, updated_at = ?, claimed_by = NULL "
          + "WHERE id = ? AND claimed_by = ?")) {
        s.setInt(1, code);
        s.setLong(2, now);
        s.setLong(3, now);
        s.setString(4, claimed.id());
        s.setString(5, claimed.claimToken());
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")) {
        s.setString(1, claimed.endpointId());
        s.executeUpdate();
      }
    }
  }

  /**
   * A failed attempt: {@code code} is the receiver's status (null: no answer), {@code retryAfter}
   * its Retry-After (null: none), {@code gone} a 410. Schedules the next attempt (the schedule's
   * wait with jitter, at least Retry-After), or fails the delivery when the schedule is used up;
   * disables the endpoint on 410 or when it has failed without a success for {@code disable-after}.
   */
  public void failed(Claimed claimed, Integer code, String error, Duration retryAfter, boolean gone) throws SQLException {
    Instant nowInstant = clock.instant();
    long now = micros(nowInstant);
    int attempts = claimed.attempts() + 1;
    boolean last = gone || attempts >= settings.maxAttempts();
    Instant next = last ? null : nowInstant.plus(wait(attempts, retryAfter));
    String message = error == null ? null : error.length() <= 500 ? error : error.substring(0, 500);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement s = c.prepareStatement("UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, "
            + "last_response_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ?, claimed_by = NULL "
            + "WHERE id = ? AND claimed_by = ?")) {
          s.setString(1, last ? "failed" : "pending");
          if (code == null) s.setNull(2, Types.INTEGER); else s.setInt(2, code);
          s.setString(3, message);
          s.setLong(4, next == null ? now : micros(next));
          s.setLong(5, now);
          s.setString(6, claimed.id());
          s.setString(7, claimed.claimToken());
          if (s.executeUpdate() == 0) {
            // The lease ran out and another claim owns it now: that attempt's result counts.
            c.rollback();
            return;
          }
        }
        try (PreparedStatement s = c.prepareStatement(
            "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?")) {
          s.setLong(1, now);
          s.setString(2, claimed.endpointId());
          s.executeUpdate();
        }
        String disable = null;
        if (gone) {
          disable = "the receiver answered 410 Gone at " + nowInstant;
        } else {
          try (PreparedStatement s = c.prepareStatement("SELECT failing_since FROM webhook_endpoints WHERE id = ?")) {
            s.setString(1, claimed.endpointId());
            try (ResultSet r = s.executeQuery()) {
              if (r.next() && r.getLong(1) <= now - settings.disableAfter().toNanos() / 1_000) {
                disable = "no delivery has succeeded since " + instant(r.getLong(1)) + " (disabled after "
                    + settings.disableAfter() + " of failures)";
              }
            }
          }
        }
        if (disable != null) {
          try (PreparedStatement s = c.prepareStatement("UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ?, "
              + "updated_at = ? WHERE id = ? AND status = 'enabled'")) {
            s.setString(1, disable);
            s.setLong(2, now);
            s.setString(3, claimed.endpointId());
            if (s.executeUpdate() == 1) log.warn("Webhook endpoint {} disabled: {}", claimed.endpointId(), disable);
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    log.info("Webhook delivery {} to endpoint {}: attempt {} failed ({}){}", claimed.id(), claimed.endpointId(), attempts,
        code == null ? message : code, next == null ? "; no more attempts" : "; next attempt at " + next);
  }

  /** The wait after attempt {@code attempts} failed: the schedule's entry ± jitter, at least Retry-After (capped). */
  Duration wait(int attempts, Duration retryAfter) {
    Duration scheduled = settings.retrySchedule().get(Math.min(attempts, settings.retrySchedule().size()) - 1);
    double factor = 1 + settings.jitter() * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
    Duration jittered = Duration.ofMillis(Math.max(1, Math.round(scheduled.toMillis() * factor)));
    if (retryAfter == null) return jittered;
    Duration honoured = retryAfter.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : retryAfter;
    return honoured.compareTo(jittered) > 0 ? honoured : jittered;
  }

  // ---- helpers ----

  private static Endpoint endpoint(ResultSet r) throws SQLException {
    return new Endpoint(r.getString(1), r.getString(2), r.getBoolean(3), r.getString(4),
        Arrays.stream(r.getString(5).split(",")).filter(e -> !e.isEmpty()).toList(), r.getString(6), r.getString(7),
        instantOrNull(r, 8), instantOrNull(r, 9), instant(r.getLong(10)), instant(r.getLong(11)));
  }

  private static Instant instantOrNull(ResultSet r, int column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? null : instant(value);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
