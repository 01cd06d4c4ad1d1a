package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.config.MintlineSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Refresh-token families on H2 with the real migrations: group-committed logins, rotation, reuse. */
class RefreshTokensTest {
  static final ExecutorService writer = Executors.newFixedThreadPool(4);
  static JdbcDataSource ds;
  static RefreshTokens tokens;

  @BeforeAll
  static void migrate() {
    ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:refresh-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration/common", "classpath:db/migration/h2").load().migrate();
    AuditLog audit = new AuditLog(ds, MintlineSettings.Vendor.H2, writer, Clock.systemUTC());
    tokens = new RefreshTokens(ds, audit, Duration.ofDays(1), Clock.systemUTC(), writer);
  }

  @AfterAll
  static void stop() {
    writer.shutdownNow();
  }

  @Test
  void concurrentLoginsAreGroupCommittedEachWithItsOwnFamilyAndAuditRow() throws Exception {
    List<CompletableFuture<RefreshTokens.Issued>> logins = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String subject = "wallet-" + i;
      logins.add(tokens.startFamily(subject, "free", new AuditLog.Entry(subject, "auth.login", "wallet:" + subject, Map.of(), "r" + i))
          .toCompletableFuture());
    }
    Set<String> secrets = new HashSet<>();
    Set<String> families = new HashSet<>();
    for (int i = 0; i < logins.size(); i++) {
      RefreshTokens.Issued issued = logins.get(i).get(10, TimeUnit.SECONDS);
      assertEquals("wallet-" + i, issued.subject());
      secrets.add(issued.token());
      families.add(issued.familyId());
    }
    assertEquals(300, secrets.size());
    assertEquals(300, families.size());
    try (Connection c = ds.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit_logs WHERE action = 'auth.login' AND actor LIKE 'wallet-%'")) {
      rs.next();
      assertEquals(300, rs.getInt(1));
    }
    // Every token of the group works and rotates; the rotated one then revokes its family.
    RefreshTokens.Issued first = logins.get(7).get();
    RefreshTokens.Issued next = tokens.rotate(first.token(), "r");
    assertEquals(first.familyId(), next.familyId());
    var reused = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(first.token(), "r"));
    assertEquals(RefreshTokens.Refusal.REUSED, reused.refusal());
    var revoked = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(next.token(), "r"));
    assertEquals(RefreshTokens.Refusal.REVOKED, revoked.refusal());
  }

  @Test
  void aTamperedSecretIsRefusedAsUnknownAndLeavesTheFamilyAlone() throws Exception {
    RefreshTokens.Issued issued = login("solo-tamper");
    String token = issued.token();
    int dot = token.indexOf('.');
    char last = token.charAt(token.length() - 1);
    String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    String foreignSecret = token.substring(0, dot + 1) + login("solo-other").token().substring(dot + 1);
    for (String wrong : List.of(tampered, foreignSecret, token.substring(0, dot) + "." + "A".repeat(token.length() - dot - 1),
        token.substring(0, dot), token + "A", token.replace('.', '_'), token.substring(0, 10) + token.substring(10).toUpperCase())) {
      var refused = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(wrong, "r"), wrong);
      assertEquals(RefreshTokens.Refusal.UNKNOWN, refused.refusal(), wrong);
      assertThrows(RefreshTokens.RefusedException.class, () -> tokens.revokeForLogout(wrong, "solo-tamper", "jti", "r"), wrong);
    }
    // Knowing the selector is not enough to spend, revoke or log out the family: the real token still rotates.
    RefreshTokens.Issued next = tokens.rotate(token, "r");
    assertEquals(issued.familyId(), next.familyId());
    assertEquals("solo-tamper", next.subject());
  }

  @Test
  void theNewestTokenOfAFamilyRotatesAgainAndItsPredecessorRevokesTheFamily() throws Exception {
    RefreshTokens.Issued first = login("solo-chain");
    RefreshTokens.Issued second = tokens.rotate(first.token(), "r");
    RefreshTokens.Issued third = tokens.rotate(second.token(), "r");
    assertEquals(first.familyId(), third.familyId());
    var reused = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(second.token(), "r"));
    assertEquals(RefreshTokens.Refusal.REUSED, reused.refusal());
    assertEquals("solo-chain", reused.subject());
    var revoked = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(third.token(), "r"));
    assertEquals(RefreshTokens.Refusal.REVOKED, revoked.refusal());
  }

  @Test
  void logoutRevokesTheFamilyOnlyForItsOwner() throws Exception {
    RefreshTokens.Issued issued = login("solo-logout");
    assertThrows(RefreshTokens.RefusedException.class, () -> tokens.revokeForLogout(issued.token(), "someone-else", "jti", "r"));
    tokens.revokeForLogout(issued.token(), "solo-logout", "jti", "r");
    var revoked = assertThrows(RefreshTokens.RefusedException.class, () -> tokens.rotate(issued.token(), "r"));
    assertEquals(RefreshTokens.Refusal.REVOKED, revoked.refusal());
  }

  @Test
  void familiesAndSelectorsSortByTimeOfIssue() throws Exception {
    RefreshTokens.Issued earlier = login("solo-order");
    Thread.sleep(2);
    RefreshTokens.Issued later = login("solo-order");
    assertTrue(earlier.familyId().compareTo(later.familyId()) < 0, earlier.familyId() + " then " + later.familyId());
    assertTrue(earlier.token().compareTo(later.token()) < 0, "selectors follow issue time");
    assertTrue(later.token().matches("mlr_[0-9a-f]{32}\\.[A-Za-z0-9_-]{43}"), later.token());
    // The secret itself is not stored, only its hash.
    try (Connection c = ds.getConnection();
        var select = c.prepareStatement("SELECT COUNT(*) FROM auth_refresh_tokens WHERE secret_hash = ? OR selector = ?")) {
      String secret = later.token().substring(later.token().indexOf('.') + 1);
      select.setString(1, secret);
      select.setString(2, later.token());
      ResultSet rs = select.executeQuery();
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
  }

  private static RefreshTokens.Issued login(String subject) throws Exception {
    return tokens.startFamily(subject, "free", new AuditLog.Entry(subject, "auth.login", "wallet:" + subject, Map.of(), "r"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
