package io.mintline.engine.deployment;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.mintline.config.EvmSettings;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.deploy.keys.EvmSigner;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.RawTransaction;

/**
 * Contract deployments on EVM networks: signs EIP-1559 contract creations with the EVM deployment
 * key and a nonce from the signer's {@link SignerNonceEntity}, sends the saved raw transaction,
 * and watches receipts and block hashes. Signing is local and has no effect on the chain; only
 * {@link #send} does, and it sends only what the node does not have yet.
 */
public final class EvmDeploymentChain {
  private static final Logger log = LoggerFactory.getLogger(EvmDeploymentChain.class);
  /** Gas estimated plus this share: the estimate is the exact cost only for the state it ran on. */
  private static final int GAS_HEADROOM_PERCENT = 20;
  /** How often receipts and blocks are looked at while waiting. */
  private static final long POLL_MS = 100;
  /** How often, while waiting, the node is asked whether it still has the transaction. */
  private static final long LOOK_MS = 500;
  /**
   * How long the node must go on not knowing the transaction before it counts as dropped from the
   * pool: longer than a load balancer's switch between nodes, short against any replace-after.
   */
  static final Duration DROP_GRACE = Duration.ofSeconds(2);
  /**
   * How long a transaction the node holds may stay unmined once its nonce is the account's next
   * before it is sent again (in practice the second look that finds it so): far longer than
   * ganache's instamine takes to mine an executable transaction and save its block (milliseconds
   * on a quiet machine), far shorter than any replace-after.
   */
  static final Duration REBROADCAST_GRACE = Duration.ofMillis(500);
  /** The longest wait between two sends of the same transaction (the wait doubles from the grace). */
  static final Duration REBROADCAST_GAP_MAX = Duration.ofSeconds(30);
  /** A filler is a plain transfer of nothing to the signer itself: the intrinsic gas of a transfer. */
  static final long FILL_GAS = 21_000;
  /**
   * The filler's tip, fixed (2 gwei, the tip wallets default to) so that a filler signed again for
   * the same gap by the local key is the same transaction, which the node already has.
   */
  static final BigInteger FILL_TIP_WEI = BigInteger.valueOf(2_000_000_000L);

  /** A signed contract creation. */
  public record Signed(String txHash, String rawTx, long nonce, String signer, long gasLimit, long maxFeePerGas,
      long maxPriorityFeePerGas) {}

  /** What waiting for a sent transaction found. */
  public sealed interface Sent {}

  /** One of the deployment's transactions is mined. */
  public record Mined(EvmGateway.Receipt receipt) implements Sent {}

  /** None is mined after the replacement time: replace it. */
  public record ReplaceDue() implements Sent {}

  /** The node no longer has the transaction (dropped from its pool) and its nonce is unused: replace it. */
  public record Dropped() implements Sent {}

  /** The nonce was used by a transaction that is not one of the deployment's. */
  public record NonceTaken(long minedNonce) implements Sent {}

  /** What watching a confirmed deployment found. */
  public enum Depth { DEEP_ENOUGH, REORGANISED }

  private final EvmNetworks networks;
  private final EvmSigner signer;
  private final ActorSystem<?> system;
  private final Duration askTimeout;

  public EvmDeploymentChain(EvmNetworks networks, EvmSigner signer, ActorSystem<?> system, Duration askTimeout) {
    this.networks = networks;
    this.signer = signer;
    this.system = system;
    this.askTimeout = askTimeout;
  }

  public EvmNetworks networks() {
    return networks;
  }

  public EvmSigner signer() {
    return signer;
  }

