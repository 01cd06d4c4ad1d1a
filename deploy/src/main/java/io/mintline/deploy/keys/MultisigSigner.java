package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A role held by a {@link MultisigAccount}: this node's key is one member and signs its share.
 * {@link #signToBytes} answers the transaction with that one subsignature — not enough for the
 * chain until co-signers add theirs ({@link Cosigning}); the threshold decides when it is.
 */
public final class MultisigSigner implements Signer {
  private final Signer member;
  private final MultisigAccount multisig;
  private final Address account;
  private final String keyId;

  /**
   * @param member this node's key, a member of {@code multisig}
   * @param account the account the multisig signs for: the multisig's own address, or an account
   *     rekeyed to it
   */
  public MultisigSigner(String role, Signer member, MultisigAccount multisig, Address account) {
    if (!multisig.isMember(member.keyAddress())) {
      throw new IllegalArgumentException("the " + role + " key " + member.keyAddress() + " is not a member of " + multisig);
    }
    this.member = member;
    this.multisig = multisig;
    this.account = account;
    this.keyId = role + ":" + account + "/msig:" + multisig.threshold() + "-of-" + multisig.members().size()
        + (account.equals(multisig.address()) ? "" : ":" + multisig.address()) + "/key:" + member.keyAddress();
  }

  public MultisigAccount multisig() {
    return multisig;
  }

  /** This node's member key. */
  public Signer member() {
    return member;
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public Address address() {
    return account;
  }

  /** The member key's address: the subsignature this node adds. */
  @Override
  public Address keyAddress() {
    return member.keyAddress();
  }

  @Override
  public byte[] signBytes(byte[] message) {
    return member.signBytes(message);
  }

  /** The transaction with this node's subsignature only (auth-addr the multisig when the sender was rekeyed to it). */
  @Override
  public byte[] signToBytes(Transaction txn) {
    try {
      return multisig.encode(txn, Map.of(member.keyAddress(), member.signBytes(txn.bytesToSign())));
    } catch (IOException e) {
      throw new UncheckedIOException("transaction does not encode", e);
    }
  }

  @Override
  public SignedTransaction sign(Transaction txn) {
    throw new UnsupportedOperationException("a multisig share is signed with signToBytes and completed by co-signers");
  }

  @Override
  public String toString() {
    return "MultisigSigner[" + keyId + "]";
  }
}
