package io.mintline.deploy.evm;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeDecoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * A contract's constructor arguments, typed from its ABI and ABI-encoded with web3j. Every value
 * is checked against its parameter's type first, so a wrong one is refused naming the argument
 * (position, name, type) rather than failing somewhere in the encoder. Supported: {@code address}
 * (checksum checked when mixed-case), {@code bool}, {@code string}, {@code bytes}, {@code bytesN},
 * {@code uintN} and {@code intN} (a JSON integer or a decimal string, range checked).
 */
public final class ConstructorArguments {
  private static final Pattern INT = Pattern.compile("(u?)int(\\d*)");
  private static final Pattern FIXED_BYTES = Pattern.compile("bytes(\\d+)");
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern HEX = Pattern.compile("0x([0-9a-fA-F]{2})*");
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,80}");

  /** A constructor argument that does not fit its parameter. */
  public static final class InvalidArgument extends IllegalArgumentException {
    public InvalidArgument(String message) {
      super(message);
    }
  }

  /** One constructor parameter. */
  public record Parameter(String name, String type) {}

  private ConstructorArguments() {}

  /** The constructor's parameters from a contract's ABI (none when it declares no constructor). */
  public static List<Parameter> parameters(JsonNode abi) {
    List<Parameter> out = new ArrayList<>();
    if (abi == null || !abi.isArray()) return out;
    for (JsonNode entry : abi) {
      if (!"constructor".equals(entry.path("type").asText())) continue;
      for (JsonNode input : entry.path("inputs")) out.add(new Parameter(input.path("name").asText(""), input.path("type").asText()));
    }
    return out;
  }

  /** The ABI encoding of {@code args} (a JSON array, or null/missing for none) as hex without 0x. */
  public static String encode(JsonNode abi, JsonNode args) {
    List<Parameter> parameters = parameters(abi);
    int given = args == null || args.isNull() ? 0 : args.isArray() ? args.size() : -1;
    if (given < 0) throw new InvalidArgument("constructorArgs must be a JSON array of " + parameters.size() + " value(s)");
    if (given != parameters.size()) {
      throw new InvalidArgument("constructorArgs has " + given + " value(s); the constructor takes " + parameters.size()
          + (parameters.isEmpty() ? "" : ": " + parameters.stream().map(p -> p.type() + " " + p.name()).toList()));
    }
    List<Type> values = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) values.add(value(i, parameters.get(i), args.get(i)));
    return FunctionEncoder.encodeConstructor(values);
  }

  @SuppressWarnings("rawtypes")
  private static Type value(int index, Parameter p, JsonNode v) {
    String label = "constructorArgs[" + index + "]" + (p.name().isEmpty() ? "" : " (" + p.name() + ")");
    String type = p.type();
    try {
      if (type.equals("address")) {
        String text = v.isTextual() ? v.asText() : "";
        if (!ADDRESS.matcher(text).matches()) throw new InvalidArgument(label + " must be an address: 0x and 40 hex digits");
        String digits = text.substring(2);
        boolean mixed = !digits.equals(digits.toLowerCase(java.util.Locale.ROOT)) && !digits.equals(digits.toUpperCase(java.util.Locale.ROOT));
        if (mixed && !Keys.toChecksumAddress(text).equals(text)) {
          throw new InvalidArgument(label + " has a wrong EIP-55 checksum");
        }
        return TypeDecoder.instantiateType("address", text);
      }
      if (type.equals("bool")) {
        if (!v.isBoolean()) throw new InvalidArgument(label + " must be true or false");
        return TypeDecoder.instantiateType("bool", v.asBoolean());
      }
      if (type.equals("string")) {
        if (!v.isTextual()) throw new InvalidArgument(label + " must be a string");
        return TypeDecoder.instantiateType("string", v.asText());
      }
      if (type.equals("bytes")) {
        return TypeDecoder.instantiateType("bytes", hex(label, v, -1));
      }
      Matcher fixed = FIXED_BYTES.matcher(type);
      if (fixed.matches()) {
        int n = Integer.parseInt(fixed.group(1));
        return TypeDecoder.instantiateType(type, hex(label, v, n));
      }
      Matcher integer = INT.matcher(type);
      if (integer.matches()) {
        boolean unsigned = !integer.group(1).isEmpty();
        int bits = integer.group(2).isEmpty() ? 256 : Integer.parseInt(integer.group(2));
        String text = v.isIntegralNumber() ? v.bigIntegerValue().toString() : v.isTextual() ? v.asText() : "";
        if (!DECIMAL.matcher(text).matches()) {
          throw new InvalidArgument(label + " must be an integer (a JSON number or a decimal string) for " + type);
        }
        BigInteger value = new BigInteger(text);
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE) : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
          throw new InvalidArgument(label + " is out of range for " + type + " (" + min + " to " + max + ")");
        }
        return TypeDecoder.instantiateType(type.equals("uint") || type.equals("int") ? type + "256" : type, value);
      }
    } catch (InvalidArgument e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidArgument(label + " does not fit " + type + ": " + e.getMessage());
    }
    throw new InvalidArgument(label + " has type " + type + ", which deploys through this API do not support yet");
  }

  private static byte[] hex(String label, JsonNode v, int length) {
    String text = v.isTextual() ? v.asText() : "";
    if (!HEX.matcher(text).matches()) throw new InvalidArgument(label + " must be 0x-hex bytes");
    byte[] bytes = Numeric.hexStringToByteArray(text);
    if (length >= 0 && bytes.length != length) {
      throw new InvalidArgument(label + " must be exactly " + length + " bytes (0x and " + (2 * length) + " hex digits)");
    }
    return bytes;
  }
}
