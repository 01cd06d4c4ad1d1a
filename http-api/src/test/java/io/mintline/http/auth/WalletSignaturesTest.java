package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Signature text: 0x-hex or base64, told apart even when base64 happens to start with "0x". */
class WalletSignaturesTest {

  @Test
  void hexAndBase64Decode() {
    byte[] bytes = HexFormat.of().parseHex("00ff10");
    assertArrayEquals(bytes, WalletSignatures.decode("0x00FF10"));
    assertArrayEquals(bytes, WalletSignatures.decode(Base64.getEncoder().encodeToString(bytes)));
  }

  @Test
  void base64ThatStartsWith0xIsBase64() {
    String text = "0x" + "A".repeat(84) + "==";
    byte[] bytes = Base64.getDecoder().decode(text);
    assertEquals(64, bytes.length);
    assertArrayEquals(bytes, WalletSignatures.decode(text));
  }

  @Test
  void garbageIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> WalletSignatures.decode("not base64!"));
    assertThrows(IllegalArgumentException.class, () -> WalletSignatures.decode(""));
  }
}
