package io.mintline.engine.deployment;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment entity on the persistence testkit (serialization checks of commands, events,
 * state and replies on) against a real devnet: it walks to Active by itself, answers repeated
 * requests without a second deployment, and recovers its state after a restart.
 */
class DeploymentEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load("engine-test.conf")));
  static Devnet devnet;
  static AlgodGateway gateway;
  static Ed25519Signer deployKey;
  static final java.util.List<io.mintline.engine.wallet.WalletEntity.Command> told = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void chain() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO));
    gateway = AlgodGateway.create(MintlineSettings.load(ConfigFactory.load("engine-test.conf")).algod(), devnet.url(), devnet.apiToken());
    deployKey = Ed25519Signer.generate("deploy");
    devnet.fund(deployKey.address().toString(), 10_000_000);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    gateway.close();
    devnet.close();
  }

  private EventSourcedBehaviorTestKit<DeploymentEntity.Command, DeploymentEntity.Event, DeploymentEntity.State> kit(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), DeploymentEntity.create(id,
        new AlgorandDeploymentChain(new TipProxyDeployer(deployKey), gateway), DeploymentHooks.NONE,
        DeploymentEntity.RetrySettings.DEFAULT, Clock.systemUTC(), null, (owner, command) -> told.add(command)));
  }

  private static DeploymentEntity.State awaitStatus(
      EventSourcedBehaviorTestKit<DeploymentEntity.Command, DeploymentEntity.Event, DeploymentEntity.State> kit,
      DeploymentEntity.Status status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (kit.getState().status() != status) {
      assertTrue(System.nanoTime() < deadline, "not " + status + ": " + kit.getState().status());
      assertNotEquals(DeploymentEntity.Status.FAILED, kit.getState().status(), kit.getState().error());
      Thread.sleep(50);
    }
    return kit.getState();
  }

  @Test
  void aRequestPersistsRequestedAndTheDeploymentGoesActiveByItself() throws Exception {
    String owner = Ed25519Signer.generate("creator").address().toString();
    var kit = kit(DeploymentId.of(owner, "k"));
    var result = kit.<DeploymentEntity.Summary>runCommand(r -> new DeploymentEntity.Request(owner, "Ann", "devnet", r));
    assertTrue(result.reply().created());
    assertEquals(DeploymentEntity.Status.REQUESTED, result.reply().status());
    assertInstanceOf(DeploymentEntity.Requested.class, result.event());

    DeploymentEntity.State active = awaitStatus(kit, DeploymentEntity.Status.ACTIVE);
    assertNotNull(active.appId());
    assertEquals(TipProxyDeployer.applicationAddress(active.appId()), active.appAddress());
    assertNotNull(active.signedBytes(), "the signed bytes were persisted before they were sent");
    assertTrue(told.stream().anyMatch(c -> c instanceof io.mintline.engine.wallet.WalletEntity.CreatorActivated a
        && a.appId() == active.appId()), "the owner's wallet hears that it is a creator: " + told);
  }

  @Test
  void repeatedRequestsAnswerTheSameDeploymentAndPersistNothing() throws Exception {
    String owner = Ed25519Signer.generate("creator").address().toString();
    var kit = kit(DeploymentId.of(owner, "again"));
    kit.<DeploymentEntity.Summary>runCommand(r -> new DeploymentEntity.Request(owner, "Ann", "devnet", r));
    awaitStatus(kit, DeploymentEntity.Status.ACTIVE);
    var again = kit.<DeploymentEntity.Summary>runCommand(r -> new DeploymentEntity.Request(owner, "Ann", "devnet", r));
    assertFalse(again.reply().created());
    assertEquals(DeploymentEntity.Status.ACTIVE, again.reply().status());
    assertTrue(again.events().isEmpty());
  }

  @Test
  void stateIsRecoveredAfterARestart() throws Exception {
    String owner = Ed25519Signer.generate("creator").address().toString();
    var kit = kit(DeploymentId.of(owner, "restart"));
    kit.<DeploymentEntity.Summary>runCommand(r -> new DeploymentEntity.Request(owner, "Ann", "devnet", r));
    DeploymentEntity.State active = awaitStatus(kit, DeploymentEntity.Status.ACTIVE);
    kit.restart();
    DeploymentEntity.State recovered = kit.getState();
    assertEquals(DeploymentEntity.Status.ACTIVE, recovered.status());
    assertEquals(active.appId(), recovered.appId());
    assertEquals(active.txId(), recovered.txId());
    var summary = kit.<DeploymentEntity.Summary>runCommand(DeploymentEntity.Get::new).reply();
    assertEquals(active.appId(), summary.appId());
  }

  @Test
  void anUnknownIdIsNew() {
    var kit = kit("0123456789abcdef0123456789abcdef");
    var summary = kit.<DeploymentEntity.Summary>runCommand(DeploymentEntity.Get::new);
    assertEquals(DeploymentEntity.Status.NEW, summary.reply().status());
    assertTrue(summary.events().isEmpty());
  }
}
