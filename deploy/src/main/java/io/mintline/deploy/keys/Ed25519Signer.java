package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.mnemonic.Mnemonic;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key held in memory, signing through BouncyCastle's lightweight Ed25519 (not the JCA:
 * algosdk's {@code Account.signTransaction} asks {@code Signature.getInstance("EdDSA")} without a
 * provider, which lands on SunEC — about 20× slower, docs/BENCHMARKS.md, Ed25519).
 *
 * <p>Thread-safe: each signature is a pure function of the key and the message.
 */
public final class Ed25519Signer implements Signer {
  private final String keyId;
  private final Ed25519PrivateKeyParameters privateKey;
  // Kept so that a signature does not recompute the public key (half the cost of signing).
  private final Ed25519PublicKeyParameters publicKey;
  private final Address keyAddress;
  private final Address account;
  private final String role;

  private Ed25519Signer(String role, byte[] seed) {
    if (seed.length != 32) throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
    this.privateKey = new Ed25519PrivateKeyParameters(seed, 0);
    this.publicKey = privateKey.generatePublicKey();
    this.keyAddress = new Address(publicKey.getEncoded());
    this.account = keyAddress;
    this.role = role;
    this.keyId = role + ":" + keyAddress;
  }

  private Ed25519Signer(Ed25519Signer key, Address account) {
    this.privateKey = key.privateKey;
    this.publicKey = key.publicKey;
    this.keyAddress = key.keyAddress;
    this.account = account;
    this.role = key.role;
    this.keyId = account.equals(keyAddress) ? key.role + ":" + keyAddress : key.role + ":" + account + "/key:" + keyAddress;
  }

  /**
   * This key signing for {@code account}, an account rekeyed to it: transactions are sent from
   * {@code account} and carry this key's address as auth-addr.
   */
  public Ed25519Signer forAccount(Address account) {
    return new Ed25519Signer(this, account);
  }

  /** A signer for the 32-byte private seed (the key a 25-word Algorand mnemonic encodes). */
  public static Ed25519Signer fromSeed(String role, byte[] seed) {
    return new Ed25519Signer(role, seed.clone());
  }

  /** A signer for a 25-word Algorand mnemonic; the error never repeats the words. */
  public static Ed25519Signer fromMnemonic(String role, String mnemonic) {
    try {
      return new Ed25519Signer(role, Mnemonic.toKey(mnemonic.trim()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + role + " mnemonic is not a valid Algorand mnemonic (checksum or word list)");
    }
  }

  /** A fresh random key. */
  public static Ed25519Signer generate(String role) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return new Ed25519Signer(role, seed);
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public Address address() {
    return account;
  }

  @Override
  public Address keyAddress() {
    return keyAddress;
  }

  @Override
  public byte[] signBytes(byte[] message) {
    byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
    privateKey.sign(Ed25519.Algorithm.Ed25519, publicKey, null, message, 0, message.length, signature, 0);
    return signature;
  }

  /** The 32-byte seed, for writing an encrypted keystore. */
  byte[] seed() {
    return privateKey.getEncoded();
  }

  /** The 25-word mnemonic of this key, for showing a generated devnet key to its operator once. */
  String mnemonic() {
    return Mnemonic.fromKey(seed());
  }

  /** Never print key material. */
  @Override
  public String toString() {
    return "Ed25519Signer[" + keyId + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519Signer other && Arrays.equals(seed(), other.seed()) && account.equals(other.account);
  }

  @Override
  public int hashCode() {
    return account.hashCode();
  }
}
