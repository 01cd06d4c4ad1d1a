package io.mintline.devnet.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsgpackTest {

  @Test
  void mapsAreWrittenWithSortedKeysAndSmallestIntegers() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("snd", new byte[] {1});
    m.put("amt", 5L);
    m.put("fee", 1000L);
    // fixmap(3) "amt" 5 "fee" uint16(1000) "snd" bin8(1) 0x01
    byte[] expected = {(byte) 0x83, (byte) 0xa3, 'a', 'm', 't', 0x05, (byte) 0xa3, 'f', 'e', 'e',
        (byte) 0xcd, 0x03, (byte) 0xe8, (byte) 0xa3, 's', 'n', 'd', (byte) 0xc4, 0x01, 0x01};
    assertArrayEquals(expected, Msgpack.encode(m));
  }

  @Test
  void decodeRoundTripsAndRefusesWhatAlgodWouldNot() throws IOException {
    byte[] bytes = Msgpack.encode(Map.of("a", List.of(1L, "x", true), "b", Map.of("c", new byte[] {9})));
    assertArrayEquals(bytes, Msgpack.encode(Msgpack.decode(bytes)));
    // duplicate key {"a":1,"a":2}
    assertThrows(IOException.class, () -> Msgpack.decode(new byte[] {(byte) 0x82, (byte) 0xa1, 'a', 1,
        (byte) 0xa1, 'a', 2}));
    // integer key {1: 1}
    assertThrows(IOException.class, () -> Msgpack.decode(new byte[] {(byte) 0x81, 1, 1}));
    // trailing bytes
    assertThrows(IOException.class, () -> Msgpack.decode(new byte[] {1, 2}));
  }

  @Test
  void splitCutsAConcatenatedGroupIntoItsValues() throws IOException {
    byte[] a = Msgpack.encode(Map.of("txn", Map.of("amt", 1L)));
    byte[] b = Msgpack.encode(Map.of("txn", Map.of("amt", 2L)));
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    List<byte[]> parts = Msgpack.split(both, 16);
    assertEquals(2, parts.size());
    assertArrayEquals(a, parts.get(0));
    assertArrayEquals(b, parts.get(1));
    assertThrows(IOException.class, () -> Msgpack.split(both, 1));
    assertThrows(RuntimeException.class, () -> {
      try {
        Msgpack.split(java.util.Arrays.copyOf(both, both.length - 1), 16);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
