package io.mintline.http.auth;

import com.algorand.algosdk.crypto.Address;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Checks the signatures wallets make over a login message.
 *
 * <ul>
 *   <li>Algorand: Ed25519 over {@code "MX" ‖ message} (algosdk {@code signBytes}, Pera {@code
 *       signData}), with the public key that is the signer address itself. BouncyCastle's
 *       lightweight Ed25519, about eight times faster than the JDK's (docs/BENCHMARKS.md, Ed25519).
 *   <li>EVM: EIP-191 {@code personal_sign}; the signer's address is recovered (web3j) and compared.
 * </ul>
 */
public final class WalletSignatures {
  private static final byte[] ALGORAND_PREFIX = "MX".getBytes(StandardCharsets.US_ASCII);
  private static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("([0-9a-fA-F]{2})+");

  private WalletSignatures() {}

  /** Whether {@code signature} is {@code signerAddress}'s Ed25519 signature over {@code "MX" ‖ message}. */
  public static boolean algorandValid(String signerAddress, String message, byte[] signature) {
    if (signature.length != Ed25519.SIGNATURE_SIZE) return false;
    byte[] publicKey;
    try {
      publicKey = new Address(signerAddress).getBytes();
    } catch (Exception e) {
      return false;
    }
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[ALGORAND_PREFIX.length + text.length];
    System.arraycopy(ALGORAND_PREFIX, 0, signed, 0, ALGORAND_PREFIX.length);
    System.arraycopy(text, 0, signed, ALGORAND_PREFIX.length, text.length);
    try {
      return Ed25519.verify(signature, 0, publicKey, 0, signed, 0, signed.length);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The EVM address (EIP-55) that made the EIP-191 personal-sign {@code signature} (65 bytes r‖s‖v,
   * v = 27/28 or 0/1) over {@code message}; empty when the signature recovers no key.
   */
  public static Optional<String> evmSigner(String message, byte[] signature) {
    if (signature.length != 65) return Optional.empty();
    byte v = signature[64];
    if (v == 0 || v == 1) v += 27;
    if (v != 27 && v != 28) return Optional.empty();
    byte[] r = java.util.Arrays.copyOfRange(signature, 0, 32);
    byte[] s = java.util.Arrays.copyOfRange(signature, 32, 64);
    try {
      BigInteger key = Sign.signedPrefixedMessageToKey(message.getBytes(StandardCharsets.UTF_8), new Sign.SignatureData(v, r, s));
      return Optional.of(Keys.toChecksumAddress(Keys.getAddress(key)));
    } catch (SignatureException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Decodes a signature written as 0x-hex or base64 (standard or URL-safe); throws IllegalArgumentException. */
  public static byte[] decode(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("signature is missing");
    String s = text.trim();
    if (s.length() > 512) throw new IllegalArgumentException("signature is too long");
    // Base64 text may itself begin with "0x": it is hex only when all that follows is hex digits.
    if ((s.startsWith("0x") || s.startsWith("0X")) && HEX.matcher(s.substring(2)).matches()) {
      return HexFormat.of().parseHex(s.substring(2).toLowerCase(Locale.ROOT));
    }
    try {
      return s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signature is neither 0x-hex nor base64");
    }
  }
}
