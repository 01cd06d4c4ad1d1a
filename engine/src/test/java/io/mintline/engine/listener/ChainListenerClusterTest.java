package io.mintline.engine.listener;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.deployment.AlgorandDeploymentChain;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentHooks;
import io.mintline.engine.deployment.DeploymentProjection;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import io.mintline.engine.wallet.TipProjection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (actor systems) in one cluster on one PostgreSQL: stopping the node that runs the
 * listener singleton moves it to the other, which resumes from the watermark — while tips keep
 * arriving — with none lost and none counted twice.
 */
class ChainListenerClusterTest {
  Devnet devnet;
  AlgodGateway gateway;
  final List<ActorSystem<?>> running = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> s : running) TestSystems.stop(s);
    if (gateway != null) gateway.close();
    if (devnet != null) devnet.close();
  }

  @Test
  void stoppingTheListenersNodeMovesItToTheOtherWithNoTipLostOrDoubled() throws Exception {
    Config db = TestDatabases.postgres();
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    gateway = new AlgodGateway(List.of(devnet.url()), devnet.apiToken(), Duration.ofSeconds(2), Duration.ofSeconds(20),
        new io.mintline.config.MintlineSettings.Retry(4, Duration.ofMillis(50), Duration.ofMillis(500)), 1000);
    Ed25519Signer deployKey = Ed25519Signer.generate("deploy");
    devnet.fund(deployKey.address().toString(), 100_000_000);

    ActorSystem<Void> first = TestSystems.start(db);
    running.add(first);
    ActorRef<ChainListener.Command> onFirst = wire(first, deployKey);
    ActorSystem<Void> second = TestSystems.start(db, first);
    running.add(second);
    ActorRef<ChainListener.Command> onSecond = wire(second, deployKey);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (upMembers(first) < 2) {
      assertTrue(System.nanoTime() < deadline, "two nodes did not form a cluster");
      Thread.sleep(100);
    }

    ChainListenerTest.awaitStatus(first, onFirst, Duration.ofSeconds(30), s -> s.state().equals(ListenerStatus.FOLLOWING));
    ChainListenerTest helper = new ChainListenerTest();
    helper.devnet = devnet;
    helper.gateway = gateway;
    String app = helper.creatorApp(first, Ed25519Signer.generate("creator").address().toString());
    for (int i = 0; i < 20; i++) devnet.fund(app, 200_000 + i);
    ChainListenerTest.awaitCount(second, "direction = 'received'", 20, Duration.ofSeconds(30));

    // Tips keep coming while the listener's node (the oldest, so the singleton's) leaves.
    Thread sender = new Thread(() -> {
      for (int i = 0; i < 30; i++) {
        devnet.fund(app, 300_000 + i);
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sender.start();
    TestSystems.stop(first);
    running.remove(first);
    sender.join(30_000);

    ChainListenerTest.awaitCount(second, "direction = 'received'", 50, Duration.ofSeconds(60));
    ChainListenerTest.awaitCount(second, "direction = 'sent'", 50, Duration.ofSeconds(30));
    long chainRound = devnet.currentRound(); // before the status: the chain moves on meanwhile
    ListenerStatus status = ChainListenerTest.awaitStatus(second, onSecond, Duration.ofSeconds(30),
        s -> s.state().equals(ListenerStatus.FOLLOWING));
    assertTrue(status.round() >= chainRound - 5, chainRound + ": " + status);
    Thread.sleep(1000);
    assertEquals(100, ChainListenerTest.count(second, ""), "none twice after the hand-over");
  }

  private ActorRef<ChainListener.Command> wire(ActorSystem<?> system, Ed25519Signer deployKey) {
    DeploymentEntity.init(system, new AlgorandDeploymentChain(new TipProxyDeployer(deployKey), gateway), DeploymentHooks.NONE,
        DeploymentEntity.RetrySettings.DEFAULT);
    DeploymentProjection.init(system);
    TipProjection.init(system);
    return ChainListener.init(system, gateway, ChainListenerTest.settings(), "devnet", Set.of(deployKey.address().toString()));
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }
}
