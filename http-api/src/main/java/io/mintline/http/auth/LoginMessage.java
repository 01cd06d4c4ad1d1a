package io.mintline.http.auth;

import io.mintline.engine.wallet.WalletAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text a wallet signs to log in. For EVM it is an EIP-4361 (Sign-In with Ethereum) message; an
 * Algorand message has the same shape with "Algorand account" and a {@code Genesis Hash} line in place
 * of {@code Version} and {@code Chain ID}:
 *
 * <pre>
 * {domain} wants you to sign in with your Algorand account:
 * {address}
 *
 * {statement}
 *
 * URI: https://{domain}
 * Genesis Hash: {base64 genesis hash}
 * Nonce: {32 hex digits}
 * Issued At: {RFC 3339 UTC}
 * Expiration Time: {RFC 3339 UTC}
 * </pre>
 *
 * @param network {@code algorand:<genesis hash>} or {@code eip155:<chain id>}
 * @param notBefore optional (EIP-4361 {@code Not Before}); never set in issued messages
 */
public record LoginMessage(
    WalletAddress.Chain chain,
    String domain,
    String address,
    String statement,
    String uri,
    String network,
    String nonce,
    Instant issuedAt,
    Instant expiresAt,
    Instant notBefore) {

  private static final Pattern HEADER = Pattern.compile("^(\\S+) wants you to sign in with your (Ethereum|Algorand) account:$");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9]{8,}");
  private static final Pattern CHAIN_ID = Pattern.compile("[1-9][0-9]{0,18}");
  private static final int MAX_LENGTH = 4096;

  public static LoginMessage issue(WalletAddress address, String domain, String statement, String network, String nonce,
      Instant issuedAt, Instant expiresAt) {
    return new LoginMessage(address.chain(), domain, address.value(), statement, "https://" + domain, network, nonce,
        issuedAt.truncatedTo(ChronoUnit.MILLIS), expiresAt.truncatedTo(ChronoUnit.MILLIS), null);
  }

  public static String algorandNetwork(String genesisHash) {
    return "algorand:" + genesisHash;
  }

  public static String evmNetwork(long chainId) {
    return "eip155:" + chainId;
  }

  /** The exact text to sign. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append(domain).append(" wants you to sign in with your ")
        .append(chain == WalletAddress.Chain.EVM ? "Ethereum" : "Algorand").append(" account:\n")
        .append(address).append("\n\n")
        .append(statement).append("\n\n")
        .append("URI: ").append(uri).append('\n');
    if (chain == WalletAddress.Chain.EVM) {
      out.append("Version: 1\n").append("Chain ID: ").append(network.substring("eip155:".length())).append('\n');
    } else {
      out.append("Genesis Hash: ").append(network.substring("algorand:".length())).append('\n');
    }
    out.append("Nonce: ").append(nonce).append('\n')
        .append("Issued At: ").append(issuedAt).append('\n')
        .append("Expiration Time: ").append(expiresAt);
    if (notBefore != null) out.append("\nNot Before: ").append(notBefore);
    return out.toString();
  }

  /**
   * Reads a message in the format above; throws {@link MalformedException} saying what is wrong.
   * EIP-4361's optional {@code Not Before} and {@code Request ID} are read (the latter ignored);
   * {@code Expiration Time} is required here and {@code Resources} is not accepted.
   */
  public static LoginMessage parse(String text) {
    if (text == null || text.isEmpty()) throw new MalformedException("message is missing");
    if (text.length() > MAX_LENGTH) throw new MalformedException("message is longer than " + MAX_LENGTH + " characters");
    String[] lines = text.split("\n", -1);
    if (lines.length < 8) throw new MalformedException("message is too short to be a login message");
    Matcher header = HEADER.matcher(lines[0]);
    if (!header.matches()) throw new MalformedException("first line must be '<domain> wants you to sign in with your Ethereum|Algorand account:'");
    WalletAddress.Chain chain = header.group(2).equals("Ethereum") ? WalletAddress.Chain.EVM : WalletAddress.Chain.ALGORAND;
    WalletAddress address;
    try {
      address = WalletAddress.parse(lines[1]);
    } catch (WalletAddress.InvalidAddressException e) {
      throw new MalformedException("second line is not an address: " + e.getMessage());
    }
    if (address.chain() != chain) throw new MalformedException("the address does not belong to the chain the first line names");
    if (chain == WalletAddress.Chain.EVM && !address.value().equals(lines[1])) {
      throw new MalformedException("EIP-4361 requires the EIP-55 checksummed address " + address.value());
    }
    if (!lines[2].isEmpty()) throw new MalformedException("third line must be empty");
    int i = 3;
    String statement = null;
    if (!lines[i].startsWith("URI: ")) {
      statement = lines[i++];
      if (i >= lines.length || !lines[i++].isEmpty()) throw new MalformedException("the statement must be followed by an empty line");
    }
    List<String[]> fields = new ArrayList<>();
    for (; i < lines.length; i++) {
      int colon = lines[i].indexOf(": ");
      if (colon <= 0) throw new MalformedException("line " + (i + 1) + " is not 'Field: value'");
      fields.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 2)});
    }
    List<String> order = chain == WalletAddress.Chain.EVM
        ? List.of("URI", "Version", "Chain ID", "Nonce", "Issued At", "Expiration Time", "Not Before", "Request ID")
        : List.of("URI", "Genesis Hash", "Nonce", "Issued At", "Expiration Time", "Not Before", "Request ID");
    Map<String, String> values = new java.util.HashMap<>();
    int at = 0;
    for (String[] field : fields) {
      int position = order.indexOf(field[0]);
      if (position < at) throw new MalformedException("unexpected or out-of-order field '" + field[0] + "'");
      values.put(field[0], field[1]);
      at = position + 1;
    }
    String uri = required(values, "URI");
    String network;
    if (chain == WalletAddress.Chain.EVM) {
      if (!"1".equals(required(values, "Version"))) throw new MalformedException("Version must be 1");
      String chainId = required(values, "Chain ID");
      if (!CHAIN_ID.matcher(chainId).matches()) throw new MalformedException("Chain ID must be a positive integer");
      network = evmNetwork(Long.parseLong(chainId));
    } else {
      network = algorandNetwork(required(values, "Genesis Hash"));
    }
    String nonce = required(values, "Nonce");
    if (!NONCE.matcher(nonce).matches()) throw new MalformedException("Nonce must be at least 8 letters or digits");
    return new LoginMessage(chain, header.group(1), address.value(), statement, uri, network, nonce,
        time(values, "Issued At", true), time(values, "Expiration Time", true), time(values, "Not Before", false));
  }

  private static String required(Map<String, String> values, String field) {
    String value = values.get(field);
    if (value == null || value.isBlank()) throw new MalformedException("field '" + field + "' is missing");
    return value;
  }

  private static Instant time(Map<String, String> values, String field, boolean required) {
    String value = required ? required(values, field) : values.get(field);
    if (value == null) return null;
    try {
      return java.time.OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new MalformedException("field '" + field + "' is not an RFC 3339 time");
    }
  }

  /** The text is not a login message; the message says why and is safe to show. */
  public static final class MalformedException extends IllegalArgumentException {
    public MalformedException(String message) {
      super(message);
    }
  }
}
