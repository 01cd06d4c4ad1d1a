package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.sticker.StickerMinter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The claim: a sticker waits in the minting account (the vault) until its fan has opted in to the
 * asset; then a clawback moves it to the fan, where it stays frozen. A claim is idempotent: a
 * sticker the fan already holds is recorded as claimed without a second transfer, and the clawback
 * carries the lease H("claim" ‖ assetId). The sticker is looked up in the fan's {@link StickerBook}
 * first (it holds its unfinished and recently minted stickers, so a sticker minted a moment ago can
 * be claimed before the read side has it), then in the read side for older ones.
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
    return inBook(fan, assetId).thenCompose(known -> {
      if (known.isPresent()) return claim(fan, assetId, known.get().tipTxId(), known.get().claimed());
      return readSide.byAsset(assetId).thenCompose(row -> {
        if (row.isEmpty()) return done(Outcome.NOT_FOUND, assetId);
        StickerReadSide.Row sticker = row.get();
        if (!sticker.owner().equals(fan)) return done(Outcome.NOT_YOURS, assetId);
        if (!"minted".equals(sticker.status())) return done(Outcome.NOT_MINTED, assetId);
        return claim(fan, assetId, sticker.tipTxId(), sticker.claimed());
      });
    });
  }

  /** The fan's book's view of the sticker if it holds it (a book that does not answer in time: the read side decides). */
  private CompletionStage<java.util.Optional<StickerBook.StickerView>> inBook(String fan, long assetId) {
    return AskPattern.<StickerBook.Command, StickerBook.Found>ask(
            ClusterSharding.get(system).entityRefFor(StickerBook.ENTITY_KEY, fan),
            replyTo -> new StickerBook.FindAsset(assetId, replyTo), askTimeout, system.scheduler())
        .handle((found, error) -> error != null || found.sticker() == null || found.sticker().status() != StickerBook.MintStatus.MINTED
            ? java.util.Optional.<StickerBook.StickerView>empty() : java.util.Optional.of(found.sticker()));
  }

  private CompletionStage<Result> claim(String fan, long assetId, String tipTxId, boolean claimed) {
    if (claimed) return done(Outcome.ALREADY_CLAIMED, assetId);
    return gateway.holding(fan, assetId).thenCompose(holding -> {
      if (holding.isEmpty()) return done(Outcome.NOT_OPTED_IN, assetId);
      if (holding.get().amount() > 0) {
        // Delivered before (a claim whose record was lost): record it, send nothing.
        return record(fan, assetId, tipTxId, null).thenApply(v -> new Result(Outcome.ALREADY_CLAIMED, assetId, null, null));
      }
      return gateway.params().thenCompose(params -> {
        StickerMinter.SignedMint claim = minter.signClaim(assetId, fan, params);
        return gateway.submit(claim.signedBytes())
            .thenCompose(txId -> gateway.awaitConfirmation(claim.txId(), claim.lastValid()))
            .thenCompose(confirmed -> record(fan, assetId, tipTxId, claim.txId())
                .thenApply(v -> new Result(Outcome.CLAIMED, assetId, claim.txId(), confirmed.round())));
      });
    });
  }

  private CompletionStage<Void> record(String fan, long assetId, String tipTxId, String txId) {
    return AskPattern.<StickerBook.Command, StatusReply<akka.Done>>ask(
            ClusterSharding.get(system).entityRefFor(StickerBook.ENTITY_KEY, fan),
            replyTo -> new StickerBook.RecordClaim(assetId, tipTxId, txId, replyTo), askTimeout, system.scheduler())
        .thenApply(reply -> {
          reply.getValue();
          return null;
        });
  }

  private static CompletionStage<Result> done(Outcome outcome, long assetId) {
    return CompletableFuture.completedFuture(new Result(outcome, assetId, null, null));
  }
}
