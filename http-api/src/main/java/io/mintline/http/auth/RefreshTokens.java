package io.mintline.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Opaque rotating refresh tokens, {@code "mlr_" selector "." secret}: the selector is a time-ordered
 * id ({@link TimeOrderedIds}) that finds the row, the secret is 256 random bits of which only the
 * SHA-256 is stored, compared in constant time. A wrong secret is refused like an unknown token and
 * changes nothing, so knowing a selector (it is not secret) does not let anyone revoke a family.
 * Family ids are time-ordered too: new rows land at the right edge of every index, which keeps
 * H2's per-commit page writes small.
 *
 * <p>Each login starts a family; each use rotates the token (one conditional UPDATE marks the old
 * one used, so two concurrent uses cannot both win) and issues the next one in the same family. Presenting a token that was already rotated
 * means it was copied: the whole family is revoked, so the thief's and the owner's newest token both
 * stop working. Every change writes its audit row in the same transaction.
 *
 * <p>{@link #startFamily} writes on the given executor; the other methods block on JDBC: call them
 * on the blocking-io dispatcher.
 */
public final class RefreshTokens {
  static final String PREFIX = "mlr_";
  private static final int SELECTOR_LENGTH = 32;
  // 32 random bytes as base64url without padding.
  private static final int SECRET_LENGTH = 43;
  private static final int TOKEN_LENGTH = PREFIX.length() + SELECTOR_LENGTH + 1 + SECRET_LENGTH;

  /** A live refresh token: the secret (shown to the client once) and its family. */
  public record Issued(String token, String familyId, String subject, String tier, Instant expiresAt) {}

  /** Why a refresh token was refused. */
  public enum Refusal {
    UNKNOWN,
    EXPIRED,
    REVOKED,
    /** An already rotated token came back: its family is now revoked. */
    REUSED
  }

  /** A refused refresh token; {@code subject} is known unless the token is unknown. */
  public static final class RefusedException extends Exception {
    private final Refusal refusal;
    private final String subject;

    RefusedException(Refusal refusal, String subject) {
      super(refusal.name(), null, false, false);
      this.refusal = refusal;
      this.subject = subject;
    }

    public Refusal refusal() {
      return refusal;
    }

    public String subject() {
      return subject;
    }
  }

  private final DataSource dataSource;
  private final Executor writer;
  private final AuditLog audit;
  private final Duration ttl;
  private final Clock clock;

  public RefreshTokens(DataSource dataSource, AuditLog audit, Duration ttl, Clock clock, Executor writer) {
    this.writer = writer;
    this.dataSource = dataSource;
    this.audit = audit;
    this.ttl = ttl;
    this.clock = clock;
  }

  private record NewFamily(String subject, String tier, AuditLog.Entry login, CompletableFuture<Issued> done) {}

  private final ConcurrentLinkedQueue<NewFamily> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();

  /**
   * Starts a family for a fresh login and appends {@code login} to the audit log. Logins that
   * arrive while a write is under way are written together in the next transaction (group commit,
   * at most {@link #MAX_GROUP} logins): under load one commit and three JDBC batches serve many
   * logins. Each login's rows are all in, or, when its transaction fails, all out.
   */
  public CompletionStage<Issued> startFamily(String subject, String tier, AuditLog.Entry login) {
    CompletableFuture<Issued> done = new CompletableFuture<>();
    pending.add(new NewFamily(subject, tier, login, done));
    if (writing.compareAndSet(false, true)) writer.execute(this::writePending);
    return done;
  }

  /** Bounds one transaction: long enough to amortise a commit, short enough to keep latency low. */
  static final int MAX_GROUP = 128;

  private void writePending() {
    while (true) {
      List<NewFamily> group = new ArrayList<>();
      for (NewFamily next; group.size() < MAX_GROUP && (next = pending.poll()) != null; ) group.add(next);
      if (group.isEmpty()) {
        writing.set(false);
        // A login queued between the last poll and the flag reset would wait for nobody: re-check.
        if (pending.isEmpty() || !writing.compareAndSet(false, true)) return;
        continue;
      }
      try {
        List<Issued> issued = writeGroup(group);
        for (int i = 0; i < group.size(); i++) group.get(i).done().complete(issued.get(i));
      } catch (SQLException | RuntimeException e) {
        for (NewFamily f : group) f.done().completeExceptionally(e);
      }
    }
  }

  private List<Issued> writeGroup(List<NewFamily> group) throws SQLException {
    Instant now = clock.instant();
    List<Issued> issued = new ArrayList<>(group.size());
    List<AuditLog.Entry> audits = new ArrayList<>(group.size());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement families = c.prepareStatement(
              "INSERT INTO auth_refresh_families (family_id, subject, tier, created_at) VALUES (?, ?, ?, ?)");
          PreparedStatement tokens = c.prepareStatement(
              INSERT_TOKEN)) {
        for (NewFamily f : group) {
          String family = TimeOrderedIds.uuid(now.toEpochMilli());
          families.setString(1, family);
          families.setString(2, f.subject());
          families.setString(3, f.tier());
          families.setObject(4, utc(now));
          families.addBatch();
          Instant expires = now.plus(ttl);
          String token = bindToken(tokens, family, now, expires);
          tokens.addBatch();
          issued.add(new Issued(token, family, f.subject(), f.tier(), expires));
          audits.add(withFamily(f.login(), family));
        }
        families.executeBatch();
        tokens.executeBatch();
        audit.appendAll(c, audits);
        c.commit();
        return issued;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Rotates {@code token}: the old one is spent, the returned one replaces it. */
  public Issued rotate(String token, String requestId) throws SQLException, RefusedException {
    Presented presented = Presented.parse(token);
    if (presented == null) throw new RefusedException(Refusal.UNKNOWN, null);
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (state(c, presented) == null) {
          c.rollback();
          throw new RefusedException(Refusal.UNKNOWN, null);
        }
        int spent;
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE auth_refresh_tokens SET rotated_at = ? WHERE selector = ? AND rotated_at IS NULL AND expires_at > ?"
                + " AND family_id IN (SELECT family_id FROM auth_refresh_families WHERE revoked_at IS NULL)")) {
          update.setObject(1, utc(now));
          update.setString(2, presented.selector());
          update.setObject(3, utc(now));
          spent = update.executeUpdate();
        }
        // Read again after the conditional update: a concurrent use may have spent the token meanwhile.
        State state = state(c, presented);
        if (spent == 1) {
          Issued next = insertToken(c, state.family, state.subject, state.tier, now);
          audit.append(c, new AuditLog.Entry(state.subject, "auth.refresh", "refresh-family:" + state.family, Map.of(), requestId));
          c.commit();
          return next;
        }
        Refusal refusal;
        if (state.revoked) {
          refusal = Refusal.REVOKED;
        } else if (state.rotated) {
          refusal = Refusal.REUSED;
          revokeFamily(c, state.family, "reuse", now);
        } else {
          refusal = Refusal.EXPIRED;
        }
        audit.append(c, new AuditLog.Entry(state.subject, refusal == Refusal.REUSED ? "auth.refresh.reuse" : "auth.refresh.failed",
            "refresh-family:" + state.family, Map.of("reason", refusal.name().toLowerCase(java.util.Locale.ROOT)), requestId));
        c.commit();
        throw new RefusedException(refusal, state.subject);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Revokes the family of {@code token} for logout; it must belong to {@code subject}. Revoking an
   * already revoked family is fine (logout twice).
   */
  public void revokeForLogout(String token, String subject, String jti, String requestId) throws SQLException, RefusedException {
    Presented presented = Presented.parse(token);
    if (presented == null) throw new RefusedException(Refusal.UNKNOWN, subject);
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        State state = state(c, presented);
        if (state == null || !state.subject.equals(subject)) {
          c.rollback();
          throw new RefusedException(Refusal.UNKNOWN, subject);
        }
        revokeFamily(c, state.family, "logout", now);
        audit.append(c, new AuditLog.Entry(subject, "auth.logout", "refresh-family:" + state.family, Map.of("jti", jti), requestId));
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** A token as presented: well-formed, not yet known to be real. */
  private record Presented(String selector, String secret) {
    static Presented parse(String token) {
      if (token == null || token.length() != TOKEN_LENGTH || !token.startsWith(PREFIX)) return null;
      int dot = PREFIX.length() + SELECTOR_LENGTH;
      if (token.charAt(dot) != '.') return null;
      String selector = token.substring(PREFIX.length(), dot);
      for (int i = 0; i < selector.length(); i++) {
        char ch = selector.charAt(i);
        if ((ch < '0' || ch > '9') && (ch < 'a' || ch > 'f')) return null;
      }
      return new Presented(selector, token.substring(dot + 1));
    }
  }

  private record State(String family, String subject, String tier, boolean rotated, boolean revoked) {}

  /** The state of the presented token, or null when its selector is unknown or its secret is wrong. */
  private static State state(Connection c, Presented presented) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT t.secret_hash, t.family_id, f.subject, f.tier, t.rotated_at, f.revoked_at FROM auth_refresh_tokens t"
            + " JOIN auth_refresh_families f ON f.family_id = t.family_id WHERE t.selector = ?")) {
      select.setString(1, presented.selector());
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return null;
        byte[] stored = rs.getString(1).getBytes(StandardCharsets.US_ASCII);
        byte[] given = Secrets.sha256(presented.secret()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(stored, given)) return null;
        return new State(rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getObject(5) != null, rs.getObject(6) != null);
      }
    }
  }

  private static void revokeFamily(Connection c, String family, String reason, Instant now) throws SQLException {
    try (PreparedStatement update = c.prepareStatement(
        "UPDATE auth_refresh_families SET revoked_at = ?, revoked_reason = ? WHERE family_id = ? AND revoked_at IS NULL")) {
      update.setObject(1, utc(now));
      update.setString(2, reason);
      update.setString(3, family);
      update.executeUpdate();
    }
  }

  private static final String INSERT_TOKEN =
      "INSERT INTO auth_refresh_tokens (selector, secret_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)";

  private Issued insertToken(Connection c, String family, String subject, String tier, Instant now) throws SQLException {
    Instant expires = now.plus(ttl);
    try (PreparedStatement insert = c.prepareStatement(INSERT_TOKEN)) {
      String token = bindToken(insert, family, now, expires);
      insert.executeUpdate();
      return new Issued(token, family, subject, tier, expires);
    }
  }

  /** Makes a new token of {@code family}, binds its row to {@code insert} and returns the token, the only copy of its secret. */
  private static String bindToken(PreparedStatement insert, String family, Instant now, Instant expires) throws SQLException {
    String selector = TimeOrderedIds.compact(now.toEpochMilli());
    String secret = Secrets.token(32);
    insert.setString(1, selector);
    insert.setString(2, Secrets.sha256(secret));
    insert.setString(3, family);
    insert.setObject(4, utc(now));
    insert.setObject(5, utc(expires));
    return PREFIX + selector + "." + secret;
  }

  private static AuditLog.Entry withFamily(AuditLog.Entry entry, String family) {
    return new AuditLog.Entry(entry.actor(), entry.action(), entry.resource(),
        merge(entry.details(), "refreshFamily", family), entry.requestId());
  }

  private static Map<String, Object> merge(Map<String, ?> details, String key, Object value) {
    Map<String, Object> out = new java.util.LinkedHashMap<>(details == null ? Map.of() : details);
    out.put(key, value);
    return out;
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
