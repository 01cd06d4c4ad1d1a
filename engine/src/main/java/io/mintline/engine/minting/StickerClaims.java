package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.engine.wallet.WalletEntity;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The claim: a sticker waits in the minting account (the vault) until its fan has opted in to the
 * asset; then a clawback moves it to the fan, where it stays frozen. A claim is idempotent: a
 * sticker the fan already holds is recorded as claimed without a second transfer, and the clawback
 * carries the lease H("claim" ‖ assetId).
 */
public final class StickerClaims {

  /** How a claim ended. */
  public enum Outcome { CLAIMED, ALREADY_CLAIMED, NOT_FOUND, NOT_YOURS, NOT_MINTED, NOT_OPTED_IN }

  public record Result(Outcome outcome, long assetId, String txId, Long round) {}

  private final ActorSystem<?> system;
  private final StickerReadSide readSide;
  private final StickerMinter minter;
  private final AlgorandGateway gateway;
  private final Duration askTimeout;

  public StickerClaims(ActorSystem<?> system, StickerReadSide readSide, StickerMinter minter, AlgorandGateway gateway,
      Duration askTimeout) {
    this.system = system;
    this.readSide = readSide;
    this.minter = minter;
    this.gateway = gateway;
    this.askTimeout = askTimeout;
  }

  /** Claims sticker {@code assetId} for {@code fan} (the logged-in wallet). */
  public CompletionStage<Result> claim(String fan, long assetId) {
    return readSide.byAsset(assetId).thenCompose(row -> {
      if (row.isEmpty()) return done(Outcome.NOT_FOUND, assetId);
      StickerReadSide.Row sticker = row.get();
      if (!sticker.owner().equals(fan)) return done(Outcome.NOT_YOURS, assetId);
      if (!"minted".equals(sticker.status())) return done(Outcome.NOT_MINTED, assetId);
      if (sticker.claimed()) return done(Outcome.ALREADY_CLAIMED, assetId);
      return gateway.holding(fan, assetId).thenCompose(holding -> {
        if (holding.isEmpty()) return done(Outcome.NOT_OPTED_IN, assetId);
        if (holding.get().amount() > 0) {
          // Delivered before (a claim whose record was lost): record it, send nothing.
          return record(fan, assetId, null).thenApply(v -> new Result(Outcome.ALREADY_CLAIMED, assetId, null, null));
        }
        return gateway.params().thenCompose(params -> {
          StickerMinter.SignedMint claim = minter.signClaim(assetId, fan, params);
          return gateway.submit(claim.signedBytes())
              .thenCompose(txId -> gateway.awaitConfirmation(claim.txId(), claim.lastValid()))
              .thenCompose(confirmed -> record(fan, assetId, claim.txId())
                  .thenApply(v -> new Result(Outcome.CLAIMED, assetId, claim.txId(), confirmed.round())));
        });
      });
    });
  }

  private CompletionStage<Void> record(String fan, long assetId, String txId) {
    return AskPattern.<WalletEntity.Command, StatusReply<akka.Done>>ask(
            ClusterSharding.get(system).entityRefFor(WalletEntity.ENTITY_KEY, fan),
            replyTo -> new WalletEntity.RecordClaim(assetId, txId, replyTo), askTimeout, system.scheduler())
        .thenApply(reply -> {
          reply.getValue();
          return null;
        });
  }

  private static CompletionStage<Result> done(Outcome outcome, long assetId) {
    return CompletableFuture.completedFuture(new Result(outcome, assetId, null, null));
  }
}
