package io.mintline.deploy.keys;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * The {@link KeyRole#DEPLOY} key on EVM chains: a secp256k1 key that signs EIP-1559 contract
 * creations. It comes from {@code mintline.evm.deploy-key} (normally the environment,
 * {@code MINTLINE_EVM_DEPLOY_KEY}); for a local dev chain without one it is made at start and the
 * local node funds it. Every signature is reported to the {@link SignatureLog} (key id, purpose,
 * transaction hash) before the signed bytes are handed out. The key never leaves this object and
 * is never printed.
 */
public final class EvmSigner {
  private final Credentials credentials;
  private final boolean generated;
  private final SignatureLog signatures;

  private EvmSigner(Credentials credentials, boolean generated, SignatureLog signatures) {
    this.credentials = credentials;
    this.generated = generated;
    this.signatures = signatures;
  }

  /** From a configured private key (0x + 64 hex digits). */
  public static EvmSigner fromPrivateKey(String hex, SignatureLog signatures) {
    return new EvmSigner(Credentials.create(hex), false, signatures);
  }

  /** A fresh key (local dev chains only: nothing but the local node funds it). */
  public static EvmSigner generate(SignatureLog signatures) {
    try {
      ECKeyPair pair = Keys.createEcKeyPair(new SecureRandom());
      return new EvmSigner(Credentials.create(pair), true, signatures);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no secp256k1 key could be made", e);
    }
  }

  /** The same key reporting to another log. */
  public EvmSigner withSignatureLog(SignatureLog log) {
    return new EvmSigner(credentials, generated, log);
  }

  /** The account's checksummed 0x address. */
  public String address() {
    return Keys.toChecksumAddress(credentials.getAddress());
  }

  /** A stable, non-secret name for the audit log: {@code deploy:<address>}. */
  public String keyId() {
    return KeyRole.DEPLOY.id() + ":" + address();
  }

  public boolean generated() {
    return generated;
  }

  /** A signed transaction: its hash and the raw bytes {@code eth_sendRawTransaction} takes (0x-hex). */
  public record Signed(String txHash, String rawHex) {}

  /** Signs {@code tx} for {@code chainId}; {@code purpose} goes to the audit log. */
  public Signed sign(RawTransaction tx, long chainId, String purpose) {
    byte[] raw = TransactionEncoder.signMessage(tx, chainId, credentials);
    String hash = Numeric.toHexString(Hash.sha3(raw));
    signatures.signed(keyId(), purpose, hash);
    return new Signed(hash, Numeric.toHexString(raw));
  }

  /** The next nonce as web3j wants it. */
  public static BigInteger nonce(long value) {
    return BigInteger.valueOf(value);
  }

  @Override
  public String toString() {
    return "EvmSigner[" + keyId() + (generated ? " (generated)" : "") + "]";
  }
}
