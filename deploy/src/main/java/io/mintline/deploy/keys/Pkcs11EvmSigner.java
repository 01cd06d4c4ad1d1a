package io.mintline.deploy.keys;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;

import java.math.BigInteger;
import java.util.Arrays;
import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * An EVM (secp256k1) key on a PKCS#11 token. The token signs the 32-byte hash with
 * {@code CKM_ECDSA} and answers r‖s only; Ethereum also needs the recovery value {@code v}, which is
 * found by recovering the public key with each recovery id and keeping the one that gives the
 * token's own public key. {@code s} is first brought into the lower half of the curve order
 * (EIP-2), which Ethereum requires.
 */
public final class Pkcs11EvmSigner {
  private final Pkcs11Token token;
  private final String keyLabel;
  private final long privateKey;
  private final BigInteger publicKey;
  private final String address;

  Pkcs11EvmSigner(Pkcs11Token token, String keyLabel, long privateKey, byte[] publicKeyXY) {
    this.token = token;
    this.keyLabel = keyLabel;
    this.privateKey = privateKey;
    this.publicKey = new BigInteger(1, publicKeyXY);
    this.address = Keys.toChecksumAddress(Keys.getAddress(publicKey));
  }

  /** The key's Ethereum address (EIP-55 checksummed). */
  public String address() {
    return address;
  }

  /** A stable, non-secret name for the key, for the audit log. */
  public String keyId() {
    return "evm:" + address + "@pkcs11:" + token.label() + "/" + keyLabel;
  }

  /** Signs a 32-byte hash (a transaction's or an EIP-191/712 digest); {@code v} is 27 or 28. */
  public Sign.SignatureData signHash(byte[] hash) {
    if (hash.length != 32) throw new IllegalArgumentException("an EVM signature is over a 32-byte hash, got " + hash.length + " bytes");
    byte[] rs = token.sign(CKM_ECDSA, privateKey, hash);
    if (rs.length != 64) {
      throw new IllegalStateException("token '" + token.label() + "' returned a " + rs.length + "-byte ECDSA signature, not 64");
    }
    ECDSASignature signature = new ECDSASignature(
        new BigInteger(1, Arrays.copyOfRange(rs, 0, 32)), new BigInteger(1, Arrays.copyOfRange(rs, 32, 64))).toCanonicalised();
    // Tries recovery ids 0 and 1 against the token's public key; v = 27 + the one that matches.
    return Sign.createSignatureData(signature, publicKey, hash);
  }

  /** Signs keccak256({@code message}), as {@code eth_sign} without the prefix does. */
  public Sign.SignatureData signMessage(byte[] message) {
    return signHash(Hash.sha3(message));
  }

  @Override
  public String toString() {
    return "Pkcs11EvmSigner[" + keyId() + "]";
  }
}
