package io.mintline.bench.cluster;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Signature;
import com.algorand.algosdk.mnemonic.Mnemonic;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A fan's or creator's own Algorand key, as a wallet holds it, signing with BouncyCastle's
 * lightweight Ed25519 (the JDK's is about 20 times slower, docs/BENCHMARKS.md): login messages the
 * way algosdk's {@code signBytes} does ({@code "MX" ‖ message}) and transactions.
 */
public final class Wallet {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Ed25519PrivateKeyParameters key;
  private final Address address;

  private Wallet(Ed25519PrivateKeyParameters key) {
    this.key = key;
    try {
      this.address = new Address(key.generatePublicKey().getEncoded());
    } catch (Exception e) { // algosdk declares checked exceptions on some constructors
      throw new IllegalStateException(e);
    }
  }

  public static Wallet generate() {
    return new Wallet(new Ed25519PrivateKeyParameters(RANDOM));
  }

  /** The wallet of a 25-word Algorand mnemonic. */
  public static Wallet fromMnemonic(String mnemonic) {
    try {
      return new Wallet(new Ed25519PrivateKeyParameters(Mnemonic.toKey(mnemonic), 0));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Algorand mnemonic", e);
    }
  }

  public String mnemonic() {
    try {
      return Mnemonic.fromKey(key.getEncoded());
    } catch (Exception e) { // algosdk declares checked exceptions on some of its helpers
      throw new IllegalStateException(e);
    }
  }

  public String address() {
    return address.toString();
  }

  public Address algorandAddress() {
    return address;
  }

  /** The base64 signature over {@code "MX" ‖ message} that {@code POST /api/v1/auth/login} takes. */
  public String signLogin(String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[text.length + 2];
    bytes[0] = 'M';
    bytes[1] = 'X';
    System.arraycopy(text, 0, bytes, 2, text.length);
    return Base64.getEncoder().encodeToString(sign(bytes));
  }

  /** The signed transaction as the msgpack bytes algod's {@code POST /v2/transactions} takes. */
  public byte[] signTransaction(Transaction txn) {
    try {
      SignedTransaction signed = new SignedTransaction(txn, new Signature(sign(txn.bytesToSign())), txn.txID());
      return Encoder.encodeToMsgPack(signed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }
}
