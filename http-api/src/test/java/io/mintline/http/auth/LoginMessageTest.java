package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.engine.wallet.WalletAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The login message format: what is issued parses back to the same fields, and bad text is refused. */
class LoginMessageTest {
  static final Instant NOW = Instant.parse("2026-11-21T21:00:00.123Z");

  @Test
  void eip4361MessageRoundTrips() {
    WalletAddress address = WalletAddress.parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    LoginMessage issued = LoginMessage.issue(address, "localhost", "Sign in.", LoginMessage.evmNetwork(1), "0123456789abcdef",
        NOW, NOW.plusSeconds(300));
    String text = issued.text();
    assertEquals("""
        localhost wants you to sign in with your Ethereum account:
        0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed

        Sign in.

        URI: https://localhost
        Version: 1
        Chain ID: 1
        Nonce: 0123456789abcdef
        Issued At: 2026-11-21T21:00:00.123Z
        Expiration Time: 2026-11-21T21:05:00.123Z""", text);
    assertEquals(issued, LoginMessage.parse(text));
  }

  @Test
  void algorandMessageRoundTrips() {
    WalletAddress address = WalletAddress.parse("7ZUECA7HFLZTXENRV24SHLU4AVPUTMTTDUFUBNBD64C73F3UHRTHAIOF6Q");
    LoginMessage issued = LoginMessage.issue(address, "app.example:8443", "Sign in.", LoginMessage.algorandNetwork("SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI="),
        "00112233445566778899aabbccddeeff", NOW, NOW.plusSeconds(300));
    assertTrue(issued.text().contains("\nGenesis Hash: SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=\n"), issued.text());
    assertEquals(issued, LoginMessage.parse(issued.text()));
  }

  @Test
  void malformedMessagesSayWhatIsWrong() {
    String good = LoginMessage.issue(WalletAddress.parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), "localhost", "Sign in.",
        LoginMessage.evmNetwork(1), "0123456789abcdef", NOW, NOW.plusSeconds(300)).text();
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(""));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good.replace("Version: 1", "Version: 2")));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good.replace("Chain ID: 1", "Chain ID: x")));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good.replace("Nonce: 0123456789abcdef", "Nonce: short")));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good.replace("Issued At: 2026", "Issued At: yesterday")));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good.replace("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
        "EIP-4361 wants the checksummed address");
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse(good + "\nFoo: bar"));
    assertThrows(LoginMessage.MalformedException.class, () -> LoginMessage.parse("x".repeat(5000)));
  }
}
