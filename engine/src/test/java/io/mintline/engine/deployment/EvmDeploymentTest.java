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

  String contractAddress(long nonce) {
    return Keys.toChecksumAddress(org.web3j.crypto.ContractUtils.generateContractAddress(signer.address(), BigInteger.valueOf(nonce)));
  }

  void awaitKnown(String txHash) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!control.knows(txHash).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      assertTrue(System.nanoTime() < deadline, txHash + " never reached the node");
      Thread.sleep(50);
    }
  }

  /** Restarts ganache on its port and chain database: the chain stays, the pool (in memory) is lost. */
  void dropPool() throws Exception {
    int port = ganache.port();
    ganache.close();
    Path root = NodeToolchain.require("ganache");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.MANUAL,
        dataDir.resolve("chain"), port);
    rpc("evm_setAccountBalance", signer.address(), "0x" + BigInteger.TEN.pow(24).toString(16));
  }

  long minedNonce() throws Exception {
    return control.minedNonce(signer.address()).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact();
  }

  /**
   * What this can show on ganache 7.9: a transaction not mined within {@code replace-after} is
   * replaced at the same nonce with fees raised by at least 10 %, every hash is kept, and the
   * deployment ends active at the nonce's address. What it cannot: that only one of them is mined —
   * at nonce 0 ganache gives the replacement the next nonce and executes both (it reads a raw
   * transaction's nonce 0 as "no nonce"; see docs/ARCHITECTURE.md), where a real node replaces the
   * first.
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

  /**
   * A pooled transaction lost by the node (ganache restarted on the same chain database: its pool
   * lives in memory only) is noticed as dropped, replaced at the same nonce with fees raised by at
   * least 10 %, and mined once: one contract at the nonce's address, the account's nonce used once,
   * the replacement's hash the one mined and the original unknown to the chain.
   */
  @Test
  void aTransactionDroppedFromThePoolIsReplacedWithBumpedFeesAndMinedOnce() throws Exception {
    // replace-after far away: what replaces the transaction here is that it was dropped.
    chain(LocalEvmNode.Mining.MANUAL, 1, Duration.ofMinutes(10));
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, DeploymentHooks.NONE);
      String id = DeploymentId.of(OWNER, "dropped");
      request(system, id);
      DeploymentEntity.Summary first = await(system, id, s -> s.evm() != null && s.evm().txHashes().size() == 1);
      String original = first.evm().txHashes().get(0);
      awaitKnown(original);

      dropPool();
      assertFalse(control.knows(original).toCompletableFuture().get(30, TimeUnit.SECONDS),
          "the restarted node must have lost its pool, else nothing was dropped");
      assertEquals(0, minedNonce(), "the chain kept its state and nothing was mined");

      DeploymentEntity.Summary replaced = await(system, id, s -> s.evm().txHashes().size() >= 2);
      assertEquals(2, replaced.evm().txHashes().size(), "one replacement: " + replaced.evm().txHashes());
      assertEquals(first.evm().nonce(), replaced.evm().nonce(), "a replacement keeps the nonce");
      assertTrue(replaced.evm().maxFeePerGas() * 10 >= first.evm().maxFeePerGas() * 11,
          "fees bumped by at least 10 %: " + first.evm().maxFeePerGas() + " -> " + replaced.evm().maxFeePerGas());
      assertTrue(replaced.evm().maxPriorityFeePerGas() * 10 >= first.evm().maxPriorityFeePerGas() * 11);
      String replacement = replaced.evm().txHashes().get(1);
      awaitKnown(replacement);
      rpc("evm_mine");

      DeploymentEntity.Summary active = await(system, id, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      assertEquals(replacement, active.txId(), "the replacement is the transaction mined");
      assertEquals(firstContractAddress(), active.evm().contractAddress());
      Thread.sleep(500);
      assertEquals(1, minedNonce(), "the nonce is used once: one transaction of the signer mined");
      assertEquals(RUNTIME, control.code(firstContractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals("0x", control.code(contractAddress(1)).toCompletableFuture().get(30, TimeUnit.SECONDS),
          "no second contract");
      assertTrue(control.receipt(replacement).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow().succeeded());
      assertTrue(control.receipt(original).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty(), "the original is never mined");
      assertFalse(control.knows(original).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(List.of(original, replacement), active.evm().txHashes(), "both hashes are kept");
      assertEquals(2, signatures.size(), "both signatures recorded: " + signatures);
    } finally {
      TestSystems.stop(system);
    }
  }

  /**
   * Nonce 0 dropped while 1 and 2 are still pending (the node restarted and lost its pool; the
   * later two came back from another node's pool, as peers re-broadcast): 1 and 2 wait behind the
   * gap and are not replaced; 0 is refilled by its own deployment at bumped fees; all three are
   * mined, the signer's nonces 0, 1, 2 used once each, no gap.
   */
  @Test
  void aDroppedNonceWithLaterOnesStillPendingIsRefilledAndAllAreMinedGapless() throws Exception {
    chain(LocalEvmNode.Mining.MANUAL, 1, Duration.ofMinutes(10));
    Config db = TestDatabases.h2(dataDir);
    ActorSystem<Void> system = TestSystems.start(db);
    try {
      init(system, DeploymentHooks.NONE);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = DeploymentId.of(OWNER, "refill-" + i);
        ids.add(id);
        request(system, id);
        DeploymentEntity.Summary s = await(system, id, x -> x.evm() != null && x.evm().nonce() != null);
        assertEquals((long) i, s.evm().nonce());
        awaitKnown(s.evm().txHashes().get(0));
      }
      List<String> laterRaw = List.of(rawTx(system, ids.get(1)), rawTx(system, ids.get(2)));
      String dropped = get(system, ids.get(0)).evm().txHashes().get(0);

      dropPool();
      for (int i = 0; i < 2; i++) {
        String hash = get(system, ids.get(i + 1)).evm().txHashes().get(0);
        assertEquals(hash, control.sendRaw(laterRaw.get(i), hash).toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      assertFalse(control.knows(dropped).toCompletableFuture().get(30, TimeUnit.SECONDS), "nonce 0's transaction is gone");

      DeploymentEntity.Summary refilled = await(system, ids.get(0), s -> s.evm().txHashes().size() >= 2);
      awaitKnown(refilled.evm().txHashes().get(1));
      rpc("evm_mine");
      for (int i = 0; i < 3; i++) {
        DeploymentEntity.Summary active = await(system, ids.get(i), s -> s.status() == DeploymentEntity.Status.ACTIVE);
        assertEquals(contractAddress(i), active.evm().contractAddress(), "deployment " + i + " at its own nonce");
        assertEquals(RUNTIME, control.code(active.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(i == 0 ? 2 : 1, active.evm().txHashes().size(),
            "only the dropped one is replaced; the pending ones wait: " + active.evm().txHashes());
      }
      Thread.sleep(500);
      assertEquals(3, minedNonce(), "nonces 0, 1, 2 used once each, no gap");
      assertEquals("0x", control.code(contractAddress(3)).toCompletableFuture().get(30, TimeUnit.SECONDS), "no fourth contract");
    } finally {
      TestSystems.stop(system);
    }
  }

  /** The raw signed creation a deployment saved (its EvmSubmitted event, read from the journal). */
  static String rawTx(ActorSystem<?> system, String id) throws Exception {
    akka.persistence.jdbc.query.javadsl.JdbcReadJournal journal = akka.persistence.query.PersistenceQuery.get(system)
        .getReadJournalFor(akka.persistence.jdbc.query.javadsl.JdbcReadJournal.class,
            akka.persistence.jdbc.query.javadsl.JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId(
            akka.persistence.typed.PersistenceId.of(DeploymentEntity.ENTITY_KEY.name(), id).id(), 0L, Long.MAX_VALUE)
        .map(envelope -> envelope.event())
        .filter(e -> e instanceof DeploymentEntity.EvmSubmitted)
        .map(e -> ((DeploymentEntity.EvmSubmitted) e).rawTx())
        .runWith(akka.stream.javadsl.Sink.head(), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * A deployment that fails for good after its nonce was reserved leaves a gap that later
   * transactions of the signer wait behind. The nonce comes back to the nonce manager, the
   * deployment waiting behind it fills it with a transfer of nothing, and every later deployment is
   * mined: the signer's nonces used without a gap, each deployment's contract at its own nonce.
   */
  @Test
  void aGapLeftByADeploymentThatFailedBeforeItsTransactionReachedTheChainIsFilledAndLaterOnesAreMined() throws Exception {
    chain(LocalEvmNode.Mining.INSTANT, 1, Duration.ofSeconds(2));
    String failing = DeploymentId.of(OWNER, "gap-0");
    CompletableFuture<Void> failingGoesOn = new CompletableFuture<>();
    CountDownLatch failingSigned = new CountDownLatch(1);
    DeploymentHooks hooks = (deploymentId, at) -> {
      if (!deploymentId.equals(failing) || at != DeploymentHooks.Checkpoint.SUBMITTED_PERSISTED) {
        return CompletableFuture.completedFuture(null);
      }
      failingSigned.countDown();
      return failingGoesOn;
    };
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, hooks);
      request(system, failing);
      assertTrue(failingSigned.await(30, TimeUnit.SECONDS), "the first deployment never signed");
      assertEquals(0L, get(system, failing).evm().nonce());
      List<String> later = List.of(DeploymentId.of(OWNER, "gap-1"), DeploymentId.of(OWNER, "gap-2"));
      for (int i = 0; i < later.size(); i++) {
        request(system, later.get(i));
        long nonce = i + 1;
        DeploymentEntity.Summary s = await(system, later.get(i), x -> x.evm() != null && x.evm().nonce() != null);
        assertEquals(nonce, s.evm().nonce());
        awaitKnown(s.evm().txHashes().get(0));
      }
      Thread.sleep(500);
      assertEquals(0, minedNonce(), "nonces 1 and 2 wait behind nonce 0");
      // The first deployment's transaction never reaches the chain: it fails for good.
      failingGoesOn.completeExceptionally(new io.mintline.deploy.algorand.ChainException(
          io.mintline.deploy.algorand.ChainException.Kind.REJECTED, "refused before sending (test)", null));

      for (int i = 0; i < later.size(); i++) {
        DeploymentEntity.Summary active = await(system, later.get(i), s -> s.status() == DeploymentEntity.Status.ACTIVE);
        assertEquals(contractAddress(i + 1), active.evm().contractAddress(), "deployment " + i + " at its own nonce");
        assertEquals(RUNTIME, control.code(active.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      assertEquals(DeploymentEntity.Status.FAILED, get(system, failing).status());
      Thread.sleep(500);
      assertEquals(3, minedNonce(), "nonces 0, 1 and 2 used, once each, no gap");
      assertEquals("0x", control.code(contractAddress(0)).toCompletableFuture().get(30, TimeUnit.SECONDS),
          "nonce 0 created nothing: the failed deployment has no contract");
      List<String> fills = signatures.stream().filter(x -> x.contains(" nonce-fill:dev:0 ")).toList();
      assertEquals(1, fills.size(), "one filler signed for nonce 0: " + signatures);
      String fillHash = fills.get(0).substring(fills.get(0).lastIndexOf(' ') + 1);
      EvmGateway.Receipt fill = control.receipt(fillHash).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
      assertTrue(fill.succeeded() && fill.contractAddress() == null, "the filler is a plain transfer: " + fill);
    } finally {
      TestSystems.stop(system);
    }
  }

  /**
   * A stream of deployments from one signer on ganache with instamine, {@link #IN_FLIGHT} at a
   * time (the next requested as one becomes active, as EvmDeployBench does): all are active within
   * {@link #CONCURRENT_DEADLINE} — far below {@code replace-after} (10 min here), so none waited
   * for a replacement — with the signer's nonces used without a gap, one transaction per
   * deployment and one contract at each nonce. Ganache files a transaction that arrives while the
   * signer's previous one is being mined as a future one and never promotes it; before such a
   * transaction was sent again once its nonce is next (EvmDeploymentChain.REBROADCAST_GRACE), the
   * stream stalled there until replace-after.
   */
  @Test
  void concurrentDeploymentsFromOneSignerAreAllActiveInSecondsWithGaplessNonces() throws Exception {
    chain(LocalEvmNode.Mining.INSTANT, 1, Duration.ofMinutes(10));
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, DeploymentHooks.NONE);
      String warmUp = DeploymentId.of(OWNER, "concurrent-warm-up"); // the shard and the nonce manager started
      request(system, warmUp);
      await(system, warmUp, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      int count = 40;
      List<String> ids = new ArrayList<>();
      java.util.Set<String> inFlight = new java.util.LinkedHashSet<>();
      Map<String, DeploymentEntity.Summary> active = new LinkedHashMap<>();
      long started = System.nanoTime();
      long deadline = started + CONCURRENT_DEADLINE.toNanos();
      while (active.size() < count) {
        while (inFlight.size() < IN_FLIGHT && ids.size() < count) {
          String id = DeploymentId.of(OWNER, "concurrent-" + ids.size());
          ids.add(id);
          inFlight.add(id);
          assertTrue(request(system, id).created());
        }
        for (String id : List.copyOf(inFlight)) {
          DeploymentEntity.Summary s = get(system, id);
          assertNotEquals(DeploymentEntity.Status.FAILED, s.status(), String.valueOf(s));
          if (s.status() == DeploymentEntity.Status.ACTIVE) {
            active.put(id, s);
            inFlight.remove(id);
          }
        }
        if (active.size() < count && System.nanoTime() > deadline) {
          List<String> waiting = new ArrayList<>();
          for (String id : inFlight) {
            DeploymentEntity.Summary s = get(system, id);
            waiting.add(s.status().wire() + " at nonce " + s.evm().nonce());
          }
          fail(active.size() + " of " + count + " deployments active after " + CONCURRENT_DEADLINE.toSeconds() + " s; in flight: "
              + waiting + "; mined nonce " + minedNonce() + "; txpool_content " + rpc("txpool_content"));
        }
        Thread.sleep(20);
      }
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      System.out.println(count + " deployments from one signer, " + IN_FLIGHT + " in flight, active in " + tookMs + " ms");

      java.util.TreeSet<Long> nonces = new java.util.TreeSet<>();
      for (DeploymentEntity.Summary s : active.values()) {
        long nonce = s.evm().nonce();
        nonces.add(nonce);
        assertEquals(contractAddress(nonce), s.evm().contractAddress(), "each deployment's contract at its own nonce");
        assertEquals(1, s.evm().txHashes().size(), "sent, never replaced: " + s.evm().txHashes());
        assertEquals(RUNTIME, control.code(s.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      assertEquals(count, nonces.size(), "every deployment its own nonce: " + nonces);
      assertEquals(1L, nonces.first(), "after the warm-up's nonce 0");
      assertEquals((long) count, nonces.last(), "no gap: " + nonces);
      Thread.sleep(500);
      assertEquals(count + 1, minedNonce(), "the signer's nonces 0.." + count + " used once each");
      assertEquals("0x", control.code(contractAddress(count + 1)).toCompletableFuture().get(30, TimeUnit.SECONDS),
          "nothing executed twice");
      assertEquals(count + 1, signatures.size(), "one signature per deployment, no replacement or filler: " + signatures);
    } finally {
      TestSystems.stop(system);
    }
  }

  /**
   * How long the stream may take on this shared two-core machine; on a quiet one it takes seconds.
   * Before the fix a stalled deployment waited for replace-after (10 min).
   */
  static final Duration CONCURRENT_DEADLINE = Duration.ofSeconds(60);
  /** Deployments in flight at once: more than one, as the benchmark that stalled had (4 and 10). */
  static final int IN_FLIGHT = 6;

  /**
   * The stuck state itself, made deterministic: the node holds a deployment's transaction as a
   * future one (queued behind nonce 1, which another deployment reserved but has not sent), then the
   * account's nonce becomes the transaction's without anything promoting it ({@code
   * evm_setAccountNonce}: ganache moves the nonce and mines an empty block, as the block of a
   * transaction it executed while this one arrived does). The deployment sends it again and is
   * active in seconds, long before replace-after (10 min), mined once.
   */
  @Test
  void aTransactionHeldQueuedWhenItsNonceIsNextIsSentAgainAndMinedOnce() throws Exception {
    chain(LocalEvmNode.Mining.INSTANT, 1, Duration.ofMinutes(10));
    String holding = DeploymentId.of(OWNER, "queued-1");
    CountDownLatch holdingSigned = new CountDownLatch(1);
    DeploymentHooks hooks = (deploymentId, at) -> {
      if (!deploymentId.equals(holding) || at != DeploymentHooks.Checkpoint.SUBMITTED_PERSISTED) {
        return CompletableFuture.completedFuture(null);
      }
      holdingSigned.countDown();
      return new CompletableFuture<>(); // reserved nonce 1, never sends
    };
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir));
    try {
      init(system, hooks);
      String first = DeploymentId.of(OWNER, "queued-0");
      request(system, first);
      await(system, first, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      request(system, holding);
      assertTrue(holdingSigned.await(30, TimeUnit.SECONDS), "the holding deployment never signed");
      String queued = DeploymentId.of(OWNER, "queued-2");
      request(system, queued);
      DeploymentEntity.Summary sent = await(system, queued, x -> x.evm() != null && x.evm().nonce() != null);
      assertEquals(2L, sent.evm().nonce());
      String hash = sent.evm().txHashes().get(0);
      awaitKnown(hash);
      String pool = String.valueOf(rpc("txpool_content"));
      assertTrue(pool.contains(hash.toLowerCase(java.util.Locale.ROOT)) && pool.matches("(?s).*queued=\\{.*" + hash + ".*"),
          "the node holds nonce 2 as a future transaction: " + pool);

      rpc("evm_setAccountNonce", signer.address(), "0x2");
      assertEquals(2, minedNonce(), "nonce 2 is the account's next");
      long at = System.nanoTime();
      DeploymentEntity.Summary active = await(system, queued, s -> s.status() == DeploymentEntity.Status.ACTIVE);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
      assertTrue(tookMs < 15_000, "active " + tookMs + " ms after its nonce became next");
      assertEquals(contractAddress(2), active.evm().contractAddress());
      assertEquals(List.of(hash), active.evm().txHashes(), "sent again, not replaced");
      assertEquals(RUNTIME, control.code(active.evm().contractAddress()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      Thread.sleep(500);
      assertEquals(3, minedNonce(), "mined once");
      assertEquals("0x", control.code(contractAddress(3)).toCompletableFuture().get(30, TimeUnit.SECONDS), "nothing executed twice");
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
