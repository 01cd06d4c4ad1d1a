package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import org.junit.jupiter.api.Test;

class WalletAddressTest {

  @Test
  void acceptsAnAlgorandAddressWithItsChecksum() throws Exception {
    String address = new Account().getAddress().encodeAsString();
    WalletAddress parsed = WalletAddress.parse(address);
    assertEquals(WalletAddress.Chain.ALGORAND, parsed.chain());
    assertEquals(address, parsed.value());
  }

  @Test
  void refusesAnAlgorandAddressWithABrokenChecksum() throws Exception {
    String address = new Account().getAddress().encodeAsString();
    // A character inside the public key part: the last one also holds two padding bits, and changing
    // only those leaves the decoded bytes (and so the checksum) as they were.
    char c = address.charAt(10);
    String broken = address.substring(0, 10) + (c == 'A' ? 'B' : 'A') + address.substring(11);
    var e = assertThrows(WalletAddress.InvalidAddressException.class, () -> WalletAddress.parse(broken));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void evmAddressesAreCanonicalisedToEip55() {
    // Test vector from EIP-55.
    String canonical = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    assertEquals(canonical, WalletAddress.parse(canonical.toLowerCase()).value());
    assertEquals(canonical, WalletAddress.parse(canonical).value());
    assertEquals(WalletAddress.Chain.EVM, WalletAddress.parse(canonical).chain());
  }

  @Test
  void refusesAMixedCaseEvmAddressWithAWrongChecksum() {
    String wrong = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    assertThrows(WalletAddress.InvalidAddressException.class, () -> WalletAddress.parse(wrong));
  }

  @Test
  void refusesThingsThatAreNotAddresses() {
    for (String bad : new String[] {"", "  ", "hello", "0x1234", "0xZZaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}) {
      assertThrows(WalletAddress.InvalidAddressException.class, () -> WalletAddress.parse(bad), bad);
    }
    assertThrows(WalletAddress.InvalidAddressException.class, () -> WalletAddress.parse(null));
  }
}
