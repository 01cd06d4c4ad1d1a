package io.mintline.engine.listener;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.ListenerSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.deployment.AlgorandDeploymentChain;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentHooks;
import io.mintline.engine.deployment.DeploymentId;
import io.mintline.engine.deployment.DeploymentProjection;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import io.mintline.engine.wallet.TipProjection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain listener on the devnet and the real gateway: tips counted exactly once across a node
 * restart, a TipProxy deployed while it runs, a paused chain (stale, then caught up), failover to
 * the backup algod, and a chain with another genesis hash.
 */
class ChainListenerTest {
  static final Duration POLL = Duration.ofMillis(500);

  @TempDir Path dataDir;
  Devnet devnet;
  AlgodGateway gateway;
  Ed25519Signer deployKey;
  final List<ActorSystem<?>> systems = new ArrayList<>();

  @BeforeEach
  void chain() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    gateway = gateway(List.of(devnet.url()));
    deployKey = Ed25519Signer.generate("deploy");
    devnet.fund(deployKey.address().toString(), 100_000_000);
  }

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> s : systems) TestSystems.stop(s);
    gateway.close();
    devnet.close();
  }

  AlgodGateway gateway(List<String> urls) {
    return new AlgodGateway(urls, devnet.apiToken(), Duration.ofSeconds(2),
        Duration.ofSeconds(20), new MintlineSettings.Retry(4, Duration.ofMillis(50), Duration.ofMillis(500)), 1000);
  }

  static ListenerSettings settings() {
    return ListenerSettings.load(ConfigFactory.parseString("""
        mintline.listener {
          poll-interval = 500ms
          watch-refresh = 200ms
          batch-rounds = 5
          restart { min-backoff = 200ms, max-backoff = 1s }
        }
        """).withFallback(ConfigFactory.load("engine-test.conf")));
  }

  ActorRef<ChainListener.Command> node(Config db, AlgodGateway chainGateway) throws Exception {
    ActorSystem<Void> system = TestSystems.start(db);
    systems.add(system);
    DeploymentEntity.init(system, new AlgorandDeploymentChain(new TipProxyDeployer(deployKey), gateway), DeploymentHooks.NONE,
        DeploymentEntity.RetrySettings.DEFAULT);
    DeploymentProjection.init(system);
    TipProjection.init(system);
    return ChainListener.init(system, chainGateway, settings(), "devnet", Set.of(deployKey.address().toString()));
  }

  /** Deploys a TipProxy for a new creator; answers its app address once active. */
  String creatorApp(ActorSystem<?> system, String creator) throws Exception {
    String id = DeploymentId.of(creator, "tips");
    var ref = ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id);
    ref.<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.Request(creator, "Ann", "devnet", r), Duration.ofSeconds(15))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      DeploymentEntity.Summary s = ref.<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, Duration.ofSeconds(10))
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      if (s.status() == DeploymentEntity.Status.ACTIVE) return s.appAddress();
      Thread.sleep(100);
    }
    throw new AssertionError("deployment not active within 60 s");
  }

  static ListenerStatus status(ActorSystem<?> system, ActorRef<ChainListener.Command> listener) throws Exception {
    return AskPattern.<ChainListener.Command, ListenerStatus>ask(listener, ChainListener.GetStatus::new, Duration.ofSeconds(5),
        system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ListenerStatus awaitStatus(ActorSystem<?> system, ActorRef<ChainListener.Command> listener, Duration within,
      Predicate<ListenerStatus> condition) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    ListenerStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = status(system, listener);
        if (condition.test(last)) return last;
      } catch (Exception e) {
        // the singleton may still be starting
      }
      Thread.sleep(50);
    }
    fail("listener status not as expected within " + within + ": " + last);
    return null;
  }

  static long count(ActorSystem<?> system, String where) throws Exception {
    try (Connection c = JournalDatabase.get(system).dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM tips" + (where.isEmpty() ? "" : " WHERE " + where))) {
      r.next();
      return r.getLong(1);
    }
  }

  static void awaitCount(ActorSystem<?> system, String where, long expected, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = count(system, where);
      if (last == expected) break;
      assertTrue(last < expected, "more tips than sent: " + last + " > " + expected);
      Thread.sleep(100);
    }
    assertEquals(expected, last, "tips in the read side (" + where + ")");
  }

  @Test
  void tipsToATipProxyDeployedWhileRunningAreCountedExactlyOnceAcrossARestart() throws Exception {
    Config db = TestDatabases.h2(dataDir);
    ActorRef<ChainListener.Command> listener = node(db, gateway);
    ActorSystem<?> first = systems.get(0);
    awaitStatus(first, listener, Duration.ofSeconds(30), s -> s.state().equals(ListenerStatus.FOLLOWING));
    // Deployed while the listener runs: watched from its confirmation round, without a restart.
    String creator = Ed25519Signer.generate("creator").address().toString();
    String app = creatorApp(first, creator);

    List<String> txIds = new ArrayList<>();
    for (int i = 0; i < 20; i++) txIds.add(devnet.fund(app, i == 0 ? 1_000 : 200_000 + i));
    awaitCount(first, "direction = 'received'", 20, Duration.ofSeconds(30));
    awaitCount(first, "direction = 'sent'", 20, Duration.ofSeconds(30));
    assertEquals(1, count(first, "below_minimum = TRUE AND direction = 'received'"), "the 1000 microAlgo tip is below the minimum");
    assertEquals(20, count(first, "creator = '" + creator + "' AND wallet = '" + creator + "' AND direction = 'received'"));

    // Kill the node; tips keep coming while it is down; a new node resumes from the watermark.
    TestSystems.stop(first);
    systems.remove(first);
    for (int i = 0; i < 20; i++) txIds.add(devnet.fund(app, 300_000 + i));
    listener = node(db, gateway);
    ActorSystem<?> second = systems.get(0);
    awaitCount(second, "direction = 'received'", 40, Duration.ofSeconds(60));
    awaitCount(second, "direction = 'sent'", 40, Duration.ofSeconds(30));
    assertEquals(40, txIds.stream().distinct().count());
    // The chain moves on at ~10 rounds/s: compare with its round before the status was asked for.
    long chainRound = devnet.currentRound();
    ListenerStatus status = awaitStatus(second, listener, Duration.ofSeconds(10), s -> s.state().equals(ListenerStatus.FOLLOWING));
    assertEquals("devnet", status.network());
    assertTrue(status.round() >= chainRound - 5, chainRound + ": " + status);
    Thread.sleep(1000);
    assertEquals(80, count(second, ""), "none twice after the restart");
  }

  @Test
  void aPausedChainMakesTheListenerStaleAndItCatchesUpAfterResume() throws Exception {
    ActorRef<ChainListener.Command> listener = node(TestDatabases.h2(dataDir), gateway);
    ActorSystem<?> system = systems.get(0);
    String app = creatorApp(system, Ed25519Signer.generate("creator").address().toString());
    awaitStatus(system, listener, Duration.ofSeconds(30), s -> s.state().equals(ListenerStatus.FOLLOWING));
    for (int i = 0; i < 5; i++) devnet.fund(app, 500_000);
    awaitCount(system, "direction = 'received'", 5, Duration.ofSeconds(30));

    devnet.pause();
    long paused = System.nanoTime();
    ListenerStatus stale = awaitStatus(system, listener, Duration.ofSeconds(10), s -> s.state().equals(ListenerStatus.STALE));
    long noticedMs = (System.nanoTime() - paused) / 1_000_000;
    // 2 x poll interval after the last heartbeat (at most one 100 ms round before the pause), plus
    // the status asks' own latency on a busy machine.
    assertTrue(noticedMs <= 2 * POLL.toMillis() + 1000, "stale noticed after " + noticedMs + " ms: " + stale);
    // heartbeatAgeMs is truncated to whole milliseconds: an age just over 2 x poll shows as exactly that.
    assertTrue(stale.heartbeatAgeMs() >= 2 * POLL.toMillis(), String.valueOf(stale));

    devnet.resume();
    for (int i = 0; i < 5; i++) devnet.fund(app, 500_000);
    awaitStatus(system, listener, Duration.ofSeconds(30), s -> s.state().equals(ListenerStatus.FOLLOWING) && s.lag() <= 5);
    awaitCount(system, "direction = 'received'", 10, Duration.ofSeconds(30));
  }

  @Test
  void withThePrimaryDownTheListenerFollowsOnTheBackup() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AlgodGateway failover = gateway(List.of("http://127.0.0.1:" + deadPort, devnet.url()));
    try {
      ActorRef<ChainListener.Command> listener = node(TestDatabases.h2(dataDir), failover);
      ActorSystem<?> system = systems.get(0);
      String app = creatorApp(system, Ed25519Signer.generate("creator").address().toString());
      for (int i = 0; i < 5; i++) devnet.fund(app, 500_000);
      awaitCount(system, "direction = 'received'", 5, Duration.ofSeconds(30));
      ListenerStatus status = awaitStatus(system, listener, Duration.ofSeconds(10), s -> s.state().equals(ListenerStatus.FOLLOWING));
      assertEquals(devnet.url(), status.algodUrl(), "the backup URL is in use");
    } finally {
      failover.close();
    }
  }

  @Test
  void aChainWithAnotherGenesisHashStopsTheListener() throws Exception {
    Config db = TestDatabases.h2(dataDir);
    ActorRef<ChainListener.Command> listener = node(db, gateway);
    awaitStatus(systems.get(0), listener, Duration.ofSeconds(30), s -> s.state().equals(ListenerStatus.FOLLOWING));
    TestSystems.stop(systems.remove(0));

    try (Devnet fresh = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
        AlgodGateway other = gateway(List.of(fresh.url()))) {
      assertNotEquals(devnet.genesisHashBase64(), fresh.genesisHashBase64());
      listener = node(db, other);
      ListenerStatus stopped = awaitStatus(systems.get(0), listener, Duration.ofSeconds(30),
          s -> s.state().equals(ListenerStatus.STOPPED));
      assertTrue(stopped.error().contains("genesis hash"), stopped.error());
    }
  }
}
