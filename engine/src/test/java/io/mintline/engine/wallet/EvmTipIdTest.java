package io.mintline.engine.wallet;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** EVM tip ids: their form, their chain, and keyset cursors over them. */
class EvmTipIdTest {
  private static final String HASH = "0xABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";

  @Test
  void anEvmTipIdNamesChainTransactionAndPosition() {
    String id = TipReceived.evmTipId(31337, HASH, 2);
    assertEquals("evm:31337:" + HASH.toLowerCase() + ":2", id);
    assertTrue(TipReceived.evm(id));
    assertEquals("evm", TipReceived.chainOf(id));
    assertEquals("algorand", TipReceived.chainOf("NQ5KHQ3ALJ2FZJ3WNKUMCBQ3CYNHGNXQVXHDVAVPUPQIOHZZOQYA"));
    assertTrue(id.length() <= 128, "fits tips.tx_id");
  }

  @Test
  void cursorsRoundTripOverBothChainsAndRefuseAnythingElse() {
    String evm = TipReceived.evmTipId(31337, HASH, 0);
    TipReadSide.After after = new TipReadSide.After(120, evm, TipReceived.Direction.RECEIVED);
    assertEquals(after, TipReadSide.After.decode(after.encode()));
    TipReadSide.After algorand = new TipReadSide.After(7, "NQ5KHQ3ALJ2FZJ3WNKUMCBQ3CYNHGNXQVXHDVAVPUPQIOHZZOQYA",
        TipReceived.Direction.SENT);
    assertEquals(algorand, TipReadSide.After.decode(algorand.encode()));
    // A cursor's txid is placed in SQL as it is: nothing but the two strict forms passes.
    String injected = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(("1.evm:1:0x" + "a".repeat(64) + ":0' OR '1'='1.r").getBytes());
    assertThrows(IllegalArgumentException.class, () -> TipReadSide.After.decode(injected));
  }
}
