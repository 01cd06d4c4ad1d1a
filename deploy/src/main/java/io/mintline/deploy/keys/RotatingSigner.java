package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A role's key that can be replaced while the node runs: the account stays, the key signing for it
 * changes ({@link KeyRotation} rekeys the account on chain first). Every signature is made by the
 * key held at that moment; callers that sign several transactions and record the key take
 * {@link #current()} once.
 */
public final class RotatingSigner implements Signer {
  private final Address account;
  private final AtomicReference<Signer> key;
  private volatile Signer incoming;
  private volatile Predicate<Address> catchUp = authority -> false;

  RotatingSigner(Signer initial) {
    this.account = initial.address();
    this.key = new AtomicReference<>(initial);
  }

  @Override
  public Signer current() {
    return key.get();
  }

  /** Puts {@code next} in place of the current key; it must sign for the same account. Answers the key it replaced. */
  Signer rotateTo(Signer next) {
    if (!next.address().equals(account)) {
      throw new IllegalArgumentException("the new key signs for " + next.address() + ", not for " + account);
    }
    incoming = null;
    return key.getAndSet(next);
  }

  /** Says that the account is being rekeyed to {@code next} (null: no longer), before the rekey is sent. */
  void announce(Signer next) {
    incoming = next;
  }

  /**
   * Whether {@code keyAddress} is the key signing now or the one the account is being rekeyed to:
   * a refusal that names it as the expected signer is a rotation in progress, not a wrong key.
   */
  public boolean isOrBecomes(Address keyAddress) {
    Signer next = incoming;
    if (key.get().keyAddress().equals(keyAddress) || (next != null && next.keyAddress().equals(keyAddress))) return true;
    // Another node may have rotated the key: the chain naming it is the cue to read the shared key ring now.
    return catchUp.test(keyAddress);
  }

  /**
   * What {@link #isOrBecomes} asks when the chain wants a key this node does not hold: whether the
   * cluster's key ring knows {@code authority} as this account's new key (and this node now signs,
   * or will sign, with it). It may block briefly (a database read).
   */
  public void catchUpWith(Predicate<Address> catchUp) {
    this.catchUp = catchUp;
  }

  @Override
  public String keyId() {
    return key.get().keyId();
  }

  @Override
  public Address address() {
    return account;
  }

  @Override
  public Address keyAddress() {
    return key.get().keyAddress();
  }

  @Override
  public byte[] signBytes(byte[] message) {
    return key.get().signBytes(message);
  }

  @Override
  public SignedTransaction sign(Transaction txn) {
    return key.get().sign(txn);
  }

  @Override
  public byte[] signToBytes(Transaction txn) {
    return key.get().signToBytes(txn);
  }

  @Override
  public String toString() {
    return "RotatingSigner[" + key.get() + "]";
  }
}
