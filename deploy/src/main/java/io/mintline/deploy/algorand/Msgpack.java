package io.mintline.deploy.algorand;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The msgpack Algorand speaks, as plain Java trees: maps ({@link LinkedHashMap}), lists,
 * {@code byte[]} for bin, {@link Long} (or {@link BigInteger} above 2^63) for integers, booleans,
 * null — and strings as <em>Latin-1 views of their raw bytes</em>, so that decoding and
 * re-encoding is lossless even for Go strings that are not UTF-8 (asset names, state keys).
 * {@link #encodeCanonical} writes what go-algorand's canonical codec writes (sorted keys, smallest
 * int and length forms), which is what a txid is hashed over.
 */
final class Msgpack {
  private Msgpack() {}

  /** Decodes one value from the start of {@code bytes}; use {@link Reader} to read several. */
  static Object decode(byte[] bytes) {
    Reader r = new Reader(bytes);
    Object value = r.next();
    if (r.pos != bytes.length) throw new IllegalArgumentException("trailing bytes after msgpack value");
    return value;
  }

  /** A Latin-1 decoded msgpack string as the UTF-8 text it usually is. */
  static String text(Object latin1) {
    return latin1 == null ? null : new String(((String) latin1).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** A sequential reader over concatenated values (a signed transaction group). */
  static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] bytes) {
      this.b = bytes;
    }

    boolean hasNext() {
      return pos < b.length;
    }

    int position() {
      return pos;
    }

    Object next() {
      int t = u8();
      if (t <= 0x7f) return (long) t;
      if (t >= 0xe0) return (long) (byte) t;
      if (t >= 0x80 && t <= 0x8f) return map(t & 0x0f);
      if (t >= 0x90 && t <= 0x9f) return array(t & 0x0f);
      if (t >= 0xa0 && t <= 0xbf) return str(t & 0x1f);
      return switch (t) {
        case 0xc0 -> null;
        case 0xc2 -> Boolean.FALSE;
        case 0xc3 -> Boolean.TRUE;
        case 0xc4 -> bin(u8());
        case 0xc5 -> bin(u16());
        case 0xc6 -> bin(len32());
        case 0xca -> (double) Float.intBitsToFloat((int) u32());
        case 0xcb -> Double.longBitsToDouble(u64());
        case 0xcc -> (long) u8();
        case 0xcd -> (long) u16();
        case 0xce -> u32();
        case 0xcf -> {
          long v = u64();
          yield v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
        }
        case 0xd0 -> (long) (byte) u8();
        case 0xd1 -> (long) (short) u16();
        case 0xd2 -> (long) (int) u32();
        case 0xd3 -> u64();
        case 0xd9 -> str(u8());
        case 0xda -> str(u16());
        case 0xdb -> str(len32());
        case 0xdc -> array(u16());
        case 0xdd -> array(len32());
        case 0xde -> map(u16());
        case 0xdf -> map(len32());
        default -> throw new IllegalArgumentException("unsupported msgpack type 0x" + Integer.toHexString(t) + " at " + (pos - 1));
      };
    }

    private Map<Object, Object> map(int n) {
      Map<Object, Object> m = new LinkedHashMap<>(Math.max(4, n * 2));
      for (int i = 0; i < n; i++) {
        Object k = next();
        m.put(k, next());
      }
      return m;
    }

    private List<Object> array(int n) {
      if (n > b.length - pos) throw new IllegalArgumentException("msgpack array longer than its input");
      List<Object> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) l.add(next());
      return l;
    }

    private String str(int n) {
      need(n);
      String s = new String(b, pos, n, StandardCharsets.ISO_8859_1);
      pos += n;
      return s;
    }

    private byte[] bin(int n) {
      need(n);
      byte[] out = new byte[n];
      System.arraycopy(b, pos, out, 0, n);
      pos += n;
      return out;
    }

    private int len32() {
      long n = u32();
      if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("msgpack length too large");
      return (int) n;
    }

    private void need(int n) {
      if (n < 0 || pos + n > b.length) throw new IllegalArgumentException("truncated msgpack");
    }

    private int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    private int u16() {
      return (u8() << 8) | u8();
    }

    private long u32() {
      return ((long) u16() << 16) | u16();
    }

    private long u64() {
      return (u32() << 32) | u32();
    }
  }

  /** Canonical encoding: map keys (strings) in byte order, smallest forms. */
  static byte[] encodeCanonical(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(out, value);
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static void write(ByteArrayOutputStream out, Object v) {
    if (v == null) {
      out.write(0xc0);
    } else if (v instanceof Boolean bool) {
      out.write(bool ? 0xc3 : 0xc2);
    } else if (v instanceof Long || v instanceof Integer) {
      writeInt(out, ((Number) v).longValue());
    } else if (v instanceof BigInteger big) {
      if (big.signum() < 0 || big.bitLength() > 64) throw new IllegalArgumentException("integer out of uint64 range");
      out.write(0xcf);
      writeN(out, big.longValue(), 8);
    } else if (v instanceof String s) {
      byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
      int n = bytes.length;
      if (n < 32) out.write(0xa0 | n);
      else if (n < 256) { out.write(0xd9); out.write(n); }
      else if (n < 65536) { out.write(0xda); writeN(out, n, 2); }
      else { out.write(0xdb); writeN(out, n, 4); }
      out.writeBytes(bytes);
    } else if (v instanceof byte[] bytes) {
      int n = bytes.length;
      if (n < 256) { out.write(0xc4); out.write(n); }
      else if (n < 65536) { out.write(0xc5); writeN(out, n, 2); }
      else { out.write(0xc6); writeN(out, n, 4); }
      out.writeBytes(bytes);
    } else if (v instanceof List<?> list) {
      int n = list.size();
      if (n < 16) out.write(0x90 | n);
      else if (n < 65536) { out.write(0xdc); writeN(out, n, 2); }
      else { out.write(0xdd); writeN(out, n, 4); }
      for (Object o : list) write(out, o);
    } else if (v instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) throw new IllegalArgumentException("canonical maps here have string keys");
        sorted.put(key, e.getValue());
      }
      int n = sorted.size();
      if (n < 16) out.write(0x80 | n);
      else if (n < 65536) { out.write(0xde); writeN(out, n, 2); }
      else { out.write(0xdf); writeN(out, n, 4); }
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        write(out, e.getKey());
        write(out, e.getValue());
      }
    } else {
      throw new IllegalArgumentException("cannot encode " + v.getClass().getSimpleName());
    }
  }

  private static void writeInt(ByteArrayOutputStream out, long v) {
    if (v >= 0) {
      if (v < 128) out.write((int) v);
      else if (v < 256) { out.write(0xcc); out.write((int) v); }
      else if (v < 65536) { out.write(0xcd); writeN(out, v, 2); }
      else if (v < 4294967296L) { out.write(0xce); writeN(out, v, 4); }
      else { out.write(0xcf); writeN(out, v, 8); }
    } else {
      if (v >= -32) out.write((int) v & 0xff);
      else if (v >= Byte.MIN_VALUE) { out.write(0xd0); out.write((int) v & 0xff); }
      else if (v >= Short.MIN_VALUE) { out.write(0xd1); writeN(out, v, 2); }
      else if (v >= Integer.MIN_VALUE) { out.write(0xd2); writeN(out, v, 4); }
      else { out.write(0xd3); writeN(out, v, 8); }
    }
  }

  private static void writeN(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)) & 0xff);
  }
}
