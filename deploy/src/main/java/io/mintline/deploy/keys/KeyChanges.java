package io.mintline.deploy.keys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a role's new key is kept for every node of the cluster: before its account is rekeyed to
 * it (so the key is never lost with the node that made it), and as the rekey takes effect or fails
 * (so the other nodes switch, or not).
 */
public interface KeyChanges {
  /**
   * Keeps {@code next} as {@code role}'s coming key, for the rekey {@code txId} valid until
   * {@code lastValid}; completes with the change's id once it is kept.
   */
  CompletionStage<Long> coming(KeyRole role, Signer next, String purpose, String txId, long lastValid);

  /** algod took the rekey (later transactions of the account need the new key): every node switches. */
  void tookEffect(long change);

  /** The rekey is in a block. */
  void confirmed(long change);

  /** The rekey never took effect: nodes keep, or go back to, the key before it. */
  void failed(long change);

  /** Keeps nothing: a node alone (tests, tools). */
  KeyChanges NONE = new KeyChanges() {
    @Override
    public CompletionStage<Long> coming(KeyRole role, Signer next, String purpose, String txId, long lastValid) {
      return CompletableFuture.completedFuture(0L);
    }

    @Override
    public void tookEffect(long change) {}

    @Override
    public void confirmed(long change) {}

    @Override
    public void failed(long change) {}
  };
}
