package io.mintline.engine.deployment;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kill the node at each step of a deployment; a new node on the same database finishes it by
 * itself, and the chain ends up with exactly one TipProxy application for it.
 */
class DeploymentCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OWNER = Ed25519Signer.generate("creator").address().toString();

  @TempDir Path dataDir;
  Devnet devnet;
  AlgodGateway gateway;
  Ed25519Signer deployKey;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void chain() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(100)));
    MintlineSettings settings = MintlineSettings.load(ConfigFactory.load("engine-test.conf"));
    gateway = AlgodGateway.create(settings.algod(), devnet.url(), devnet.apiToken());
    deployKey = Ed25519Signer.generate("deploy");
    devnet.fund(deployKey.address().toString(), 10_000_000);
  }

  @AfterEach
  void stopChain() {
    gateway.close();
    devnet.close();
  }

  private DeploymentChain deploymentChain() {
    return new AlgorandDeploymentChain(new TipProxyDeployer(deployKey), gateway);
  }

  @ParameterizedTest(name = "killed at {0}")
  @EnumSource(DeploymentHooks.Checkpoint.class)
  void aDeploymentKilledAtAnyStepEndsActiveWithExactlyOneApp(DeploymentHooks.Checkpoint checkpoint) throws Exception {
    Config db = TestDatabases.h2(dataDir);
    String id = DeploymentId.of(OWNER, "crash-" + checkpoint);
    CountDownLatch reached = new CountDownLatch(1);
    DeploymentHooks stopThere = (deploymentId, at) -> {
      if (at != checkpoint) return CompletableFuture.completedFuture(null);
      reached.countDown();
      return new CompletableFuture<>(); // never goes on: the node dies here
    };

    ActorSystem<Void> first = TestSystems.start(db);
    try {
      DeploymentEntity.init(first, deploymentChain(), stopThere, DeploymentEntity.RetrySettings.DEFAULT);
      DeploymentEntity.Summary accepted = ClusterSharding.get(first).entityRefFor(DeploymentEntity.ENTITY_KEY, id)
          .<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.Request(OWNER, "Ann", "devnet", r), Duration.ofSeconds(15))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertTrue(accepted.created());
      assertTrue(reached.await(30, TimeUnit.SECONDS), "the deployment never reached " + checkpoint);
    } finally {
      TestSystems.stop(first);
    }
    if (checkpoint == DeploymentHooks.Checkpoint.CHAIN_ACCEPTED) {
      // The chain has the transaction; let it confirm while no node is running.
      Thread.sleep(500);
    }

    ActorSystem<Void> second = TestSystems.start(db);
    try {
      DeploymentEntity.init(second, deploymentChain(), DeploymentHooks.NONE, DeploymentEntity.RetrySettings.DEFAULT);
      // No request: the remembered deployment resumes by itself. Watch the chain, not the entity.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (createdApps().size() != 1 || !appFunded()) {
        assertTrue(System.nanoTime() < deadline, "not deployed and funded within 60 s: " + createdApps());
        Thread.sleep(200);
      }
      DeploymentEntity.Summary done = awaitStatus(second, id, DeploymentEntity.Status.ACTIVE);
      assertEquals(createdApps().get(0), done.appId());
      Thread.sleep(1000);
      assertEquals(1, createdApps().size(), "exactly one application for the deployment, ever");
    } finally {
      TestSystems.stop(second);
    }
  }

  @Test
  void theSameRequestTwiceIsOneDeploymentAndOneApp() throws Exception {
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      DeploymentEntity.init(system, deploymentChain(), DeploymentHooks.NONE, DeploymentEntity.RetrySettings.DEFAULT);
      String id = DeploymentId.of(OWNER, "twice");
      var ref = ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id);
      var first = ref.<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.Request(OWNER, "Ann", "devnet", r), Duration.ofSeconds(15))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      var second = ref.<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.Request(OWNER, "Ann", "devnet", r), Duration.ofSeconds(15))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertTrue(first.created());
      assertFalse(second.created());
      awaitStatus(system, id, DeploymentEntity.Status.ACTIVE);
      assertEquals(1, createdApps().size());
    } finally {
      TestSystems.stop(system);
    }
  }

  @Test
  void aPausedChainIsRetriedUntilItReturns() throws Exception {
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      DeploymentEntity.init(system, deploymentChain(), DeploymentHooks.NONE,
          new DeploymentEntity.RetrySettings(Duration.ofMillis(100), Duration.ofMillis(500)));
      devnet.pause();
      String id = DeploymentId.of(OWNER, "paused");
      ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id)
          .<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.Request(OWNER, "Ann", "devnet", r), Duration.ofSeconds(15))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      Thread.sleep(2000);
      DeploymentEntity.Summary waiting = get(system, id);
      assertFalse(waiting.status().terminal(), "still waiting for the chain: " + waiting);
      devnet.resume();
      awaitStatus(system, id, DeploymentEntity.Status.ACTIVE);
      assertEquals(1, createdApps().size());
    } finally {
      TestSystems.stop(system);
    }
  }

  private DeploymentEntity.Summary awaitStatus(ActorSystem<?> system, String id, DeploymentEntity.Status status)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    DeploymentEntity.Summary last = null;
    while (System.nanoTime() < deadline) {
      last = get(system, id);
      if (last.status() == status) return last;
      assertNotEquals(DeploymentEntity.Status.FAILED, last.status(), String.valueOf(last));
      Thread.sleep(200);
    }
    fail("deployment not " + status + " within 60 s: " + last);
    return null;
  }

  private static DeploymentEntity.Summary get(ActorSystem<?> system, String id) throws Exception {
    return ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id)
        .<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, Duration.ofSeconds(10))
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  /** The application ids the deploy account has created, as the chain reports them. */
  private List<Long> createdApps() throws Exception {
    JsonNode account = account(deployKey.address().toString());
    List<Long> ids = new java.util.ArrayList<>();
    account.path("created-apps").forEach(app -> ids.add(app.path("id").asLong()));
    return ids;
  }

  private boolean appFunded() throws Exception {
    List<Long> apps = createdApps();
    if (apps.size() != 1) return false;
    return account(TipProxyDeployer.applicationAddress(apps.get(0))).path("amount").asLong() >= TipProxyDeployer.APP_MIN_BALANCE;
  }

  private JsonNode account(String address) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(devnet.url() + "/v2/accounts/" + address))
            .header("X-Algo-API-Token", devnet.apiToken()).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
