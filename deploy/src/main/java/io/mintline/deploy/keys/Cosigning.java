package io.mintline.deploy.keys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a multisig role's transactions wait for their co-signers: a persisted proposal per
 * purpose, which co-signers sign from their own wallets until the threshold is reached.
 */
public interface Cosigning {
  /** No proposals on this node: a multisig role cannot sign. */
  Cosigning NONE = (role, purpose, multisig, partlySigned, firstValid, lastValid) -> CompletableFuture.failedFuture(
      new IllegalStateException("the " + role + " role is a multisig and this node takes no proposals"));

  /**
   * Proposes {@code partlySigned} (the transaction with this node's subsignature), or finds the open
   * proposal of the same {@code purpose} (after a restart the transaction is not proposed twice), and
   * completes with the transaction signed by the threshold once co-signers have added theirs. Fails
   * with {@link ProposalExpiredException} when the chain passes its last valid round first.
   */
  CompletionStage<Cosigned> cosign(String role, String purpose, MultisigAccount multisig, byte[] partlySigned,
      long firstValid, long lastValid);

  /** The transaction the threshold signed: submit {@code signedBytes}. */
  record Cosigned(String proposalId, String txId, byte[] signedBytes, long lastValid) {}

  /** The proposal's transaction expired before the threshold signed it; propose anew. */
  final class ProposalExpiredException extends RuntimeException {
    public ProposalExpiredException(String message) {
      super(message);
    }
  }
}
