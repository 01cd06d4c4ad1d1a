package io.mintline.engine.wallet;

import com.algorand.algosdk.crypto.Address;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * A wallet address on one of the chains Mintline serves, checksum-verified: an Algorand address
 * (base32 public key with its 4-byte SHA-512/256 checksum) or an EVM address (20 bytes hex; when
 * written in mixed case its EIP-55 checksum must match).
 *
 * <p>{@link #value()} is the canonical spelling used as the wallet's entity id: Algorand addresses
 * as they are, EVM addresses in their EIP-55 form.
 */
public record WalletAddress(Chain chain, String value) {

  /** The chain family an address belongs to. */
  public enum Chain {
    ALGORAND,
    EVM
  }

  private static final Pattern EVM = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern ALGORAND = Pattern.compile("[A-Z2-7]{58}");

  /** Parses and checks {@code raw}; the exception message says what is wrong with it. */
  public static WalletAddress parse(String raw) {
    if (raw == null || raw.isBlank()) throw new InvalidAddressException("address is missing");
    String text = raw.trim();
    if (EVM.matcher(text).matches()) return evm(text);
    if (ALGORAND.matcher(text).matches()) return algorand(text);
    throw new InvalidAddressException(
        "not a wallet address: expected 58 base32 characters (Algorand) or 0x and 40 hex digits (EVM)");
  }

  private static WalletAddress algorand(String text) {
    try {
      return new WalletAddress(Chain.ALGORAND, new Address(text).encodeAsString());
    } catch (IllegalArgumentException | java.security.NoSuchAlgorithmException e) {
      throw new InvalidAddressException("Algorand address checksum does not match");
    }
  }

  private static WalletAddress evm(String text) {
    String checksummed = eip55(text.substring(2));
    String digits = text.substring(2);
    boolean singleCase = digits.equals(digits.toLowerCase(Locale.ROOT)) || digits.equals(digits.toUpperCase(Locale.ROOT));
    if (!singleCase && !checksummed.equals(text)) {
      throw new InvalidAddressException("EVM address EIP-55 checksum does not match");
    }
    return new WalletAddress(Chain.EVM, checksummed);
  }

  /** EIP-55: uppercase each hex letter whose nibble in keccak256(lowercase hex) is ≥ 8. */
  static String eip55(String hexDigits) {
    String lower = hexDigits.toLowerCase(Locale.ROOT);
    KeccakDigest keccak = new KeccakDigest(256);
    byte[] input = lower.getBytes(StandardCharsets.US_ASCII);
    keccak.update(input, 0, input.length);
    byte[] hash = new byte[32];
    keccak.doFinal(hash, 0);
    String hashHex = HexFormat.of().formatHex(hash);
    StringBuilder out = new StringBuilder("0x");
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      out.append(Character.digit(hashHex.charAt(i), 16) >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  /** Raised for input that is not a valid address; its message is safe to show to the caller. */
  public static final class InvalidAddressException extends IllegalArgumentException {
    public InvalidAddressException(String message) {
      super(message);
    }
  }
}
