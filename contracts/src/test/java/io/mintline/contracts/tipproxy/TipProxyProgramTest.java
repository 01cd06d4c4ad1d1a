package io.mintline.contracts.tipproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.contracts.teal.TealAssembler;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The TipProxy bytecode, byte by byte where it matters, and within what a real node accepts. */
class TipProxyProgramTest {

  @Test
  void clearStateProgramIsVersion10PushOne() {
    // 0x0a = uvarint(10); 0x81 pushint, 0x01.
    assertEquals("0a8101", HexFormat.of().formatHex(TipProxyProgram.clear()));
  }

  @Test
  void approvalProgramOpensWithTheCreationBranch() {
    String hex = HexFormat.of().formatHex(TipProxyProgram.approval());
    String creation = "0a"        // #pragma version 10
        + "3118" + "400030"       // txn ApplicationID; bnz call (+48 bytes: the creation branch below)
        + "311b" + "8102" + "12" + "44"            // txn NumAppArgs; pushint 2; ==; assert
        + "361a00" + "15" + "8120" + "12" + "44"   // txna ApplicationArgs 0; len; pushint 32; ==; assert
        + "361a01" + "15" + "8140" + "0e" + "44"   // txna ApplicationArgs 1; len; pushint 64; <=; assert
        + "8007" + HexFormat.of().formatHex("creator".getBytes()) + "361a00" + "67"  // app_global_put
        + "8004" + HexFormat.of().formatHex("name".getBytes()) + "361a01" + "67"
        + "8101" + "43"                            // pushint 1; return
        + "3119";                                  // call: txn OnCompletion
    assertTrue(hex.startsWith(creation), hex);
    // The tip branch sends one inner payment: itxn_begin, TypeEnum=pay, Receiver, Amount, Fee=0, submit.
    assertTrue(hex.contains("b18101b210800763726561746f7264b2073401b2088100b201b3"), hex);
  }

  @Test
  void fitsOnePageAndIsDeterministic() {
    // Without extra pages approval + clear may hold 2048 bytes together.
    assertTrue(TipProxyProgram.approval().length + TipProxyProgram.clear().length <= 2048);
    assertArrayEquals(TipProxyProgram.approval(), TealAssembler.assemble(TipProxyProgram.approvalSource()));
    assertTrue(TipProxyProgram.approvalSource().startsWith("#pragma version 10"));
    assertEquals(2, TipProxyProgram.GLOBAL_BYTE_SLICES);
  }
}
