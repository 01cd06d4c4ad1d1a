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
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM audit_logs WHERE action = 'auth.login'")) {
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
}
