package io.mintline.engine.minting;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.javadsl.Handler;
import io.mintline.config.EvmSettings;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.deploy.keys.EvmSigner;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentId;
import io.mintline.engine.deployment.EvmDeploymentChain;
import io.mintline.engine.deployment.SignerNonceEntity;
import io.mintline.engine.persistence.BlockingJdbc;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.persistence.ReadSideProjections;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.wallet.WalletEntity;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EVM stickers: every EVM tip a fan sent (not below the minimum) earns an ERC-5192 soulbound token
 * on the platform's sticker collection of the tip's network, owned by the fan.
 *
 * <p>Driven by the wallets' journal: a projection over the wallet tags (one instance per tag
 * slice, spread over the cluster, offsets in the projection offset store) reads each fan's
 * {@code TipRecorded} and mints, committing the offset only once the sticker is on chain (at least
 * once); the contract makes it exactly once: the token id is derived from the tip
 * ({@link #tokenId}), and the collection's {@code mint} reverts for a token id that exists. Before
 * minting the token is looked up ({@code ownerOf}); after a revert it is looked up again — a sticker
 * an earlier attempt minted (a node killed after sending) is recorded, not minted twice. Each mint's
 * nonce comes from the signer's {@link SignerNonceEntity}, reserved per tip: a retry after a crash
 * gets the same nonce and signs the same bytes (fixed fees: the network's fee cap and a 1 gwei tip),
 * so a nonce reserved and never sent is filled by the retry. The collection is the
 * {@code soulbound-erc721} template deployed once per network through the {@link DeploymentEntity}
 * (id {@code DeploymentId.of(signer, "sticker-collection:" + network)}), requested on first need.
 *
 * <p>Bounded: {@code 4} projections, one envelope each, their mints sent one at a time per network and node (a lane,
 * so nonces reach the chain in order). A mint is sent and watched by {@link EvmDeploymentChain}, as a deployment is:
 * one the node holds queued while its nonce is next (ganache 7.9, docs/BENCHMARKS.md) is sent again. A failed mint (chain unavailable)
 * fails the projection, which restarts from its offset with akka-projection's restart backoff.
 * Minted stickers go to the {@code evm_stickers} table (see {@link #record}).
 *
 * <p>Reorganisations: tips are delivered only once {@code confirmations} deep, so one within the
 * depth never reaches the minter (a mint it takes is sent again, above). One deeper than that makes
 * the listener withdraw the replaced blocks' tips from their wallets ({@code TipWithdrawn}): the
 * sticker is unlisted ({@link #withdrawn}); a tip the new chain has again is recorded again and its
 * sticker minted (or found) on the final chain, with the draw of its new block. A tip the new chain
 * kept (its block at or below the fork) whose mint was in a replaced block gets no wallet event: every
 * reorganisation the listener notes ({@code evm_listener_reorgs}) is re-checked here, and such a
 * sticker whose token is gone is minted again ({@link #recheckReorgs}).
 */
public final class EvmStickerMinter extends Handler<EventEnvelope<WalletEntity.Event>> {
  private static final Logger log = LoggerFactory.getLogger(EvmStickerMinter.class);
  /** keccak256("Transfer(address,address,uint256)"). */
  public static final String TRANSFER_TOPIC = Hash.sha3String("Transfer(address,address,uint256)");
  /** Gas of one mint (measured ~150k with a short URI), with room. */
  private static final BigInteger MINT_GAS = BigInteger.valueOf(400_000);
  private static final BigInteger PRIORITY_FEE = BigInteger.TEN.pow(9);
  /** How long a sent mint may wait for its receipt before the attempt fails (and is retried with the same bytes). */
  private static final long RECEIPT_WAIT_MS = 20_000;

  /** The sticker collection's contract for a network's signer: the platform's compiled template with its owner. */
  @FunctionalInterface
  public interface CollectionContract {
    CompletionStage<DeploymentEntity.EvmContract> contract(String owner);
  }

  /** Shared by the projection instances of a node. */
  private static final class Shared {
    final ActorSystem<?> system;
    final EvmNetworks networks;
    final EvmSigner signer;
    final CollectionContract collection;
    final int goldenBasisPoints;
    final String metadataBaseUrl;
    final Duration askTimeout;
    final BlockingJdbc jdbc;
    final Executor blockingIo;
    /** Sends and watches the mints: it sends again a mint the node holds queued (see {@link EvmDeploymentChain#awaitMined}). */
    final EvmDeploymentChain chain;
    final Map<String, CompletableFuture<String>> collections = new ConcurrentHashMap<>();
    /** The tail of each network's mint lane (guarded by itself). */
    final Map<String, CompletableFuture<?>> lanes = new java.util.HashMap<>();

    Shared(ActorSystem<?> system, EvmNetworks networks, EvmSigner signer, CollectionContract collection, int goldenBasisPoints,
        String metadataBaseUrl, Duration askTimeout) {
      this.system = system;
      this.networks = networks;
      this.signer = signer;
      this.collection = collection;
      this.goldenBasisPoints = goldenBasisPoints;
      this.metadataBaseUrl = metadataBaseUrl;
      this.askTimeout = askTimeout;
      this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
      this.jdbc = new BlockingJdbc(JournalDatabase.get(system).dataSource(), blockingIo);
      this.chain = new EvmDeploymentChain(networks, signer, system, askTimeout);
    }
  }

  /** Starts the EVM sticker projections on this node. */
  public static void init(ActorSystem<?> system, EvmNetworks networks, EvmSigner signer, CollectionContract collection,
      int goldenBasisPoints, String metadataBaseUrl, Duration askTimeout) {
    Shared shared = new Shared(system, networks, signer, collection, goldenBasisPoints, metadataBaseUrl, askTimeout);
    ReadSideProjections.<WalletEntity.Event>atLeastOnceAsync(system, "evm-stickers",
        ReadSideProjections.slices("wallet", WalletEntity.TAG_SLICES), () -> new EvmStickerMinter(shared));
    // The reorganisations the listeners noted: the stickers of kept tips whose mints were replaced are minted again.
    EvmStickerMinter rechecks = new EvmStickerMinter(shared);
    java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> {
      if (!JournalDatabase.get(system).migrated() || !busy.compareAndSet(false, true)) return;
      rechecks.recheckReorgs().whenComplete((x, failure) -> {
        busy.set(false);
        if (failure != null) log.warn("EVM stickers: re-checking the mints of a reorganisation failed (tried again): {}", failure.toString());
      });
    }, system.executionContext());
  }

  private final Shared shared;

  private EvmStickerMinter(Shared shared) {
    this.shared = shared;
  }

  // ---- ids and the draw ----

  /** The parts of an EVM tip id {@code evm:<chainId>:<txHash>:<n>}. */
  public record TipId(long chainId, String txHash, int n) {
    public static TipId parse(String tipTxId) {
      String[] p = tipTxId.split(":");
      if (p.length != 4 || !p[0].equals("evm")) throw new IllegalArgumentException("not an EVM tip id: " + tipTxId);
      return new TipId(Long.parseLong(p[1]), p[2], Integer.parseInt(p[3]));
    }
  }

  /** The sticker's token id: {@code uint256(keccak256(abi.encodePacked(uint256 chainId, bytes32 txHash, uint256 n)))}. */
  public static BigInteger tokenId(TipId tip) {
    ByteBuffer packed = ByteBuffer.allocate(96);
    packed.put(uint256(BigInteger.valueOf(tip.chainId())));
    packed.put(HexFormat.of().parseHex(tip.txHash().substring(2)));
    packed.put(uint256(BigInteger.valueOf(tip.n())));
    return new BigInteger(1, Hash.sha3(packed.array()));
  }

  /** A sticker's API id: {@code evm:<chainId>:<collection>:<tokenId>}. */
  public static String stickerId(long chainId, String collection, BigInteger tokenId) {
    return "evm:" + chainId + ":" + collection.toLowerCase(Locale.ROOT) + ":" + tokenId;
  }

  /** The golden draw of an EVM sticker: its inputs, digest and result. */
  public record Draw(String blockHash, String tokenIdHex, String digestHex, int value, int threshold, boolean golden) {}

  /**
   * {@code value = uint256(keccak256(blockHash ‖ uint256(tokenId))) mod 10,000}, golden below the
   * threshold: the tip block's hash in place of Algorand's seed (see docs/API.md on why it is weaker).
   */
  public static Draw draw(String blockHash, BigInteger tokenId, int threshold) {
    byte[] hash = HexFormat.of().parseHex(blockHash.substring(2));
    byte[] input = new byte[64];
    System.arraycopy(hash, 0, input, 0, 32);
    System.arraycopy(uint256(tokenId), 0, input, 32, 32);
    byte[] digest = Hash.sha3(input);
    int value = new BigInteger(1, digest).mod(BigInteger.valueOf(GoldenDraw.MODULUS)).intValueExact();
    return new Draw(blockHash, HexFormat.of().formatHex(uint256(tokenId)), HexFormat.of().formatHex(digest), value, threshold,
        value < threshold);
  }

  private static byte[] uint256(BigInteger v) {
    byte[] out = new byte[32];
    byte[] raw = v.toByteArray();
    int len = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - len, out, 32 - len, len);
    return out;
  }

  // ---- minting ----

  @Override
  public CompletionStage<Done> process(EventEnvelope<WalletEntity.Event> envelope) {
    if (envelope.event() instanceof WalletEntity.TipWithdrawn w && w.direction() == TipReceived.Direction.SENT
        && TipReceived.evm(w.tipTxId())) {
      return withdrawn(w).thenApply(x -> Done.getInstance());
    }
    if (!(envelope.event() instanceof WalletEntity.TipRecorded e) || e.direction() != TipReceived.Direction.SENT
        || e.belowMinimum() || !TipReceived.evm(e.tipTxId())) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return mint(e).thenApply(x -> Done.getInstance());
  }

  private CompletionStage<Void> mint(WalletEntity.TipRecorded e) {
    TipId tip = TipId.parse(e.tipTxId());
    Optional<EvmSettings.Network> settings = shared.networks.names().stream().map(n -> shared.networks.settings(n).orElseThrow())
        .filter(n -> n.chainId() == tip.chainId()).findFirst();
    if (settings.isEmpty()) {
      log.warn("EVM tip {}: chain id {} is none of this node's EVM networks; no sticker", e.tipTxId(), tip.chainId());
      return CompletableFuture.completedFuture(null);
    }
    String network = settings.get().name();
    BigInteger tokenId = tokenId(tip);
    return recorded(e.tipTxId()).thenCompose(known -> {
      if (known) return CompletableFuture.completedFuture(null);
      return collection(network).thenCompose(collection -> gateway(network).thenCompose(gateway ->
          gateway.receipt(tip.txHash()).thenCompose(tipReceipt -> {
            if (tipReceipt.isEmpty() || !tipReceipt.get().succeeded()) {
              // A reorganisation took the tip out of the chain after the listener read it: no sticker.
              log.warn("EVM tip {} is not in the final chain; it earns no sticker", e.tipTxId());
              return settleReserved(gateway, settings.get(), e, collection, tokenId);
            }
            // The draw uses the block the final chain has the tip in.
            Draw draw = draw(tipReceipt.get().blockHash().toLowerCase(Locale.ROOT), tokenId, shared.goldenBasisPoints);
            return ownerOf(gateway, collection, tokenId).thenCompose(owner -> owner.isPresent()
                ? recordExisting(gateway, e, network, tip, collection, tokenId, draw)
                : attempt(gateway, settings.get(), e, network, tip, collection, tokenId, draw));
          })));
    });
  }

  /**
   * Sends the mint (the tip's reserved nonce, the same bytes on every attempt) and records it once
   * it is {@code confirmations} deep. A mint whose block left the chain gives its nonce back if the
   * node lost it too, and is sent again (with the lowest free nonce) while the tip is still in the
   * chain; if the tip is gone too, nothing is minted (a nonce given back is taken by the next mint, or
   * filled when a later one waits behind it).
   */
  private CompletionStage<Void> attempt(EvmGateway gateway, EvmSettings.Network settings, WalletEntity.TipRecorded e, String network,
      TipId tip, String collection, BigInteger tokenId, Draw draw) {
    return send(gateway, settings, e, collection, tokenId).thenCompose(sent -> {
      EvmGateway.Receipt receipt = sent.receipt();
      if (!receipt.succeeded()) {
        return ownerOf(gateway, collection, tokenId).thenCompose(after -> after.isPresent()
            ? recordExisting(gateway, e, network, tip, collection, tokenId, draw)
            : CompletableFuture.failedFuture(new IllegalStateException("the mint of the sticker for " + e.tipTxId()
                + " reverted (" + receipt.txHash() + ") and the token does not exist")));
      }
      return awaitDepth(gateway, receipt.txHash(), settings.confirmations(), System.currentTimeMillis() + RECEIPT_WAIT_MS * 2)
          .thenCompose(deep -> {
            if (deep.isPresent()) return record(e, network, tip, collection, tokenId, draw, receipt.txHash(), deep.get().blockNumber());
            log.warn("EVM sticker for {}: the mint {} left the chain", e.tipTxId(), receipt.txHash());
            // Its nonce is given back if the node lost the mint too (a reorganisation took several mints: each
            // one sent again at its old nonce could wait behind another's); the retry reserves the lowest free one.
            return releaseIfLost(gateway, settings, e.tipTxId(), e.fan(), collection, tokenId)
                .thenCompose(released -> gateway.receipt(tip.txHash()))
                .thenCompose(tipNow -> tipNow.isPresent() && tipNow.get().succeeded()
                    ? attempt(gateway, settings, e, network, tip, collection, tokenId, draw)
                    : CompletableFuture.completedFuture(null));
          });
    });
  }

  /** The mint as sent: its nonce and receipt. */
  private record Sent(long nonce, EvmGateway.Receipt receipt) {}

  /** The mint's receipt once {@code confirmations} deep (itself included); empty when its block left the chain. */
  private CompletionStage<Optional<EvmGateway.Receipt>> awaitDepth(EvmGateway gateway, String txHash, int confirmations, long deadline) {
    return gateway.receipt(txHash).thenCompose(r -> {
      if (r.isEmpty()) return CompletableFuture.completedFuture(Optional.<EvmGateway.Receipt>empty());
      return gateway.blockNumber().thenCompose(head -> {
        if (head - r.get().blockNumber() + 1 >= confirmations) {
          return gateway.blockHash(r.get().blockNumber()).thenCompose(hash -> hash.isPresent()
              && hash.get().equalsIgnoreCase(r.get().blockHash())
              ? CompletableFuture.completedFuture(r) : awaitDepth(gateway, txHash, confirmations, deadline));
        }
        if (System.currentTimeMillis() > deadline) {
          return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE,
              "the mint " + txHash + " is not " + confirmations + " blocks deep yet", null));
        }
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
            .thenCompose(x -> awaitDepth(gateway, txHash, confirmations, deadline));
      });
    });
  }

  /**
   * A tip that earns no sticker after all may have had its mint's nonce reserved by an earlier attempt:
   * a nonce never sent would hold every later transaction of the signer behind it. A mint the node
   * holds is waited for (it mints a sticker nobody lists: see {@link #withdrawn}); an unused nonce is given back.
   */
  private CompletionStage<Void> settleReserved(EvmGateway gateway, EvmSettings.Network settings, WalletEntity.TipRecorded e,
      String collection, BigInteger tokenId) {
    return settleReserved(gateway, settings, e.tipTxId(), e.fan(), collection, tokenId);
  }

  private CompletionStage<Void> settleReserved(EvmGateway gateway, EvmSettings.Network settings, String tipTxId, String fan,
      String collection, BigInteger tokenId) {
    return held(settings, tipTxId).thenCompose(nonce -> {
      if (nonce < 0) return CompletableFuture.<Void>completedFuture(null);
      EvmSigner.Signed mint = signMint(settings, tipTxId, fan, collection, tokenId, nonce);
      return gateway.knows(mint.txHash()).thenCompose(known -> known
          ? gateway.receipt(mint.txHash()).thenCompose(r -> r.isPresent() ? CompletableFuture.<Void>completedFuture(null)
              : awaitMined(settings, mint, nonce).thenApply(x -> (Void) null))
          : releaseIfLost(gateway, settings, tipTxId, fan, collection, tokenId).thenApply(x -> (Void) null));
    });
  }

  /** The nonce reserved for the mint of {@code tipTxId}'s sticker, or -1. */
  private CompletionStage<Long> held(EvmSettings.Network settings, String tipTxId) {
    return ClusterSharding.get(shared.system)
        .entityRefFor(SignerNonceEntity.ENTITY_KEY, SignerNonceEntity.entityId(settings.name(), shared.signer.address()))
        .<SignerNonceEntity.Reservation>ask(r -> new SignerNonceEntity.Held("mint:" + tipTxId, r), shared.askTimeout)
        .thenApply(SignerNonceEntity.Reservation::nonce);
  }

  /**
   * Gives back the nonce reserved for {@code tipTxId}'s mint when no transaction has it: the chain
   * has not used it and the node does not hold the mint (a reorganisation took it, or it was never
   * sent). The next mint takes it (the lowest given-back nonce the chain has not used comes first),
   * and a mint already waiting behind it has it filled ({@link EvmDeploymentChain#awaitMined}).
   * Answers whether it was given back.
   */
  private CompletionStage<Boolean> releaseIfLost(EvmGateway gateway, EvmSettings.Network settings, String tipTxId, String fan,
      String collection, BigInteger tokenId) {
    String address = shared.signer.address();
    return held(settings, tipTxId).thenCompose(nonce -> {
      if (nonce < 0) return CompletableFuture.completedFuture(false);
      EvmSigner.Signed mint = signMint(settings, tipTxId, fan, collection, tokenId, nonce);
      return gateway.minedNonce(address).thenCompose(mined -> mined.longValueExact() > nonce
          ? CompletableFuture.completedFuture(false)
          : gateway.knows(mint.txHash()).thenCompose(known -> {
            if (known) return CompletableFuture.completedFuture(false);
            log.info("EVM sticker for {}: nonce {} (its mint {} is not on the chain nor at the node) is given back", tipTxId, nonce,
                mint.txHash());
            return ClusterSharding.get(shared.system)
                .entityRefFor(SignerNonceEntity.ENTITY_KEY, SignerNonceEntity.entityId(settings.name(), address))
                .<SignerNonceEntity.Reservation>ask(r -> new SignerNonceEntity.Release("mint:" + tipTxId, r), shared.askTimeout)
                .thenApply(r -> r.nonce() >= 0);
          }));
    });
  }

  /**
   * A tip of a block a reorganisation replaced is withdrawn from its fan's wallet: its sticker is no
   * longer listed (if the new chain has the tip again, the wallet's next {@code TipRecorded} lists or
   * mints it on the final chain). A mint of it the node still holds is waited for, an unused nonce
   * given back. A token that exists on chain while the tip does not is a sticker for a tip not in the
   * final chain: soulbound, it cannot be burned; it stays unlisted and is noted in
   * {@code evm_sticker_incidents} (reorganisations deeper than the confirmations only).
   */
  private CompletionStage<Void> withdrawn(WalletEntity.TipWithdrawn w) {
    TipId tip = TipId.parse(w.tipTxId());
    Optional<EvmSettings.Network> settings = shared.networks.names().stream().map(n -> shared.networks.settings(n).orElseThrow())
        .filter(n -> n.chainId() == tip.chainId()).findFirst();
    if (settings.isEmpty()) return CompletableFuture.completedFuture(null);
    String network = settings.get().name();
    BigInteger tokenId = tokenId(tip);
    return unlist(w.tipTxId()).thenCompose(unlisted -> held(settings.get(), w.tipTxId()).thenCompose(nonce -> {
      if (unlisted == 0 && nonce < 0) return CompletableFuture.<Void>completedFuture(null);
      log.warn("EVM tip {} was in a block a reorganisation replaced: its sticker is withdrawn{}", w.tipTxId(),
          unlisted > 0 ? " from the lists" : " (none was listed yet)");
      return collection(network).thenCompose(collection -> gateway(network).thenCompose(gateway ->
          settleReserved(gateway, settings.get(), w.tipTxId(), w.address(), collection, tokenId)
              .thenCompose(x -> gateway.receipt(tip.txHash()))
              .thenCompose(tipNow -> tipNow.isPresent() && tipNow.get().succeeded()
                  ? CompletableFuture.<Void>completedFuture(null) // the new chain has the tip: its TipRecorded follows
                  : ownerOf(gateway, collection, tokenId).thenCompose(owner -> owner.isEmpty()
                      ? CompletableFuture.<Void>completedFuture(null)
                      : incident(w, network, stickerId(tip.chainId(), collection, tokenId),
                          "the token exists on chain but its tip is not in the chain (a reorganisation deeper than the "
                              + "confirmations replaced the tip's block; its mint was mined again)")))));
    }));
  }

  private CompletionStage<EvmGateway> gateway(String network) {
    return CompletableFuture.supplyAsync(() -> shared.networks.network(network).gateway(), shared.blockingIo);
  }

  /** Signs (with the tip's reserved nonce) and sends the mint, then waits for its receipt. */
  private CompletionStage<Sent> send(EvmGateway gateway, EvmSettings.Network settings, WalletEntity.TipRecorded e,
      String collection, BigInteger tokenId) {
    return send(gateway, settings, e, collection, tokenId, "mint:" + e.tipTxId());
  }

  /**
   * One mint at a time per network on this node (a lane): nonces then reach the node in order, so
   * none waits in the pool behind a later one. The nonce is reserved under {@code reservation};
   * should the chain have used it for another transaction (the node answers "nonce too low" and does
   * not know ours), a new one is reserved under an id naming the chain's count.
   */
  private CompletionStage<Sent> send(EvmGateway gateway, EvmSettings.Network settings, WalletEntity.TipRecorded e,
      String collection, BigInteger tokenId, String reservationId) {
    // The chain's mined count too: a nonce given back (a mint a reorganisation took) and still unused comes first.
    return inLane(settings.name(), () -> gateway.minedNonce(shared.signer.address()).thenCompose(mined -> gateway.pendingNonce(
        shared.signer.address()).thenCompose(pending -> ClusterSharding.get(shared.system)
        .entityRefFor(SignerNonceEntity.ENTITY_KEY, SignerNonceEntity.entityId(settings.name(), shared.signer.address()))
        .<SignerNonceEntity.Reservation>ask(r -> new SignerNonceEntity.Reserve(reservationId, mined.longValueExact(),
            pending.longValueExact(), r), shared.askTimeout)))
        .thenCompose(reservation -> {
          EvmSigner.Signed signed = signMint(settings, e, collection, tokenId, reservation.nonce());
          log.debug("EVM sticker for {}: mint {} with nonce {}", e.tipTxId(), signed.txHash(), reservation.nonce());
          return shared.chain.send(settings.name(), signed.rawHex(), signed.txHash(), List.of(signed.txHash()))
              .thenCompose(hash -> awaitMined(settings, signed, reservation.nonce(), 3))
              .<Sent>thenApply(receipt -> receipt == null ? null : new Sent(reservation.nonce(), receipt))
              .exceptionallyCompose(failure -> gateway.knows(signed.txHash()).thenCompose(known -> known
                  ? CompletableFuture.<Sent>failedFuture(failure)
                  : gateway.minedNonce(shared.signer.address()).thenCompose(mined -> {
                    if (mined.longValueExact() <= reservation.nonce()) return CompletableFuture.<Sent>failedFuture(failure);
                    log.warn("EVM sticker for {}: nonce {} was used by another transaction (the signer's count is {}); a new one is reserved",
                        e.tipTxId(), reservation.nonce(), mined);
                    return CompletableFuture.completedFuture((Sent) null);
                  })));
        })).thenCompose(sent -> sent != null ? CompletableFuture.completedFuture(sent)
            : gateway.minedNonce(shared.signer.address()).thenCompose(mined ->
                send(gateway, settings, e, collection, tokenId, "mint:" + e.tipTxId() + "#" + mined)));
  }

  /** The mint of {@code e}'s sticker at {@code nonce}: the same bytes on every attempt (fixed fees). */
  private EvmSigner.Signed signMint(EvmSettings.Network settings, WalletEntity.TipRecorded e, String collection, BigInteger tokenId,
      long nonce) {
    return signMint(settings, e.tipTxId(), e.fan(), collection, tokenId, nonce);
  }

  private EvmSigner.Signed signMint(EvmSettings.Network settings, String tipTxId, String fan, String collection, BigInteger tokenId,
      long nonce) {
    String data = FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("mint",
        List.of(new Address(fan), new Uint256(tokenId), new Utf8String(shared.metadataBaseUrl + tipTxId)), List.of()));
    BigInteger maxFee = settings.maxFeePerGasWei();
    RawTransaction tx = RawTransaction.createTransaction(settings.chainId(), BigInteger.valueOf(nonce), MINT_GAS,
        collection, BigInteger.ZERO, data, PRIORITY_FEE.min(maxFee), maxFee);
    return shared.signer.sign(tx, settings.chainId(), "mint:" + tipTxId);
  }

  /**
   * Waits up to {@link #RECEIPT_WAIT_MS} for the receipt of {@code signed} (nonce {@code nonce}),
   * sending it again if the node holds it queued; answers null when another transaction used the
   * nonce, fails when it is not mined in time or the node lost it (the retry sends the same bytes).
   * A held mint of a tip that earns no sticker after all is waited for this way: it is not sent again.
   */
  private CompletionStage<EvmGateway.Receipt> awaitMined(EvmSettings.Network settings, EvmSigner.Signed signed, long nonce) {
    return awaitMined(settings, signed, nonce, 0);
  }

  /**
   * As {@link #awaitMined(EvmSettings.Network, EvmSigner.Signed, long)}; a mint the node lost while
   * its nonce is unused (a reorganisation took its block before the receipt was seen, and the node
   * dropped it) is sent again up to {@code resends} times before the attempt fails.
   */
  private CompletionStage<EvmGateway.Receipt> awaitMined(EvmSettings.Network settings, EvmSigner.Signed signed, long nonce,
      int resends) {
    return shared.chain.awaitMined(settings.name(), signed.rawHex(), List.of(signed.txHash()), nonce, shared.signer.address(),
        Duration.ofMillis(RECEIPT_WAIT_MS)).thenCompose(outcome -> {
          if (outcome instanceof EvmDeploymentChain.Mined m) return CompletableFuture.completedFuture(m.receipt());
          if (outcome instanceof EvmDeploymentChain.Dropped && resends > 0) {
            log.warn("The node lost {} (nonce {}, unused); sending it again", signed.txHash(), nonce);
            return shared.chain.send(settings.name(), signed.rawHex(), signed.txHash(), List.of(signed.txHash()))
                .thenCompose(h -> awaitMined(settings, signed, nonce, resends - 1));
          }
          if (outcome instanceof EvmDeploymentChain.NonceTaken t) {
            log.warn("Nonce {} of {} on {} was used by another transaction than {} (the signer's count is {})", nonce,
                shared.signer.address(), settings.name(), signed.txHash(), t.minedNonce());
            return CompletableFuture.completedFuture((EvmGateway.Receipt) null);
          }
          return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE, "the transaction "
              + signed.txHash() + " (nonce " + nonce + ") was not mined in " + RECEIPT_WAIT_MS + " ms: " + outcome, null));
        });
  }

  /** Runs {@code work} after the previous work of {@code network}'s lane on this node has ended. */
  private <T> CompletionStage<T> inLane(String network, java.util.function.Supplier<CompletionStage<T>> work) {
    synchronized (shared.lanes) {
      CompletableFuture<?> previous = shared.lanes.getOrDefault(network, CompletableFuture.completedFuture(null));
      CompletableFuture<T> next = previous.handle((x, failure) -> null).thenCompose(x -> work.get()).toCompletableFuture();
      shared.lanes.put(network, next);
      return next;
    }
  }

  /** The token's owner, or empty when it does not exist (the collection reverts {@code ownerOf}). */
  private static CompletionStage<Optional<String>> ownerOf(EvmGateway gateway, String collection, BigInteger tokenId) {
    String data = FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("ownerOf", List.of(new Uint256(tokenId)), List.of()));
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("to", collection);
    call.put("data", data);
    return gateway.raw("eth_call", List.of(call, "latest")).handle((result, failure) -> {
      if (failure == null) {
        String hex = String.valueOf(result);
        if (hex.length() < 66) return Optional.<String>empty();
        return Optional.of("0x" + hex.substring(hex.length() - 40));
      }
      Throwable why = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (why instanceof ChainException c && c.kind() == ChainException.Kind.REJECTED) return Optional.<String>empty();
      throw new CompletionException(why);
    });
  }

  /** The platform's sticker collection on {@code network}: requested on first need, answered once active. */
  private CompletionStage<String> collection(String network) {
    CompletableFuture<String> known = shared.collections.computeIfAbsent(network, n -> {
      String owner = shared.signer.address();
      String id = DeploymentId.of(owner, "sticker-collection:" + n);
      var entity = ClusterSharding.get(shared.system).entityRefFor(DeploymentEntity.ENTITY_KEY, id);
      return entity.<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, shared.askTimeout)
          .thenCompose(current -> current.status() != DeploymentEntity.Status.NEW
              ? CompletableFuture.completedFuture(current)
              : shared.collection.contract(owner).thenCompose(contract -> entity.<DeploymentEntity.Summary>ask(
                  r -> new DeploymentEntity.RequestContract(owner, "MintlineStickers", n, contract, r), shared.askTimeout)))
          .thenCompose(s -> awaitActive(id, 0))
          .toCompletableFuture();
    });
    return known.whenComplete((address, failure) -> {
      if (failure != null) shared.collections.remove(network, known);
    });
  }

  private CompletionStage<String> awaitActive(String deploymentId, int attempt) {
    return ClusterSharding.get(shared.system).entityRefFor(DeploymentEntity.ENTITY_KEY, deploymentId)
        .<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, shared.askTimeout)
        .thenCompose(s -> {
          if (s.status() == DeploymentEntity.Status.ACTIVE) return CompletableFuture.completedFuture(s.evm().contractAddress());
          if (s.status() == DeploymentEntity.Status.FAILED) {
            return CompletableFuture.failedFuture(new IllegalStateException("the sticker collection's deployment failed: " + s.error()));
          }
          if (attempt > 1200) {
            return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE,
                "the sticker collection is not active yet (" + s.status().wire() + ")", null));
          }
          return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
              .thenCompose(x -> awaitActive(deploymentId, attempt + 1));
        });
  }

  // ---- reorganisations that kept the tip but replaced its mint ----

  /** A reorganisation an EVM listener noted: back to block {@code fork} of {@code network} (its store key, {@code evm:<name>}). */
  private record Reorg(String network, long fork, long notedAt) {}

  /**
   * The listeners' reorganisations not re-checked yet, each once it is: a tip the new chain kept
   * (its block at or below the fork) keeps its wallet entries, so no wallet event says its sticker's
   * mint was in a replaced block. Such a sticker whose token is gone is unlisted and minted again
   * (the tip's reserved nonce: the same transaction, sent again). Several nodes may re-check the same
   * reorganisation; the mint is idempotent.
   */
  CompletionStage<Void> recheckReorgs() {
    return shared.jdbc.io(c -> {
      List<Reorg> reorgs = new java.util.ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT network, fork, noted_at FROM evm_listener_reorgs WHERE rechecked_at IS NULL ORDER BY noted_at");
          ResultSet r = s.executeQuery()) {
        while (r.next()) reorgs.add(new Reorg(r.getString(1), r.getLong(2), r.getLong(3)));
      }
      return reorgs;
    }).thenCompose(reorgs -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (Reorg reorg : reorgs) chain = chain.thenCompose(x -> recheck(reorg)).thenCompose(x -> rechecked(reorg));
      return chain;
    });
  }

  private CompletionStage<Void> recheck(Reorg reorg) {
    String network = reorg.network().startsWith("evm:") ? reorg.network().substring(4) : reorg.network();
    if (shared.networks.settings(network).isEmpty()) return CompletableFuture.completedFuture(null);
    return shared.jdbc.io(c -> {
      List<WalletEntity.TipRecorded> kept = new java.util.ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT tip_tx_id, owner, creator, tip_block FROM evm_stickers "
          + "WHERE network = ? AND minted_block > ? AND tip_block <= ?")) {
        s.setString(1, network);
        s.setLong(2, reorg.fork());
        s.setLong(3, reorg.fork());
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            // What the minter needs of the fan's TipRecorded (the draw is the final chain's again).
            kept.add(new WalletEntity.TipRecorded(r.getString(2), r.getString(1), TipReceived.Direction.SENT, r.getLong(4), null,
                r.getString(2), r.getString(3), 0, false, Instant.now(), -1));
          }
        }
      }
      return kept;
    }).thenCompose(kept -> {
      if (kept.isEmpty()) return CompletableFuture.<Void>completedFuture(null);
      EvmSettings.Network settings = shared.networks.settings(network).orElseThrow();
      return collection(network).thenCompose(collection -> gateway(network).thenCompose(gateway -> {
        // First every lost mint's nonce is given back, then they are minted again in turn, each with the
        // lowest free nonce: sent again one by one at their old nonces, one could wait behind another's.
        List<WalletEntity.TipRecorded> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (WalletEntity.TipRecorded e : kept) {
          BigInteger tokenId = tokenId(TipId.parse(e.tipTxId()));
          chain = chain.thenCompose(x -> ownerOf(gateway, collection, tokenId)).thenCompose(owner -> {
            if (owner.isPresent()) return CompletableFuture.<Void>completedFuture(null);
            log.warn("EVM sticker for {}: its mint was in a block a reorganisation replaced (back to block {}) and the token is gone; "
                + "minting it again", e.tipTxId(), reorg.fork());
            lost.add(e);
            return releaseIfLost(gateway, settings, e.tipTxId(), e.fan(), collection, tokenId).thenApply(released -> (Void) null);
          });
        }
        return chain.thenCompose(x -> {
          CompletionStage<Void> again = CompletableFuture.completedFuture(null);
          for (WalletEntity.TipRecorded e : lost) again = again.thenCompose(y -> unlist(e.tipTxId())).thenCompose(n -> mint(e));
          return again;
        });
      }));
    });
  }

  private CompletionStage<Void> rechecked(Reorg reorg) {
    return shared.jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE evm_listener_reorgs SET rechecked_at = ? WHERE network = ? AND noted_at = ?")) {
        Instant now = Instant.now();
        s.setLong(1, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
        s.setString(2, reorg.network());
        s.setLong(3, reorg.notedAt());
        s.executeUpdate();
      }
      return null;
    });
  }

  // ---- the read side: evm_stickers ----

  private CompletionStage<Boolean> recorded(String tipTxId) {
    return shared.jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM evm_stickers WHERE tip_tx_id = ?")) {
        s.setString(1, tipTxId);
        try (ResultSet r = s.executeQuery()) {
          return r.next();
        }
      }
    });
  }

  /** A sticker minted by an earlier attempt: its mint transaction from the collection's Transfer-from-zero log. */
  private CompletionStage<Void> recordExisting(EvmGateway gateway, WalletEntity.TipRecorded e, String network, TipId tip,
      String collection, BigInteger tokenId, Draw draw) {
    Map<String, Object> filter = new LinkedHashMap<>();
    filter.put("fromBlock", "0x0");
    filter.put("toBlock", "latest");
    filter.put("address", collection);
    filter.put("topics", java.util.Arrays.asList(TRANSFER_TOPIC, "0x" + "0".repeat(64), null,
        "0x" + HexFormat.of().formatHex(uint256(tokenId))));
    return gateway.raw("eth_getLogs", List.of(filter)).thenCompose(result -> {
      String txHash = null;
      long block = e.round();
      if (result instanceof List<?> logs && !logs.isEmpty() && logs.get(0) instanceof Map<?, ?> first) {
        txHash = String.valueOf(first.get("transactionHash"));
        block = Long.parseLong(String.valueOf(first.get("blockNumber")).substring(2), 16);
      }
      return record(e, network, tip, collection, tokenId, draw, txHash, block);
    });
  }

  private CompletionStage<Void> record(WalletEntity.TipRecorded e, String network, TipId tip, String collection, BigInteger tokenId,
      Draw draw, String mintTx, long mintedBlock) {
    return shared.jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO evm_stickers (id, tip_tx_id, owner, creator, network, chain_id, collection, token_id, golden, tip_block, "
              + "block_hash, mint_tx, minted_block, minted_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
              + "WHERE NOT EXISTS (SELECT 1 FROM evm_stickers WHERE tip_tx_id = ?)")) {
        s.setString(1, stickerId(tip.chainId(), collection, tokenId));
        s.setString(2, e.tipTxId());
        s.setString(3, e.fan());
        s.setString(4, e.creator());
        s.setString(5, network);
        s.setLong(6, tip.chainId());
        s.setString(7, collection.toLowerCase(Locale.ROOT));
        s.setString(8, tokenId.toString());
        s.setBoolean(9, draw.golden());
        s.setLong(10, e.round());
        s.setString(11, draw.blockHash());
        s.setString(12, mintTx);
        s.setLong(13, mintedBlock);
        Instant now = Instant.now();
        s.setLong(14, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
        s.setString(15, e.tipTxId());
        s.executeUpdate();
      }
      // The tip is in the chain after all: no incident.
      try (PreparedStatement s = c.prepareStatement("DELETE FROM evm_sticker_incidents WHERE tip_tx_id = ?")) {
        s.setString(1, e.tipTxId());
        s.executeUpdate();
      }
      return null;
    });
  }

  /** Drops the listed sticker of {@code tipTxId}; answers how many rows went (0 or 1). */
  private CompletionStage<Integer> unlist(String tipTxId) {
    return shared.jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM evm_stickers WHERE tip_tx_id = ?")) {
        s.setString(1, tipTxId);
        return s.executeUpdate();
      }
    });
  }

  private CompletionStage<Void> incident(WalletEntity.TipWithdrawn w, String network, String stickerId, String reason) {
    log.error("EVM sticker INCIDENT: {} for tip {} (owner {}): {}", stickerId, w.tipTxId(), w.address(), reason);
    return shared.jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO evm_sticker_incidents (tip_tx_id, sticker_id, owner, network, reason, "
          + "noted_at) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM evm_sticker_incidents WHERE tip_tx_id = ?)")) {
        Instant now = Instant.now();
        s.setString(1, w.tipTxId());
        s.setString(2, stickerId);
        s.setString(3, w.address());
        s.setString(4, network);
        s.setString(5, reason);
        s.setLong(6, now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
        s.setString(7, w.tipTxId());
        s.executeUpdate();
      }
      return null;
    });
  }
}
