package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wallets read-side table follows the wallet events, exactly once, on H2 and PostgreSQL. */
class WalletProjectionTest {
  @TempDir Path dataDir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  void walletsTableCountsEverySightingAndTheCreatorRole(String database) throws Exception {
    // Every sighting is written (no resolution): three logins, three counted.
    Config db = ConfigFactory.parseString("mintline.wallets.seen-resolution = 0s")
        .withFallback(TestDatabases.named(database, dataDir));
    ActorSystem<Void> system = TestSystems.start(db);
    try {
      WalletProjection.init(system);
      String fan = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
      String creator = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
      var sharding = ClusterSharding.get(system);
      for (int i = 0; i < 3; i++) {
        sharding.entityRefFor(WalletEntity.ENTITY_KEY, fan)
            .<WalletEntity.Summary>ask(r -> new WalletEntity.MarkSeen("login", r), Duration.ofSeconds(15))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      var creatorRef = sharding.entityRefFor(WalletEntity.ENTITY_KEY, creator);
      creatorRef.tell(new WalletEntity.DeploymentStarted("00112233445566778899aabbccddeeff", "Ann"));
      creatorRef.tell(new WalletEntity.CreatorActivated("00112233445566778899aabbccddeeff", 1234, "APPADDR", "Ann"));
      creatorRef.tell(new WalletEntity.CreatorActivated("00112233445566778899aabbccddeeff", 1234, "APPADDR", "Ann"));

      JournalDatabase journal = JournalDatabase.get(system);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        String fanRow = row(journal, fan);
        String creatorRow = row(journal, creator);
        if ("fan|3|null".equals(fanRow) && "creator|0|1234".equals(creatorRow)) break;
        assertTrue(System.nanoTime() < deadline, "read side never caught up: " + fanRow + " / " + creatorRow);
        Thread.sleep(100);
      }
      var summary = creatorRef.<WalletEntity.Summary>ask(WalletEntity.GetWallet::new, Duration.ofSeconds(5))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(WalletEntity.Role.CREATOR, summary.role());
      assertEquals(1234L, summary.appId());
    } finally {
      TestSystems.stop(system);
    }
  }

  private static String row(JournalDatabase journal, String address) throws Exception {
    try (Connection c = journal.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT role, times_seen, app_id FROM wallets WHERE address = ?")) {
      s.setString(1, address);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) return null;
        long appId = r.getLong(3);
        String app = r.wasNull() ? "null" : String.valueOf(appId);
        return r.getString(1) + "|" + r.getLong(2) + "|" + app;
      }
    }
  }
}
