package io.mintline.deploy.keys;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EDDSA;

import com.algorand.algosdk.crypto.Address;

/**
 * An Algorand key on a PKCS#11 token: each signature is a {@code CKM_EDDSA} operation on the token
 * with the private key's handle, so the key never enters this process. Found by its label; the
 * address comes from the public key object of the same label.
 *
 * <p>Thread-safe: the token lends one session per signature. Roughly a tenth of the in-memory
 * signer's speed on SoftHSM2 (docs/BENCHMARKS.md, PKCS#11 signing), so it suits the deploy and
 * admin roles more than minting (docs/SECURITY.md, Hardware-backed keys).
 */
public final class Pkcs11Signer implements Signer {
  private final Pkcs11Token token;
  private final String role;
  private final String keyLabel;
  private final long privateKey;
  private final Address keyAddress;
  private final Address account;
  private final String keyId;

  Pkcs11Signer(Pkcs11Token token, String role, String keyLabel, long privateKey, byte[] publicKey) {
    this(token, role, keyLabel, privateKey, new Address(publicKey), null);
  }

  private Pkcs11Signer(Pkcs11Token token, String role, String keyLabel, long privateKey, Address keyAddress, Address account) {
    this.token = token;
    this.role = role;
    this.keyLabel = keyLabel;
    this.privateKey = privateKey;
    this.keyAddress = keyAddress;
    this.account = account == null ? keyAddress : account;
    String where = "@pkcs11:" + token.label() + "/" + keyLabel;
    this.keyId = this.account.equals(keyAddress) ? role + ":" + keyAddress + where : role + ":" + this.account + "/key:" + keyAddress + where;
  }

  /** This token key signing for {@code account}, an account rekeyed to it. */
  public Pkcs11Signer forAccount(Address account) {
    return new Pkcs11Signer(token, role, keyLabel, privateKey, keyAddress, account);
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

  /** Pure Ed25519 (RFC 8032, no pre-hash, no context): what Algorand verifies. */
  @Override
  public byte[] signBytes(byte[] message) {
    byte[] signature = token.sign(CKM_EDDSA, privateKey, message);
    if (signature.length != 64) {
      throw new IllegalStateException("token '" + token.label() + "' returned a " + signature.length + "-byte EdDSA signature, not 64");
    }
    return signature;
  }

  @Override
  public String toString() {
    return "Pkcs11Signer[" + keyId + "]";
  }
}
