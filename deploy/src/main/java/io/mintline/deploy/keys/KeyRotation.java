package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Txids;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates a role's key by rekeying its Algorand account: a payment of 0 from the account to itself
 * with {@code rekey-to} the new key's address. The address stays — and with it the assets, apps
 * and balance — only the key allowed to sign for it changes.
 *
 * <p>Order, so that the role keeps signing through the change: the rekey is signed with the current
 * key; the moment algod accepts it the ring signs with the new key (algod orders later transactions
 * of the account after the rekey, so they are checked against the new key); then its confirmation
 * is awaited. A transaction signed with the old key just before and sent just after is refused by
 * the chain ("should have been authorized by …"); the minting pipeline signs such a sticker anew. If
 * the rekey does not confirm, the old key is put back.
 */
public final class KeyRotation {
  private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
  /** Rounds the rekey stays valid: it is sent at once, so a short window. */
  static final int VALIDITY_ROUNDS = 100;

  /** A finished rotation: the account, its old and new key, the rekey's txid and round. */
  public record Rotated(KeyRole role, String account, String oldKey, String newKey, String txId, long round) {}

  private final KeyRing ring;
  private final AlgorandGateway gateway;
  private final SignatureLog signatures;
  private final KeyChanges changes;

  public KeyRotation(KeyRing ring, AlgorandGateway gateway, SignatureLog signatures) {
    this(ring, gateway, signatures, KeyChanges.NONE);
  }

  /** As above; {@code changes} keeps the new key for the cluster before the rekey is sent. */
  public KeyRotation(KeyRing ring, AlgorandGateway gateway, SignatureLog signatures, KeyChanges changes) {
    this.ring = ring;
    this.gateway = gateway;
    this.signatures = signatures;
    this.changes = changes;
  }

  /**
   * Rekeys {@code role}'s account to {@code next} (a key of its own, for instance freshly generated)
   * and makes it the role's key on this node.
   *
   * @throws IllegalArgumentException when the role is a multisig (it is rekeyed through a proposal)
   */
  public CompletionStage<Rotated> rotate(KeyRole role, Ed25519Signer next) {
    Signer current = ring.signer(role).current();
    if (current instanceof MultisigSigner) {
      throw new IllegalArgumentException("the " + role.id() + " role is a multisig: its co-signers rekey it through a proposal");
    }
    Address account = current.address();
    Ed25519Signer replacement = next.keyAddress().equals(account) ? next : next.forAccount(account);
    return gateway.params().thenCompose(params -> {
      Transaction rekey = rekey(account, replacement.keyAddress(), "rotate:" + role.id(), params);
      byte[] bytes = current.signToBytes(rekey);
      String txId = Txids.firstTxId(bytes);
      signatures.signed(current.keyId(), "rotate:" + role.id(), txId);
      long lastValid = rekey.lastValid.longValue();
      // Kept for the cluster first: once the rekey is sent, losing the new key would lose the account.
      return changes.coming(role, replacement, "rotate:" + role.id(), txId, lastValid).thenCompose(change -> {
        ring.announce(role, replacement);
        return gateway.submit(bytes).whenComplete((accepted, refused) -> {
          if (refused != null) {
            ring.announce(role, null);
            changes.failed(change);
          }
        }).thenCompose(accepted -> {
          ring.rotate(role, replacement);
          changes.tookEffect(change);
          log.info("Key rotation of {}: account {} rekeyed from {} to {} ({}); signing with the new key", role.id(), account,
              current.keyAddress(), replacement.keyAddress(), txId);
          return gateway.awaitConfirmation(txId, lastValid).handle((confirmed, failure) -> {
            if (failure == null) {
              changes.confirmed(change);
              return CompletableFuture.completedFuture(new Rotated(role, account.toString(), current.keyAddress().toString(),
                  replacement.keyAddress().toString(), txId, confirmed.round()));
            }
            ring.rotate(role, current);
            changes.failed(change);
            log.error("Key rotation of {}: the rekey {} did not confirm ({}); signing with the old key again", role.id(), txId,
                failure.getMessage());
            return CompletableFuture.<Rotated>failedFuture(failure);
          }).thenCompose(stage -> stage);
        });
      });
    });
  }

  /**
   * The rekey transaction: 0 from {@code account} to itself, {@code rekey-to} {@code newAuthority}
   * (a key's address or a multisig's), note {@code mintline:<purpose>}.
   */
  public static Transaction rekey(Address account, Address newAuthority, String purpose, ChainParams params) {
    return rekey(account, newAuthority, purpose, params, VALIDITY_ROUNDS);
  }

  /** As {@link #rekey(Address, Address, String, ChainParams)} with a validity window of {@code validityRounds}. */
  public static Transaction rekey(Address account, Address newAuthority, String purpose, ChainParams params, int validityRounds) {
    return Transaction.PaymentTransactionBuilder()
        .sender(account)
        .receiver(account)
        .amount(0L)
        .rekey(newAuthority)
        .note(("mintline:" + purpose).getBytes(StandardCharsets.UTF_8))
        .flatFee(Math.max(params.minFee(), params.fee() * 400))
        .firstValid(params.lastRound())
        .lastValid(params.lastRound() + validityRounds)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .build();
  }
}
