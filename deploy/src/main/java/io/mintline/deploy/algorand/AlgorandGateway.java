package io.mintline.deploy.algorand;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Everything the engine asks of an Algorand node. Implementations talk to algod (primary, then
 * backup URL) with timeouts and retries from configuration; tests give them the devnet, never a
 * mock.
 *
 * <p>Failures: a stage fails with {@link ChainException}; {@link ChainException#retryable()} tells
 * a caller whether the same call may succeed later (timeouts, 5xx, node unreachable) or never will
 * (the node rejected the transaction).
 */
public interface AlgorandGateway {

  /** Suggested parameters for a new transaction: fee, validity window, genesis id and hash. */
  CompletionStage<ChainParams> params();

  /**
   * Submits signed transaction bytes (one transaction or a concatenated group) and answers the
   * txid of the first. A transaction the ledger already holds is not an error: it answers the txid
   * (so resending saved bytes after a crash is safe).
   */
  CompletionStage<String> submit(byte[] signedBytes);

  /** The transaction's outcome if the node knows it as confirmed; empty while unknown or pending. */
  CompletionStage<Optional<Confirmation>> lookup(String txId);

  /**
   * Completes when {@code txId} is confirmed, by following blocks (one shared follower, not a poll
   * loop per txid). Fails with a non-retryable {@link ChainException} of kind {@code EXPIRED} once
   * the chain has passed {@code lastValid} without it.
   */
  CompletionStage<Confirmation> awaitConfirmation(String txId, long lastValid);

  /**
   * As {@link #awaitConfirmation(String, long)} for a transaction that cannot have confirmed before
   * {@code firstValid}: when the follower has read every block from that round on, it need not ask
   * algod's pending pool about the txid first (one HTTP request fewer per transaction). A
   * {@code firstValid} of 0 or less means unknown.
   */
  default CompletionStage<Confirmation> awaitConfirmation(String txId, long firstValid, long lastValid) {
    return awaitConfirmation(txId, lastValid);
  }

  /**
   * Reads the blocks of rounds {@code firstRound..lastRound} and answers {@code txId}'s confirmation if
   * one of them holds it, empty if none does: a proof of absence that trusts no pending pool (algod
   * forgets pending transactions; the indexer is not a dependency). Fails with a retryable
   * {@link ChainException} when the chain is not yet past {@code lastRound} or a block cannot be read.
   */
  CompletionStage<Optional<Confirmation>> findInRounds(String txId, long firstRound, long lastRound);

  /**
   * {@code address}'s holding of {@code assetId} ({@code GET /v2/accounts/{address}/assets/{id}}):
   * empty when the account has not opted in to the asset.
   */
  CompletionStage<Optional<AssetHolding>> holding(String address, long assetId);

  /** An account's holding of an asset: its amount and whether it is frozen. */
  record AssetHolding(long assetId, long amount, boolean frozen) {}

  /** The algod URL currently in use (primary or backup). */
  String algodUrl();
}
