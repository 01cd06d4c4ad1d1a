package io.mintline.deploy.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.Sign;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * The {@link KeyRole#DEPLOY} key on EVM chains: a secp256k1 key that signs EIP-1559 contract
 * creations, held by the {@link KeyRing}. It comes from {@code mintline.evm.deploy-key} (normally
 * the environment, {@code MINTLINE_EVM_DEPLOY_KEY}), from the keystore file, from a PKCS#11 token
 * ({@link Pkcs11EvmSigner}: the key never leaves the token), or — for local dev chains only — from
 * a key file the node makes once under its data directory, so the local chain's funded account is
 * the same after a restart. Every signature is reported to the {@link SignatureLog} (key id,
 * purpose, transaction hash) before the signed bytes are handed out. The key never leaves this
 * object and is never printed.
 */
public final class EvmSigner {
  private final Credentials credentials;
  private final Pkcs11EvmSigner token;
  private final boolean generated;
  private final SignatureLog signatures;

  private EvmSigner(Credentials credentials, Pkcs11EvmSigner token, boolean generated, SignatureLog signatures) {
    this.credentials = credentials;
    this.token = token;
    this.generated = generated;
    this.signatures = signatures;
  }

  /** From a configured private key (0x + 64 hex digits). */
  public static EvmSigner fromPrivateKey(String hex, SignatureLog signatures) {
    return new EvmSigner(Credentials.create(hex), null, false, signatures);
  }

  /** The key on a PKCS#11 token: the token signs each transaction's hash. */
  public static EvmSigner onToken(Pkcs11EvmSigner key, SignatureLog signatures) {
    return new EvmSigner(null, key, false, signatures);
  }

  /** A fresh key (local dev chains only: nothing but the local node funds it). */
  public static EvmSigner generate(SignatureLog signatures) {
    return new EvmSigner(Credentials.create(freshKey()), null, true, signatures);
  }

  /**
   * The local dev chains' key kept in {@code file}: read when it exists, else made and written
   * (owner-only permissions, atomically), so a restart on the same data directory signs as the same
   * account — whose ether and contracts the local chain kept. Only for chains the node runs itself.
   */
  public static EvmSigner localDevKey(Path file, SignatureLog signatures) {
    try {
      if (Files.isRegularFile(file)) {
        String hex = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!hex.matches("0x[0-9a-fA-F]{64}")) throw new IllegalStateException("the local EVM key file " + file + " is damaged");
        return new EvmSigner(Credentials.create(hex), null, true, signatures);
      }
      ECKeyPair pair = freshKey();
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, Numeric.toHexStringWithPrefixZeroPadded(pair.getPrivateKey(), 64), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return new EvmSigner(Credentials.create(pair), null, true, signatures);
    } catch (IOException e) {
      throw new IllegalStateException("the local EVM key file " + file + " cannot be read or written: " + e.getMessage(), e);
    }
  }

  private static ECKeyPair freshKey() {
    try {
      return Keys.createEcKeyPair(new SecureRandom());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no secp256k1 key could be made", e);
    }
  }

  /** The same key reporting to another log. */
  public EvmSigner withSignatureLog(SignatureLog log) {
    return new EvmSigner(credentials, token, generated, log);
  }

  /** The account's checksummed 0x address. */
  public String address() {
    return token != null ? token.address() : Keys.toChecksumAddress(credentials.getAddress());
  }

  /**
   * A stable, non-secret name for the audit log: {@code deploy:<address>}, or for a key on a token
   * {@code deploy:evm:<address>@pkcs11:<token>/<label>}.
   */
  public String keyId() {
    return KeyRole.DEPLOY.id() + ":" + (token != null ? token.keyId() : address());
  }

  /** Made by the node for a local chain (in memory or in the data directory), not configured. */
  public boolean generated() {
    return generated;
  }

  /** Whether the key is on a PKCS#11 token. */
  public boolean onToken() {
    return token != null;
  }

  /** A signed transaction: its hash and the raw bytes {@code eth_sendRawTransaction} takes (0x-hex). */
  public record Signed(String txHash, String rawHex) {}

  /** Signs {@code tx} (EIP-1559, chain id inside) for {@code chainId}; {@code purpose} goes to the audit log. */
  public Signed sign(RawTransaction tx, long chainId, String purpose) {
    byte[] raw;
    if (token != null) {
      // What web3j signs for a typed transaction: keccak256 of its unsigned encoding (type byte first).
      if (!tx.getType().isEip1559()) throw new IllegalArgumentException("the token path signs EIP-1559 transactions only");
      Sign.SignatureData signature = token.signHash(Hash.sha3(TransactionEncoder.encode(tx)));
      raw = TransactionEncoder.encode(tx, signature);
    } else {
      raw = TransactionEncoder.signMessage(tx, chainId, credentials);
    }
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
