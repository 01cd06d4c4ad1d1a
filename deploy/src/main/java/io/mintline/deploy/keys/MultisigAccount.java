package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Ed25519PublicKey;
import com.algorand.algosdk.crypto.MultisigAddress;
import com.algorand.algosdk.crypto.MultisigSignature;
import com.algorand.algosdk.crypto.Signature;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import io.mintline.deploy.algorand.Txids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Algorand k-of-n multisig account (version 1): its members' public keys in order and the
 * threshold. Its address is SHA-512/256("MultisigAddr" ‖ version ‖ threshold ‖ keys), so the same
 * members in another order, or another threshold, are another account.
 */
public final class MultisigAccount {
  public static final int VERSION = 1;

  private final int threshold;
  private final List<Address> members;
  private final MultisigAddress preimage;
  private final Address address;

  private MultisigAccount(int threshold, List<Address> members) {
    if (members.size() < 2 || members.size() > 255) throw new IllegalArgumentException("a multisig has 2 to 255 members");
    if (threshold < 1 || threshold > members.size()) throw new IllegalArgumentException("threshold must be 1.." + members.size());
    if (members.stream().distinct().count() != members.size()) throw new IllegalArgumentException("multisig members must differ");
    this.threshold = threshold;
    this.members = List.copyOf(members);
    List<Ed25519PublicKey> keys = new ArrayList<>(members.size());
    for (Address member : members) keys.add(new Ed25519PublicKey(member.getBytes()));
    this.preimage = new MultisigAddress(VERSION, threshold, keys);
    try {
      this.address = preimage.toAddress();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512/256 is missing", e);
    }
  }

  /** {@code threshold} of {@code members} (their addresses, which are their public keys). */
  public static MultisigAccount of(int threshold, List<Address> members) {
    return new MultisigAccount(threshold, members);
  }

  /** As {@link #of}, from addresses as text; an address with a bad checksum is refused. */
  public static MultisigAccount parse(int threshold, List<String> members) {
    List<Address> addresses = new ArrayList<>(members.size());
    for (String member : members) {
      try {
        addresses.add(new Address(member));
      } catch (Exception e) {
        throw new IllegalArgumentException("not an Algorand address: " + member);
      }
    }
    return of(threshold, addresses);
  }

  public Address address() {
    return address;
  }

  public int threshold() {
    return threshold;
  }

  public List<Address> members() {
    return members;
  }

  public boolean isMember(Address key) {
    return members.contains(key);
  }

  /**
   * The signed transaction algod takes: the multisig preimage with the given members' signatures
   * (by member address), the others' keys alone; auth-addr is the multisig when {@code txn}'s sender
   * is another account (one rekeyed to this multisig). Canonical msgpack (algosdk's encoder).
   */
  public byte[] encode(Transaction txn, Map<Address, byte[]> signatures) {
    // By address text: algosdk's Address has equals but no hashCode, so it cannot key a hash map.
    Map<String, byte[]> byAddress = new java.util.HashMap<>();
    signatures.forEach((member, sig) -> byAddress.put(member.toString(), sig));
    List<MultisigSignature.MultisigSubsig> subsigs = new ArrayList<>(members.size());
    for (Address member : members) {
      byte[] sig = byAddress.get(member.toString());
      Ed25519PublicKey key = new Ed25519PublicKey(member.getBytes());
      subsigs.add(sig == null ? new MultisigSignature.MultisigSubsig(key) : new MultisigSignature.MultisigSubsig(key, new Signature(sig)));
    }
    try {
      byte[] message = txn.bytesToSign();
      String txId = Encoder.encodeToBase32StripPad(Txids.sha512_256(message));
      SignedTransaction signed = new SignedTransaction(txn, new MultisigSignature(VERSION, threshold, subsigs), txId);
      if (!txn.sender.equals(address)) signed.authAddr(address);
      return Encoder.encodeToMsgPack(signed);
    } catch (IOException e) {
      throw new UncheckedIOException("transaction does not encode", e);
    }
  }

  /** Whether {@code signature} is {@code member}'s Ed25519 signature of {@code message} (BouncyCastle). */
  public static boolean verifies(Address member, byte[] message, byte[] signature) {
    if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE) return false;
    try {
      return Ed25519.verify(signature, 0, member.getBytes(), 0, message, 0, message.length);
    } catch (RuntimeException e) {
      return false; // not a point on the curve
    }
  }

  @Override
  public String toString() {
    return "MultisigAccount[" + threshold + "-of-" + members.size() + " " + address + "]";
  }
}
