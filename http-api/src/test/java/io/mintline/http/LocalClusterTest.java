package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.wallet.WalletEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The shipped local1.conf…local3.conf form one three-node cluster on loopback against one
 * PostgreSQL, and a wallet written through one node is read back through the others.
 */
class LocalClusterTest {

  static Config local(int n) {
    return ConfigFactory.parseResources("local" + n + ".conf");
  }

  @Test
  void theThreeLocalConfigsAreValidAndUseDistinctPorts() {
    Set<Integer> ports = new HashSet<>();
    for (int n = 1; n <= 3; n++) {
      Config config = ConfigFactory.load(local(n));
      MintlineSettings settings = MintlineSettings.load(config);
      assertEquals(MintlineSettings.Vendor.POSTGRES, settings.database().vendor());
      assertEquals(8080 + n, settings.http().port());
      // One chain for the cluster: node 1's in-process devnet, which nodes 2 and 3 use.
      assertEquals(n == 1, settings.runsEmbeddedDevnet());
      if (n > 1) assertEquals("http://127.0.0.1:4001", settings.algod().url());
      assertEquals(2550 + n, config.getInt("akka.remote.artery.canonical.port"));
      assertEquals(8550 + n, config.getInt("akka.management.http.port"));
      ports.add(settings.http().port());
      ports.add(config.getInt("akka.remote.artery.canonical.port"));
      ports.add(config.getInt("akka.management.http.port"));
      assertEquals(List.of("akka://mintline@127.0.0.1:2551", "akka://mintline@127.0.0.1:2552"),
          config.getStringList("akka.cluster.seed-nodes"));
    }
    assertEquals(9, ports.size());
  }

  @Test
  void threeNodesFormOneClusterOnOneDatabase() throws Exception {
    Config database = TestDatabases.postgres();
    Config quiet = ConfigFactory.parseString(
        "akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
            + "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
            + "mintline.http.host = 127.0.0.1");
    List<MintlineNode> nodes = new ArrayList<>();
    try {
      for (int n = 1; n <= 3; n++) {
        Config config = quiet.withFallback(database).withFallback(local(n)).withFallback(ConfigFactory.load());
        nodes.add(MintlineNode.start(ConfigFactory.load(config)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (upMembers(nodes.get(2)) < 3) {
        assertTrue(System.nanoTime() < deadline, "three members not Up within 60 s");
        Thread.sleep(200);
      }

      String wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
      ClusterSharding.get(nodes.get(0).system()).entityRefFor(WalletEntity.ENTITY_KEY, wallet)
          .<WalletEntity.Summary>ask(r -> new WalletEntity.MarkSeen("login", r), Duration.ofSeconds(20))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (MintlineNode node : nodes) {
        WalletEntity.Summary summary = ClusterSharding.get(node.system()).entityRefFor(WalletEntity.ENTITY_KEY, wallet)
            .<WalletEntity.Summary>ask(WalletEntity.GetWallet::new, Duration.ofSeconds(20))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(1, summary.timesSeen(), "as seen through node " + node.httpPort());
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).stop();
    }
  }

  private static long upMembers(MintlineNode node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }
}
