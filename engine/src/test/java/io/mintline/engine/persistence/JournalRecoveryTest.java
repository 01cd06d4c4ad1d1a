package io.mintline.engine.persistence;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import io.mintline.engine.wallet.WalletEntity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A wallet's journal survives the whole actor system going away, on H2 and on PostgreSQL. */
class JournalRecoveryTest {
  private static final String WALLET = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

  @TempDir Path dataDir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  void walletStateIsRecoveredByANewActorSystemOnTheSameDatabase(String database) throws Exception {
    // Every sighting is written (no resolution), so the three below are three events to recover.
    Config db = ConfigFactory.parseString("mintline.wallets.seen-resolution = 0s")
        .withFallback(TestDatabases.named(database, dataDir));

    ActorSystem<Void> first = TestSystems.start(db);
    WalletEntity.Summary written;
    try {
      var wallet = ClusterSharding.get(first).entityRefFor(WalletEntity.ENTITY_KEY, WALLET);
      for (int i = 0; i < 3; i++) {
        wallet.<WalletEntity.Summary>ask(r -> new WalletEntity.MarkSeen("login", r), Duration.ofSeconds(15))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      written = wallet.<WalletEntity.Summary>ask(WalletEntity.GetWallet::new, Duration.ofSeconds(5))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(3, written.timesSeen());
    } finally {
      TestSystems.stop(first);
    }

    ActorSystem<Void> second = TestSystems.start(db);
    try {
      var recovered = ClusterSharding.get(second).entityRefFor(WalletEntity.ENTITY_KEY, WALLET)
          .<WalletEntity.Summary>ask(WalletEntity.GetWallet::new, Duration.ofSeconds(15))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(written, recovered);
      assertTrue(JournalDatabase.get(second).check().toCompletableFuture().get().ok());
    } finally {
      TestSystems.stop(second);
    }
  }
}