  private EvmNetworks.Network network(String name) {
    try {
      return networks.network(name);
    } catch (IllegalArgumentException e) {
      throw new ChainException(ChainException.Kind.REJECTED, e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new ChainException(ChainException.Kind.UNAVAILABLE, e.getMessage(), e);
    }
  }

  /**
   * Signs the creation of {@code initCode}: estimates gas and fees first (they may fail without
   * cost), then reserves the nonce (idempotent per deployment), then signs.
   */
  public CompletionStage<Signed> signCreate(String deploymentId, String networkName, String initCode) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n -> {
      EvmGateway gateway = n.gateway();
      EvmSettings.Network s = n.settings();
      return gateway.estimateDeployGas(signer.address(), initCode).thenCompose(gas ->
          gateway.fees(s.maxFeePerGasWei()).thenCompose(fees ->
              gateway.minedNonce(signer.address()).thenCompose(mined ->
              gateway.pendingNonce(signer.address()).thenCompose(pending ->
                  reserve(networkName, deploymentId, mined.longValueExact(), pending.longValueExact()).thenApply(nonce -> {
                    long gasLimit = gas.multiply(BigInteger.valueOf(100 + GAS_HEADROOM_PERCENT)).divide(BigInteger.valueOf(100)).longValueExact();
                    return sign(deploymentId, s, initCode, nonce, gasLimit, fees);
                  })))));
    });
  }

  /** The same creation at the same nonce with fees bumped by at least 10 % (capped), to replace an unmined one. */
  public CompletionStage<Signed> signReplacement(String deploymentId, String networkName, String initCode, long nonce,
      long gasLimit, long maxFee, long maxPriority) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenApply(n -> {
      EvmGateway.Fees bumped = new EvmGateway.Fees(BigInteger.valueOf(maxFee), BigInteger.valueOf(maxPriority))
          .bumped(10, n.settings().maxFeePerGasWei().max(BigInteger.valueOf(maxFee)));
      return sign(deploymentId, n.settings(), initCode, nonce, gasLimit, bumped);
    });
  }

  private Signed sign(String deploymentId, EvmSettings.Network s, String initCode, long nonce, long gasLimit,
      EvmGateway.Fees fees) {
    RawTransaction tx = RawTransaction.createTransaction(s.chainId(), BigInteger.valueOf(nonce), BigInteger.valueOf(gasLimit),
        "", BigInteger.ZERO, initCode, fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
    EvmSigner.Signed signed = signer.sign(tx, s.chainId(), "deploy:" + deploymentId);
    return new Signed(signed.txHash(), signed.rawHex(), nonce, signer.address(), gasLimit,
        fees.maxFeePerGas().longValueExact(), fees.maxPriorityFeePerGas().longValueExact());
  }

  private CompletionStage<Long> reserve(String network, String deploymentId, long mined, long pending) {
    return nonces(network)
        .<SignerNonceEntity.Reservation>ask(replyTo -> new SignerNonceEntity.Reserve(deploymentId, mined, pending, replyTo), askTimeout)
        .thenApply(SignerNonceEntity.Reservation::nonce);
  }

  private akka.cluster.sharding.typed.javadsl.EntityRef<SignerNonceEntity.Command> nonces(String network) {
    return ClusterSharding.get(system)
        .entityRefFor(SignerNonceEntity.ENTITY_KEY, SignerNonceEntity.entityId(network, signer.address()));
  }

  /**
   * Gives the nonce of a deployment that failed for good back to the signer's nonce manager, if no
   * transaction of the deployment is mined or known to the node and the account's mined nonce has
   * not passed it ({@code txHashes} empty: nothing was ever signed). Answers the nonce given back,
   * or -1.
   */
  public CompletionStage<Long> releaseIfUnused(String deploymentId, String networkName, List<String> txHashes, long nonce) {
    CompletionStage<Boolean> unused = txHashes.isEmpty()
        ? CompletableFuture.completedFuture(true)
        : CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n -> {
          EvmGateway gateway = n.gateway();
          return firstReceipt(gateway, txHashes, 0).thenCompose(mined -> mined.isPresent()
              ? CompletableFuture.completedFuture(false)
              : anyKnown(gateway, txHashes, 0).thenCompose(known -> known
                  ? CompletableFuture.completedFuture(false)
                  : gateway.minedNonce(signer.address()).thenApply(m -> m.longValueExact() <= nonce)));
        });
    return unused.thenCompose(free -> {
      if (!free) return CompletableFuture.completedFuture(-1L);
      return nonces(networkName)
          .<SignerNonceEntity.Reservation>ask(replyTo -> new SignerNonceEntity.Release(deploymentId, replyTo), askTimeout)
          .thenApply(r -> {
            if (r.nonce() >= 0) log.info("Deployment {} gave nonce {} of {} back on {}", deploymentId, r.nonce(), signer.address(), networkName);
            return r.nonce();
          });
    });
  }

  private CompletionStage<Boolean> anyKnown(EvmGateway gateway, List<String> hashes, int i) {
    if (i >= hashes.size()) return CompletableFuture.completedFuture(false);
    return gateway.knows(hashes.get(i)).thenCompose(k -> k ? CompletableFuture.completedFuture(true) : anyKnown(gateway, hashes, i + 1));
  }

  /**
   * Fills the gaps below {@code below} that the nonce manager hands out (nonces given back by failed
   * deployments) with a transfer of nothing to the signer itself, so the transactions waiting behind
   * them can be mined. Answers the nonces filled; a filler that cannot be sent is logged and left for
   * the next look.
   */
  CompletionStage<List<Long>> fillGaps(EvmNetworks.Network n, long chainMined, long below) {
    EvmSettings.Network s = n.settings();
    return nonces(s.name())
        .<SignerNonceEntity.Gaps>ask(replyTo -> new SignerNonceEntity.FillGaps(chainMined, below, s.replaceAfter(), replyTo), askTimeout)
        .thenCompose(gaps -> {
          CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
          for (long nonce : gaps.nonces()) {
            all = all.thenCompose(ignored -> {
              BigInteger fee = s.maxFeePerGasWei();
              RawTransaction tx = RawTransaction.createTransaction(s.chainId(), BigInteger.valueOf(nonce), BigInteger.valueOf(FILL_GAS),
                  signer.address(), BigInteger.ZERO, "", FILL_TIP_WEI.min(fee), fee);
              EvmSigner.Signed signed = signer.sign(tx, s.chainId(), "nonce-fill:" + s.name() + ":" + nonce);
              log.warn("Nonce {} of {} on {} was given back by a failed deployment; filling it with {} so later transactions are mined",
                  nonce, signer.address(), s.name(), signed.txHash());
              return send(s.name(), signed.rawHex(), signed.txHash(), List.of(signed.txHash()))
                  .handle((hash, failure) -> {
                    if (failure != null) log.warn("Filler {} for nonce {} was not sent: {}", signed.txHash(), nonce, failure.getMessage());
                    return null;
                  }).toCompletableFuture().thenApply(x -> (Void) null);
            });
          }
          return all.thenApply(ignored -> gaps.nonces());
        });
  }

  /**
   * Sends {@code rawTx} (again: resending is harmless) and waits up to {@code replaceIn} for a
   * receipt of any of {@code txHashes} (the deployment's transactions so far, replacements
   * included).
   */
  public CompletionStage<Sent> sendAndAwait(String networkName, String rawTx, String txHash, List<String> txHashes,
      long nonce, String from, Duration replaceIn) {
    return send(networkName, rawTx, txHash, txHashes)
        .thenCompose(hash -> awaitMined(networkName, rawTx, txHashes, nonce, from, replaceIn));
  }

  /**
   * Sends {@code rawTx} unless the node already has it (pooled or mined) or has mined another of
   * the deployment's {@code txHashes}; answers its hash. Looking first is not only politeness:
   * ganache 7.9 executes a resent raw transaction of nonce 0 a second time (it reads nonce 0 as
   * "no nonce" and gives the copy the account's next one: a second contract), so "resending is
   * harmless" holds only for nodes that check — and a node that has the transaction needs nothing
   * from us.
   */
  public CompletionStage<String> send(String networkName, String rawTx, String txHash, List<String> txHashes) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n -> {
      EvmGateway gateway = n.gateway();
      return firstReceipt(gateway, txHashes, 0).thenCompose(mined -> mined.isPresent()
          ? CompletableFuture.completedFuture(txHash)
          : gateway.knows(txHash).thenCompose(known -> known
              ? CompletableFuture.completedFuture(txHash) : gateway.sendRaw(rawTx, txHash)));
    });
  }

  /**
   * Waits up to {@code replaceIn} for a receipt of any of {@code txHashes} (the last is the one in
   * force, signed as {@code rawTx}). Answers {@link Dropped} as soon as the node has gone
   * {@link #DROP_GRACE} without knowing the transaction in force while its nonce is unused. A
   * transaction the node holds whose nonce is next but that stays unmined for
   * {@link #REBROADCAST_GRACE} while the node does not count it pending is sent again
   * ({@link #rebroadcast}). At the deadline: {@link NonceTaken} when the account's mined nonce
   * passed ours, {@link ReplaceDue} when ours is next; when ours waits behind a lower nonce,
   * replacing it would not help — the gaps below it are filled ({@link #fillGaps}) and the wait
   * goes on for another {@code replace-after}.
   */
  public CompletionStage<Sent> awaitMined(String networkName, String rawTx, List<String> txHashes, long nonce, String from,
      Duration replaceIn) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n -> {
      long now = System.nanoTime();
      return awaitReceipt(n, new Watch(rawTx, txHashes, nonce, from, now, now + Math.max(0, replaceIn.toNanos()), 0, -1, -1,
          now, REBROADCAST_GRACE.toNanos()));
    });
  }

  /**
   * One wait for a receipt: what is watched, and what the looks so far found (times are
   * {@link System#nanoTime()}; -1: not seen). {@code nextSince}: since when the node holds the
   * transaction and its nonce is the account's next; {@code rebroadcastAt}/{@code rebroadcastGap}:
   * when it may be sent again at the earliest, and the wait after that.
   */
  private record Watch(String rawTx, List<String> txHashes, long nonce, String from, long startedAt, long deadline,
      long lookAt, long unknownSince, long nextSince, long rebroadcastAt, long rebroadcastGap) {
    String inForce() {
      return txHashes.get(txHashes.size() - 1);
    }

    Watch looked(long now, long unknown, long next) {
      return new Watch(rawTx, txHashes, nonce, from, startedAt, deadline, now + TimeUnit.MILLISECONDS.toNanos(LOOK_MS), unknown,
          next, rebroadcastAt, rebroadcastGap);
    }

    Watch rebroadcastDone(long now) {
      return new Watch(rawTx, txHashes, nonce, from, startedAt, deadline, lookAt, unknownSince, nextSince, now + rebroadcastGap,
          Math.min(rebroadcastGap * 2, REBROADCAST_GAP_MAX.toNanos()));
    }

    Watch until(long newDeadline) {
      return new Watch(rawTx, txHashes, nonce, from, startedAt, newDeadline, lookAt, unknownSince, nextSince, rebroadcastAt,
          rebroadcastGap);
    }
  }

  private CompletionStage<Sent> awaitReceipt(EvmNetworks.Network n, Watch w) {
    EvmGateway gateway = n.gateway();
    return firstReceipt(gateway, w.txHashes(), 0).thenCompose(found -> {
      if (found.isPresent()) return CompletableFuture.completedFuture((Sent) new Mined(found.get()));
      long now = System.nanoTime();
      if (now < w.lookAt()) return waitOrDecide(n, w);
      return gateway.knows(w.inForce()).thenCompose(known -> {
        if (!known) {
          long since = w.unknownSince() < 0 ? now : w.unknownSince();
          if (now - since >= DROP_GRACE.toNanos()) {
            return gateway.minedNonce(w.from()).thenCompose(mined -> mined.longValueExact() > w.nonce()
                ? taken(gateway, w.txHashes(), mined.longValueExact())
                : CompletableFuture.completedFuture((Sent) new Dropped()));
          }
          return waitOrDecide(n, w.looked(now, since, -1));
        }
        // Held by the node. Most transactions are mined before the first look that asks more. Nonce 0
        // is never sent again: no nonce is mined before it, and ganache 7.9 reads a raw
        // transaction's nonce 0 as "no nonce" and executes a copy at the account's next nonce.
        if (w.nonce() == 0 || now - w.startedAt() < TimeUnit.MILLISECONDS.toNanos(LOOK_MS)) {
          return waitOrDecide(n, w.looked(now, -1, -1));
        }
        return gateway.minedNonce(w.from()).thenCompose(mined -> {
          if (mined.longValueExact() != w.nonce()) return waitOrDecide(n, w.looked(now, -1, -1));
          long next = w.nextSince() < 0 ? now : w.nextSince();
          Watch looked = w.looked(now, -1, next);
          if (now - next < REBROADCAST_GRACE.toNanos() || now < w.rebroadcastAt()) return waitOrDecide(n, looked);
          return rebroadcast(gateway, looked).thenCompose(after -> waitOrDecide(n, after));
        });
      });
    });
  }

  /**
   * Sends the transaction in force again: it is the account's next nonce, the node holds it, and
   * it has not been mined for {@link #REBROADCAST_GRACE}. Ganache 7.9 files a transaction that
   * arrives while the signer's previous one is executed but its block not yet saved as a future
   * one (its pool compares the nonce with the account's saved nonce, one behind) and never
   * promotes it when that block lands; sent again once its nonce is next, it is executable and
   * mined. A real node promotes such a transaction itself, so it is sent again only when the node
   * does not count it among the account's pending ones ({@code eth_getTransactionCount(pending)}
   * not past it), and a node that has it answers "already known". Ganache's pending count is
   * always the mined one, so there the grace is what keeps an executable transaction from being
   * sent again while it is mined; one that is (a pool without automatic mining) answers
   * "underpriced" for itself, which {@link EvmGateway#sendRaw} accepts. Each further send waits
   * twice as long as the one before.
   */
  private CompletionStage<Watch> rebroadcast(EvmGateway gateway, Watch w) {
    return gateway.pendingNonce(w.from()).<Watch>thenCompose(pending -> {
      long now = System.nanoTime();
      if (pending.longValueExact() > w.nonce()) return CompletableFuture.completedFuture(w.rebroadcastDone(now));
      log.info("Transaction {} (nonce {} of {}) is the next nonce, held by the node and unmined for {} ms; sending it again",
          w.inForce(), w.nonce(), w.from(), TimeUnit.NANOSECONDS.toMillis(now - w.nextSince()));
      return gateway.sendRaw(w.rawTx(), w.inForce()).handle((hash, failure) -> {
        if (failure != null) log.warn("Sending {} again failed: {}", w.inForce(), failure.getMessage());
        return w.rebroadcastDone(now);
      });
    });
  }

  private CompletionStage<Sent> waitOrDecide(EvmNetworks.Network n, Watch w) {
    if (System.nanoTime() < w.deadline()) {
      return later(() -> awaitReceipt(n, w));
    }
    EvmGateway gateway = n.gateway();
    return gateway.minedNonce(w.from()).thenCompose(minedCount -> {
      long mined = minedCount.longValueExact();
      if (mined > w.nonce()) return taken(gateway, w.txHashes(), mined);
      if (mined == w.nonce()) return CompletableFuture.completedFuture((Sent) new ReplaceDue());
      // Behind a lower nonce: fill the gaps the nonce manager knows of, then wait another round.
      long again = System.nanoTime() + n.settings().replaceAfter().toNanos();
      return fillGaps(n, mined, w.nonce()).thenCompose(filled -> awaitReceipt(n, w.until(again)));
    });
  }

  /** A receipt may land between the two looks: look once more before calling the nonce taken. */
  private CompletionStage<Sent> taken(EvmGateway gateway, List<String> txHashes, long mined) {
    return firstReceipt(gateway, txHashes, 0).thenApply(again -> again.<Sent>map(Mined::new).orElse(new NonceTaken(mined)));
  }

  private CompletionStage<Optional<EvmGateway.Receipt>> firstReceipt(EvmGateway gateway, List<String> hashes, int i) {
    if (i >= hashes.size()) return CompletableFuture.completedFuture(Optional.empty());
    return gateway.receipt(hashes.get(i)).thenCompose(r -> r.isPresent()
        ? CompletableFuture.completedFuture(r) : firstReceipt(gateway, hashes, i + 1));
  }

  /**
   * Waits until the block {@code blockNumber} has {@code confirmations} blocks (itself included)
   * and is still {@code blockHash}; a different hash at that height (or none) is a reorganisation.
   */
  public CompletionStage<Depth> awaitDepth(String networkName, String txHash, long blockNumber, String blockHash) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n -> depth(n, txHash, blockNumber, blockHash));
  }

  private CompletionStage<Depth> depth(EvmNetworks.Network n, String txHash, long blockNumber, String blockHash) {
    EvmGateway gateway = n.gateway();
    return gateway.blockHash(blockNumber).thenCompose(hash -> {
      if (hash.isEmpty() || !hash.get().equalsIgnoreCase(blockHash)) return CompletableFuture.completedFuture(Depth.REORGANISED);
      return gateway.receipt(txHash).thenCompose(receipt -> {
        if (receipt.isEmpty() || !receipt.get().blockHash().equalsIgnoreCase(blockHash)) {
          return CompletableFuture.completedFuture(Depth.REORGANISED);
        }
        return gateway.blockNumber().thenCompose(head -> head - blockNumber + 1 >= n.settings().confirmations()
            ? CompletableFuture.completedFuture(Depth.DEEP_ENOUGH)
            : later(() -> depth(n, txHash, blockNumber, blockHash)));
      });
    });
  }

  /** The replacement time of {@code networkName}. */
  public Duration replaceAfter(String networkName) {
    return networks.settings(networkName).map(EvmSettings.Network::replaceAfter).orElse(Duration.ofMinutes(1));
  }

  private static <T> CompletionStage<T> later(java.util.function.Supplier<CompletionStage<T>> next) {
    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> next.get());
  }
}
