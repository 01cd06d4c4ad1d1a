package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Signature;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import io.mintline.deploy.algorand.Txids;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One Algorand signing key. The seam for key custody: {@link Ed25519Signer} holds a key in memory;
 * a KMS or HSM signer implements {@link #signBytes(byte[])} by asking the device. Implementations
 * never expose or log key material.
 */
public interface Signer {

  /** A stable, non-secret name for the key (role and address), for the audit log. */
  String keyId();

  /** The account this key signs for: the sender of its transactions. */
  Address address();

  /**
   * The key's own address. It differs from {@link #address()} when the account has been rekeyed
   * to this key (rotation: the address stays, the key changes); transactions then name it as
   * their auth-addr.
   */
  default Address keyAddress() {
    return address();
  }

  /**
   * The key signing for the role right now: this one, or for a role whose key rotates
   * ({@link RotatingSigner}) the key it holds at this moment.
   */
  default Signer current() {
    return this;
  }

  /** An Ed25519 signature of {@code message} (64 bytes). */
  byte[] signBytes(byte[] message);

  /** Signs {@code txn} ("TX" ‖ canonical msgpack); sets auth-addr when the sender is not the key's own account. */
  default SignedTransaction sign(Transaction txn) {
    try {
      byte[] message = txn.bytesToSign();
      // The txid is the hash of the same bytes: no second encoding of the transaction.
      String txId = Encoder.encodeToBase32StripPad(Txids.sha512_256(message));
      SignedTransaction signed = new SignedTransaction(txn, new Signature(signBytes(message)), txId);
      if (!txn.sender.equals(keyAddress())) signed.authAddr(keyAddress());
      return signed;
    } catch (IOException e) {
      throw new UncheckedIOException("transaction does not encode", e);
    }
  }

  /**
   * The signed transaction as the bytes algod accepts ({@code POST /v2/transactions}): the
   * canonical msgpack map {@code {sgnr?, sig, txn}} assembled around the transaction's own
   * encoding, so the transaction is encoded once (the same bytes as algosdk's
   * {@code Encoder.encodeToMsgPack(signedTransaction)}).
   */
  default byte[] signToBytes(Transaction txn) {
    byte[] message;
    try {
      message = txn.bytesToSign();
    } catch (IOException e) {
      throw new UncheckedIOException("transaction does not encode", e);
    }
    byte[] signature = signBytes(message);
    boolean rekeyed = !txn.sender.equals(keyAddress());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(message.length + 120);
    out.write(rekeyed ? 0x83 : 0x82);
    if (rekeyed) {
      out.write(0xa4);
      out.writeBytes(new byte[] {'s', 'g', 'n', 'r'});
      out.write(0xc4);
      out.write(32);
      out.writeBytes(keyAddress().getBytes());
    }
    out.write(0xa3);
    out.writeBytes(new byte[] {'s', 'i', 'g'});
    out.write(0xc4);
    out.write(64);
    out.writeBytes(signature);
    out.write(0xa3);
    out.writeBytes(new byte[] {'t', 'x', 'n'});
    out.write(message, 2, message.length - 2); // without the "TX" domain prefix
    return out.toByteArray();
  }
}
