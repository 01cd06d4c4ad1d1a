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
import org.web3j.crypto.RawTransaction;

/**
 * Contract deployments on EVM networks: signs EIP-1559 contract creations with the EVM deployment
 * key and a nonce from the signer's {@link SignerNonceEntity}, sends the saved raw transaction,
 * and watches receipts and block hashes. Signing is local and has no effect on the chain; only
 * {@link #send} does, and it sends only what the node does not have yet.
 */
public final class EvmDeploymentChain {
  /** Gas estimated plus this share: the estimate is the exact cost only for the state it ran on. */
  private static final int GAS_HEADROOM_PERCENT = 20;
  /** How often receipts and blocks are looked at while waiting. */
  private static final long POLL_MS = 100;

  /** A signed contract creation. */
  public record Signed(String txHash, String rawTx, long nonce, String signer, long gasLimit, long maxFeePerGas,
      long maxPriorityFeePerGas) {}

  /** What waiting for a sent transaction found. */
  public sealed interface Sent {}

  /** One of the deployment's transactions is mined. */
  public record Mined(EvmGateway.Receipt receipt) implements Sent {}

  /** None is mined after the replacement time: replace it. */
  public record ReplaceDue() implements Sent {}

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
              gateway.pendingNonce(signer.address()).thenCompose(pending ->
                  reserve(networkName, deploymentId, pending.longValueExact()).thenApply(nonce -> {
                    long gasLimit = gas.multiply(BigInteger.valueOf(100 + GAS_HEADROOM_PERCENT)).divide(BigInteger.valueOf(100)).longValueExact();
                    return sign(deploymentId, s, initCode, nonce, gasLimit, fees);
                  }))));
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

  private CompletionStage<Long> reserve(String network, String deploymentId, long pending) {
    return ClusterSharding.get(system)
        .entityRefFor(SignerNonceEntity.ENTITY_KEY, SignerNonceEntity.entityId(network, signer.address()))
        .<SignerNonceEntity.Reservation>ask(replyTo -> new SignerNonceEntity.Reserve(deploymentId, pending, replyTo), askTimeout)
        .thenApply(SignerNonceEntity.Reservation::nonce);
  }

  /**
   * Sends {@code rawTx} (again: resending is harmless) and waits up to {@code replaceIn} for a
   * receipt of any of {@code txHashes} (the deployment's transactions so far, replacements
   * included).
   */
  public CompletionStage<Sent> sendAndAwait(String networkName, String rawTx, String txHash, List<String> txHashes,
      long nonce, String from, Duration replaceIn) {
    return send(networkName, rawTx, txHash, txHashes).thenCompose(hash -> awaitMined(networkName, txHashes, nonce, from, replaceIn));
  }

  /**
   * Sends {@code rawTx} unless the node already has it (pooled or mined) or has mined another of
   * the deployment's {@code txHashes}; answers its hash. Looking first is not only politeness:
   * ganache 7.9 executes a resent raw transaction a second time (nonce check skipped: a second
   * contract, the account's nonce one higher), so "resending is harmless" holds only for nodes
   * that check — and a node that has the transaction needs nothing from us.
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

  /** Waits up to {@code replaceIn} for a receipt of any of {@code txHashes}. */
  public CompletionStage<Sent> awaitMined(String networkName, List<String> txHashes, long nonce, String from,
      Duration replaceIn) {
    return CompletableFuture.supplyAsync(() -> network(networkName)).thenCompose(n ->
        awaitReceipt(n.gateway(), txHashes, nonce, from, System.nanoTime() + Math.max(0, replaceIn.toNanos())));
  }

  private CompletionStage<Sent> awaitReceipt(EvmGateway gateway, List<String> txHashes, long nonce, String from, long deadline) {
    return firstReceipt(gateway, txHashes, 0).thenCompose(found -> {
      if (found.isPresent()) return CompletableFuture.completedFuture((Sent) new Mined(found.get()));
      if (System.nanoTime() < deadline) {
        return later(() -> awaitReceipt(gateway, txHashes, nonce, from, deadline));
      }
      // No receipt of ours: if the account's mined nonce passed ours, another transaction took it.
      return gateway.minedNonce(from).thenCompose(mined -> mined.longValueExact() > nonce
          // A receipt may land between the two looks: look once more before calling it taken.
          ? firstReceipt(gateway, txHashes, 0).thenApply(again -> again.<Sent>map(Mined::new).orElse(new NonceTaken(mined.longValueExact())))
          : CompletableFuture.completedFuture(new ReplaceDue()));
    });
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
