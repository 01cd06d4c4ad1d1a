package io.mintline.engine.deployment;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.typesafe.config.Config;
import io.mintline.config.EvmSettings;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.deploy.keys.EvmSigner;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * EVM deployments on a real local EVM node (ganache 7.9) through the sharded {@link DeploymentEntity}
 * on an H2 journal: a transaction not mined in time is replaced at the same nonce with bumped fees; the
 * node killed at every step of a deployment finishes it after a restart with exactly one contract;
 * a reorganisation sends a confirmed deployment back to submitted and it ends active once, at the
 * same address.
 */
class EvmDeploymentTest {
  /** A contract whose code returns 42: init code copies the 10-byte runtime and returns it. */
  static final String INIT_CODE = "0x600a600c600039600a6000f3602a60805260206080f3";
  static final String RUNTIME = "0x602a60805260206080f3";
  static final String OWNER = "0x52908400098527886E0F7030069857D2E4169EE7";
  static final long CHAIN_ID = 31337;

  @TempDir Path dataDir;
  LocalEvmNode ganache;
  EvmGateway control;
  EvmNetworks networks;
  EvmSigner signer;
  final List<String> signatures = java.util.Collections.synchronizedList(new ArrayList<>());

  void chain(LocalEvmNode.Mining mining, int confirmations, Duration replaceAfter) throws Exception {
    Path root = NodeToolchain.require("ganache");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, mining, dataDir.resolve("chain"));
    control = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10));
    Credentials key = Credentials.create(Keys.createEcKeyPair());
    signer = EvmSigner.fromPrivateKey(Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64),
        (keyId, purpose, txHash) -> signatures.add(keyId + " " + purpose + " " + txHash));
    rpc("evm_setAccountBalance", signer.address(), "0x" + BigInteger.TEN.pow(24).toString(16));
    Map<String, EvmSettings.Network> dev = new LinkedHashMap<>();
    dev.put("dev", new EvmSettings.Network("dev", CHAIN_ID, ganache.url(), "", confirmations,
        BigInteger.valueOf(200).multiply(BigInteger.TEN.pow(9)), replaceAfter));
    networks = EvmNetworks.start(new EvmSettings(dev, "", Duration.ofSeconds(10)), "node", root.resolve("node_modules"),
        null, signer);
  }

  @AfterEach
  void stopChain() {
    if (networks != null) networks.close();
    if (control != null) control.close();
    if (ganache != null) ganache.close();
  }

  Object rpc(String method, Object... params) throws Exception {
    return control.raw(method, List.of(params)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  void init(ActorSystem<?> system, DeploymentHooks hooks) {
    SignerNonceEntity.init(system);
    DeploymentEntity.init(system, null, new EvmDeploymentChain(networks, signer, system, Duration.ofSeconds(10)), hooks,
        new DeploymentEntity.RetrySettings(Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  static DeploymentEntity.Summary request(ActorSystem<?> system, String id) throws Exception {
    DeploymentEntity.EvmContract contract = new DeploymentEntity.EvmContract("job", "Answer.sol:Answer", "hash", INIT_CODE);
    return ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id)
        .<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.RequestContract(OWNER, "Answer", "dev", contract, r),
            Duration.ofSeconds(15))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static DeploymentEntity.Summary get(ActorSystem<?> system, String id) throws Exception {
    return ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, id)
        .<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, Duration.ofSeconds(15))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static DeploymentEntity.Summary await(ActorSystem<?> system, String id, java.util.function.Predicate<DeploymentEntity.Summary> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    DeploymentEntity.Summary last = null;
    while (System.nanoTime() < deadline) {
      last = get(system, id);
      if (done.test(last)) return last;
      assertNotEquals(DeploymentEntity.Status.FAILED, last.status(), String.valueOf(last));
      Thread.sleep(50);
    }
    fail("not reached in 60 s: " + last);
    return last;
  }

  /** Where the signer's first contract lives: one contract per deployment means exactly this one. */
  String firstContractAddress() {
    return Keys.toChecksumAddress(org.web3j.crypto.ContractUtils.generateContractAddress(signer.address(), BigInteger.ZERO));
  }

  long minedNonce() throws Exception {
    return control.minedNonce(signer.address()).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact();
  }

  /**
   * What this can show on ganache 7.9: a transaction not mined within {@code replace-after} is
   * replaced at the same nonce with fees raised by at least 10 %, every hash is kept, and the
   * deployment ends active at the nonce's address. What it cannot: that only one of them is mined —
   * ganache's pool keeps both and its miner executes both (it skips the nonce check; see
   * docs/ARCHITECTURE.md), where a real node replaces the first.
   */
  @Test
  void aTransactionNotMinedInTimeIsReplacedAtTheSameNonceWithBumpedFees() throws Exception {
    chain(LocalEvmNode.Mining.MANUAL, 1, Duration.ofSeconds(1));
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, DeploymentHooks.NONE);
      String id = DeploymentId.of(OWNER, "replace");
      request(system, id);
      DeploymentEntity.Summary first = await(system, id, s -> s.evm() != null && s.evm().txHashes().size() == 1);
      DeploymentEntity.Summary replaced = await(system, id, s -> s.evm().txHashes().size() >= 2);
      assertEquals(first.evm().nonce(), replaced.evm().nonce(), "a replacement keeps the nonce");
      assertTrue(replaced.evm().maxFeePerGas() * 10 >= first.evm().maxFeePerGas() * 11,
          "fees bumped by at least 10 %: " + first.evm().maxFeePerGas() + " -> " + replaced.evm().maxFeePerGas());
      assertTrue(replaced.evm().maxPriorityFeePerGas() * 10 >= first.evm().maxPriorityFeePerGas() * 11);
      String replacement = replaced.evm().txHashes().get(replaced.evm().txHashes().size() - 1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!control.knows(replacement).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
        assertTrue(System.nanoTime() < deadline, "the replacement never reached the node");
        Thread.sleep(50);
      }
      rpc("evm_mine");
      DeploymentEntity.Summary active = await(system, id, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      assertEquals(firstContractAddress(), active.evm().contractAddress(), "the contract of the deployment's nonce");
      assertEquals(RUNTIME, control.code(active.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(active.evm().txHashes().containsAll(replaced.evm().txHashes()), "every hash is kept: " + active.evm());
      assertEquals(active.evm().txHashes().size(), signatures.size(), "every signature recorded: " + signatures);
      assertTrue(signatures.get(0).startsWith("deploy:" + signer.address() + " deploy:" + id + " 0x"), signatures.get(0));
    } finally {
      TestSystems.stop(system);
    }
  }

  @ParameterizedTest(name = "killed at {0}")
  @EnumSource(DeploymentHooks.Checkpoint.class)
  void aNodeKilledAtAnyStepFinishesTheDeploymentAfterRestartWithExactlyOneContract(DeploymentHooks.Checkpoint checkpoint)
      throws Exception {
    chain(LocalEvmNode.Mining.INSTANT, 1, Duration.ofSeconds(30));
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
      init(first, stopThere);
      assertTrue(request(first, id).created());
      assertTrue(reached.await(30, TimeUnit.SECONDS), "the deployment never reached " + checkpoint);
    } finally {
      TestSystems.stop(first);
    }
    ActorSystem<Void> second = TestSystems.start(db);
    try {
      init(second, DeploymentHooks.NONE);
      // No request: the remembered deployment resumes by itself.
      DeploymentEntity.Summary active = await(second, id, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      assertEquals(firstContractAddress(), active.evm().contractAddress());
      assertEquals(0L, active.evm().nonce());
      Thread.sleep(500);
      assertEquals(1, minedNonce(), "exactly one contract creation for the deployment, ever");
      assertEquals(RUNTIME, control.code(firstContractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    } finally {
      TestSystems.stop(second);
    }
  }

  @Test
  void aReorganisedConfirmationGoesBackToSubmittedAndEndsActiveOnceAtTheSameAddress() throws Exception {
    chain(LocalEvmNode.Mining.INSTANT, 3, Duration.ofSeconds(30));
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, DeploymentHooks.NONE);
      String id = DeploymentId.of(OWNER, "reorg");
      TestProbe<DeploymentEntity.Summary> updates = TestProbe.create(system);
      var topic = system.systemActorOf(Topic.create(DeploymentEntity.Summary.class, DeploymentEntity.topicName(id)),
          "reorg-updates", akka.actor.typed.Props.empty());
      topic.tell(Topic.subscribe(updates.getRef()));
      Thread.sleep(500); // the subscription spreads to the topic's registry
      Object snapshot = rpc("evm_snapshot");
      request(system, id);
      DeploymentEntity.Summary confirmed = await(system, id, s -> s.status() == DeploymentEntity.Status.CONFIRMED);
      String firstBlock = confirmed.evm().blockHash();
      // The block with the deployment leaves the chain; another block takes its height.
      assertEquals(Boolean.TRUE, rpc("evm_revert", snapshot));
      rpc("evm_mine");
      DeploymentEntity.Summary active = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (active == null) {
        assertTrue(System.nanoTime() < deadline, "not active after the reorganisation: " + get(system, id));
        DeploymentEntity.Summary now = get(system, id);
        if (now.status() == DeploymentEntity.Status.ACTIVE) active = now;
        else {
          rpc("evm_mine"); // blocks on top, towards the confirmation depth
          Thread.sleep(200);
        }
      }
      assertNotEquals(firstBlock, active.evm().blockHash(), "confirmed again in the new chain's block");
      assertEquals(firstContractAddress(), active.evm().contractAddress(), "the same address: the same nonce and sender");
      assertEquals(confirmed.evm().contractAddress(), active.evm().contractAddress());
      assertEquals(1, minedNonce(), "one contract creation on the final chain");
      assertEquals(RUNTIME, control.code(active.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));

      List<DeploymentEntity.Status> seen = new ArrayList<>();
      while (true) {
        DeploymentEntity.Summary s;
        try {
          s = updates.receiveMessage(Duration.ofMillis(500));
        } catch (AssertionError noMore) {
          break;
        }
        if (seen.isEmpty() || seen.get(seen.size() - 1) != s.status()) seen.add(s.status());
      }
      int confirmedAt = seen.indexOf(DeploymentEntity.Status.CONFIRMED);
      assertTrue(confirmedAt >= 0 && seen.subList(confirmedAt, seen.size()).contains(DeploymentEntity.Status.SUBMITTED),
          "confirmed, then back to submitted: " + seen);
      assertEquals(1, seen.stream().filter(s -> s == DeploymentEntity.Status.ACTIVE).count(), "active once: " + seen);
      assertEquals(DeploymentEntity.Status.ACTIVE, seen.get(seen.size() - 1), seen.toString());
    } finally {
      TestSystems.stop(system);
    }
  }
}
