package io.mintline.contracts.teal;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The assembler against go-algorand's own vectors: {@code data/transactions/logic/assembler_test.go}
 * in github.com/algorand/go-algorand assembles the "nonsense" programs {@code v1Nonsense} …
 * {@code v7Nonsense} and pins their bytecode ({@code compiled[v]}, {@code v6Compiled},
 * {@code v7Compiled}). Each case below is a run of lines from those programs, limited to what this
 * assembler covers, and the bytes go-algorand produced for exactly those lines, cut from the pinned
 * hex; {@link #V6_COMPILED} keeps the v6 vector so every cut can be seen to come from it.
 */
class TealAssemblerTest {

  /** {@code v6Compiled} from go-algorand's assembler_test.go (a v6 program is "06" + this). */
  static final String V6_COMPILED = "2004010002b7a60c26050242420c68656c6c6f20776f726c6421070123456789abcd208dae2087fbba51304eb02b91f656948397a7946390e8cb70fc9ea4d95f92251d047465737400320032013202320380021234292929292b0431003101310231043105310731083109310a310b310c310d310e310f3111311231133114311533000033000133000233000433000533000733000833000933000a33000b33000c33000d33000e33000f3300113300123300133300143300152d2e01022581f8acd19181cf959a1281f8acd19181cf951a81f8acd19181cf1581f8acd191810f082209240a220b230c240d250e230f2310231123122313231418191a1b1c28171615400003290349483403350222231d4a484848482b50512a632223524100034200004322602261222704634848222862482864286548482228246628226723286828692322700048482371004848361c0037001a0031183119311b311d311e311f312023221e312131223123312431253126312731283129312a312b312c312d312e312f447825225314225427042455220824564c4d4b0222382124391c0081e80780046a6f686e2281d00f23241f880003420001892224902291922494249593a0a1a2a3a4a5a6a7a8a9aaabacadae24af3a00003b003c003d816472064e014f012a57000823810858235b235a2359b03139330039b1b200b322c01a23c1001a2323c21a23c3233e233f8120af06002a494905002a49490700b400b53a03b6b7043cb8033a0c2349c42a9631007300810881088120978101c53a8101c6003a";

  /** The tail {@code v7Compiled} adds to {@link #V6_COMPILED}. */
  static final String V7_TAIL = "5e005f018120af060180070123456789abcd49490501988003012345494984" + "81ffff03d101d000" + "800243218001775c0280018881015d";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      err;global MinTxnFee                                                   | 003200
      global MinTxnFee;global MinBalance;global MaxTxnLife;global ZeroAddress | 3200320132023203
      txn Sender;txn Fee;txn FirstValid;txn LastValid;txn Note;txn Receiver;txn Amount;txn CloseRemainderTo | 31003101310231043105310731083109
      gtxn 0 Sender;gtxn 0 Fee;gtxn 0 FirstValid;gtxn 0 LastValid;gtxn 0 Note;gtxn 0 Receiver;gtxn 0 Amount;gtxn 0 CloseRemainderTo | 330000330001330002330004330005330007330008330009
      btoi;itob;len                                                           | 171615
      pop;load 3;store 2                                                      | 4834033502
      concat                                                                  | 50
      bz there2;b there2;there2:;return                                       | 41000342000043
      balance                                                                 | 60
      app_global_get                                                          | 64
      app_global_put                                                          | 67
      txna Accounts 0;gtxna 0 ApplicationArgs 0;txn ApplicationID;txn OnCompletion;txn NumAppArgs;txn NumAccounts | 361c0037001a0031183119311b311d
      txn RekeyTo                                                             | 3120
      assert;min_balance                                                      | 4478
      gtxns ConfigAsset                                                       | 3821
      gtxnsa Accounts 0                                                       | 391c00
      pushint 1000;pushbytes "john"                                           | 81e80780046a6f686e
      pushint 2000                                                            | 81d00f
      callsub stuff;b next;stuff:;retsub;next:                                | 88000342000189
      log                                                                     | b0
      itxn_begin;itxn_field Sender;itxn_submit                                | b1b200b3
      """)
  void assemblesGoAlgorandsV6NonsenseLinesToTheirPinnedBytes(String lines, String expected) {
    assertTrue(V6_COMPILED.contains(expected), "the expected bytes are cut from v6Compiled");
    assertEquals("06" + expected, TealAssembler.assembleHex("#pragma version 6\n" + lines.replace(';', '\n')));
  }

  @Test
  void pushbytesHexAsInV7Nonsense() {
    // v7Nonsense: "pushbytes 0x4321\npushbytes 0x77\nreplace2 2" → 8002432180017 75c02
    assertTrue(V7_TAIL.contains("800243218001775c02"));
    assertEquals("07" + "80024321800177", TealAssembler.assembleHex("#pragma version 7\npushbytes 0x4321\npushbytes 0x77"));
  }

  @Test
  void singleByteOperatorsAsInV1Nonsense() {
    // v1Nonsense runs "+ intc 0 - intc 2 / intc_0 * intc_1 < intc_2 > intc_3 <= intc 1 >= intc 1 && intc 1
    // || intc 1 == intc 1 != intc 1 !" → 08 22 09 24 0a 22 0b 23 0c 24 0d 25 0e 23 0f 23 10 23 11 23 12 23 13 23 14;
    // without the intc pushes (0x22–0x25) that leaves the operators themselves.
    String vector = "082209240a220b230c240d250e230f2310231123122313231418";
    assertTrue(V6_COMPILED.contains(vector));
    StringBuilder operators = new StringBuilder();
    for (int i = 0; i + 2 <= 50; i += 4) operators.append(vector, i, i + 2);
    assertEquals("08090a0b0c0d0e0f1011121314", operators.toString());
    assertEquals("0a" + operators, TealAssembler.assembleHex("#pragma version 10\n+\n-\n/\n*\n<\n>\n<=\n>=\n&&\n||\n==\n!=\n!"));
  }

  @Test
  void forwardBranchSkipsTheInstructionsBetween() {
    // v1Nonsense: "bnz there / bytec 1 / sha512_256 / dup / there: pop" → 400003 29 03 49 48: the offset
    // counts from the end of the branch. Same distance here with other 1-byte ops.
    assertTrue(V6_COMPILED.contains("4000032903494834"));
    assertEquals("0a" + "400003" + "151649" + "48", TealAssembler.assembleHex("#pragma version 10\nbnz there\nlen\nitob\ndup\nthere:\npop"));
  }

  @Test
  void branchToTheEndAndBackwards() {
    // TestAssembleJumpToTheEnd: a label after the last instruction is legal; the offset is 0.
    assertEquals("0a" + "810140" + "0000", TealAssembler.assembleHex("#pragma version 10\npushint 1\nbnz done\ndone:"));
    // Backwards, as switchCompiled "81018d02fff80000" shows (label0 at 0, pushint 1, switch ending at 8:
    // fff8 = -8): from the end of the b (6) back to top (0) is -6 = 0xfffa.
    assertEquals("0a" + "8101" + "48" + "42fffa", TealAssembler.assembleHex("#pragma version 10\ntop:\npushint 1\npop\nb top"));
  }

  @Test
  void versionPragmaIsTheFirstByteAndVarints() {
    assertEquals("0a8101", TealAssembler.assembleHex("#pragma version 10\npushint 1"));
    assertEquals("0a81ffffffffffffffffff01", TealAssembler.assembleHex("#pragma version 10\npushint 18446744073709551615"));
    assertEquals("0a818001", TealAssembler.assembleHex("#pragma version 10\npushint 0x80"));
    assertEquals("0a8000", TealAssembler.assembleHex("#pragma version 10\npushbytes \"\""));
    assertEquals("0a8003" + HexFormat.of().formatHex("a\"\n".getBytes()), TealAssembler.assembleHex("#pragma version 10\npushbytes \"a\\\"\\n\""));
    assertEquals("0a8101", TealAssembler.assembleHex("#pragma version 10 // comment\n\n  pushint 1 ; // trailing\n"));
    assertEquals("0a81018102", TealAssembler.assembleHex("#pragma version 10\npushint 1; pushint 2"));
    assertEquals("0a800363612f", TealAssembler.assembleHex("#pragma version 10\npushbytes \"ca/\" // a // in a string is not a comment"));
  }

  @Test
  void refusesWhatItCannotAssembleFaithfully() {
    assertMessage("line 2: reference to undefined label nowhere", "#pragma version 10\nbnz nowhere");
    assertMessage("line 3: duplicate label x", "#pragma version 10\nx:\nx:\npushint 1");
    assertMessage("line 2: unknown opcode: keccak256", "#pragma version 10\nkeccak256");
    assertMessage("line 2: 'int' builds constant blocks; write pushint or pushbytes", "#pragma version 10\nint 1");
    assertMessage("line 2: itxn_begin was introduced in v5 (program is v4)", "#pragma version 4\nitxn_begin");
    assertMessage("line 2: global CurrentApplicationAddress was introduced in v5", "#pragma version 4\nglobal CurrentApplicationAddress");
    assertMessage("line 1: a program starts with '#pragma version N'", "pushint 1");
    assertMessage("line 2: unable to parse x as an unsigned integer", "#pragma version 10\npushint x");
    assertMessage("line 2: pushint expects 1 immediate argument, got 2", "#pragma version 10\npushint 3 4");
    assertMessage("line 2: ApplicationArgs is an array field: use txna/gtxnsa with an index", "#pragma version 10\ntxn ApplicationArgs");
    assertMessage("line 2: itxn_field cannot set GroupIndex", "#pragma version 10\nitxn_field GroupIndex");
    assertMessage("line 2: unterminated string", "#pragma version 10\npushbytes \"abc");
    assertMessage("line 1: expected '#pragma version N'", "#pragma versio 10");
    assertMessage("line 1: 11 is out of range 1..10", "#pragma version 11");
  }

  private static void assertMessage(String message, String source) {
    TealAssemblyException e = assertThrows(TealAssemblyException.class, () -> TealAssembler.assemble(source));
    assertEquals(message, e.getMessage());
  }
}
