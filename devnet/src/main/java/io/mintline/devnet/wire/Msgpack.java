package io.mintline.devnet.wire;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Algorand's canonical msgpack: maps with string keys written in sorted order, integers in their
 * smallest form, byte strings as bin. A decoded tree uses {@code TreeMap<String,Object>},
 * {@code List<Object>}, {@code byte[]}, {@code String}, {@code Long} (or {@link BigInteger} above
 * {@code Long.MAX_VALUE}), {@code Boolean}; {@link Raw} embeds bytes that are already msgpack.
 */
public final class Msgpack {

  /** Deeper nesting than any Algorand object is refused, so hostile input cannot exhaust the stack. */
  private static final int MAX_DEPTH = 24;

  /** Bytes that are already one encoded msgpack value, written verbatim. */
  public record Raw(byte[] bytes) {}

  private Msgpack() {}

  public static byte[] encode(Object value) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      write(packer, value);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory msgpack encoding failed", e);
    }
  }

  private static void write(MessagePacker p, Object v) throws IOException {
    if (v == null) {
      p.packNil();
    } else if (v instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, val) -> sorted.put((String) k, val));
      p.packMapHeader(sorted.size());
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        p.packString(e.getKey());
        write(p, e.getValue());
      }
    } else if (v instanceof List<?> list) {
      p.packArrayHeader(list.size());
      for (Object item : list) {
        write(p, item);
      }
    } else if (v instanceof byte[] bytes) {
      p.packBinaryHeader(bytes.length);
      p.writePayload(bytes);
    } else if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      p.packLong(((Number) v).longValue());
    } else if (v instanceof BigInteger big) {
      p.packBigInteger(big);
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof Raw raw) {
      p.writePayload(raw.bytes());
    } else {
      throw new IllegalArgumentException("cannot encode " + v.getClass().getName());
    }
  }

  /** Decodes exactly one value that fills {@code bytes}. */
  public static Object decode(byte[] bytes) throws IOException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      Object value = read(u, 0);
      if (u.hasNext()) {
        throw new IOException("trailing bytes after msgpack value");
      }
      return value;
    }
  }

  private static Object read(MessageUnpacker u, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("msgpack nested too deeply");
    }
    MessageFormat format = u.getNextFormat();
    switch (format.getValueType()) {
      case NIL:
        u.unpackNil();
        return null;
      case BOOLEAN:
        return u.unpackBoolean();
      case INTEGER:
        if (format == MessageFormat.UINT64) {
          BigInteger big = u.unpackBigInteger();
          return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        return u.unpackLong();
      case STRING:
        return u.unpackString();
      case BINARY: {
        int n = u.unpackBinaryHeader();
        return u.readPayload(n);
      }
      case ARRAY: {
        int n = u.unpackArrayHeader();
        List<Object> list = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
          list.add(read(u, depth + 1));
        }
        return list;
      }
      case MAP: {
        int n = u.unpackMapHeader();
        TreeMap<String, Object> map = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          if (u.getNextFormat().getValueType() != org.msgpack.value.ValueType.STRING) {
            throw new IOException("msgpack map key is not a string");
          }
          String key = u.unpackString();
          if (map.put(key, read(u, depth + 1)) != null) {
            throw new IOException("duplicate msgpack map key " + key);
          }
        }
        return map;
      }
      default:
        throw new IOException("unsupported msgpack type " + format);
    }
  }

  /**
   * Splits a concatenation of msgpack values (a transaction group as algod receives it) into the
   * bytes of each value, without decoding them.
   */
  public static List<byte[]> split(byte[] body, int maxValues) throws IOException {
    List<byte[]> parts = new ArrayList<>();
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(body)) {
      while (u.hasNext()) {
        if (parts.size() == maxValues) {
          throw new IOException("more than " + maxValues + " transactions in one request");
        }
        if (u.getNextFormat().getValueType() != org.msgpack.value.ValueType.MAP) {
          throw new IOException("expected a msgpack map for a signed transaction");
        }
        int start = (int) u.getTotalReadBytes();
        u.skipValue();
        int end = (int) u.getTotalReadBytes();
        if (end > body.length) {
          throw new IOException("truncated msgpack");
        }
        byte[] part = new byte[end - start];
        System.arraycopy(body, start, part, 0, part.length);
        parts.add(part);
      }
    }
    return parts;
  }
}
