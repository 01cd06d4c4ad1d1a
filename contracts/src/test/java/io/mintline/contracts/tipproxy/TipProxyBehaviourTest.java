package io.mintline.contracts.tipproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.contracts.teal.TealMachine;
import io.mintline.contracts.teal.TealMachine.Outcome;
import io.mintline.contracts.teal.TealMachine.Txn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the TipProxy approval program decides, run from its bytecode on {@link TealMachine} (the
 * devnet records app calls but does not execute TEAL).
 */
class TipProxyBehaviourTest {
  static final long APP_ID = 1234;
  static final byte[] APP = TealMachine.appAddress(APP_ID);
  static final byte[] CREATOR = address(1);
  static final byte[] TIPPER = address(2);
  static final byte[] DEPLOYER = address(3);
  static final long NOOP = 0, OPT_IN = 1, CLOSE_OUT = 2, UPDATE = 4, DELETE = 5;
  static final long PAY = 1, APPL = 6;

  TealMachine avm;

  @BeforeEach
  void createAndActivate() {
    avm = new TealMachine(APP_ID);
    Txn create = call(0, DEPLOYER, NOOP, CREATOR, "Ada Creator".getBytes(StandardCharsets.UTF_8));
    create.set("ApplicationID", 0L);
    Outcome created = avm.run(TipProxyProgram.approval(), List.of(create), 0);
    assertTrue(created.approved(), created.failure());
    avm.balances.put(ByteBuffer.wrap(APP), 100_000L); // activation funding
  }

  @Test
  void creationStoresCreatorAndName() {
    assertArrayEquals(CREATOR, (byte[]) avm.globals.get("creator"));
    assertEquals("Ada Creator", new String((byte[]) avm.globals.get("name"), StandardCharsets.UTF_8));
  }

  @Test
  void creationNeedsAnAddressAndAShortName() {
    refused(create(CREATOR));                                   // one argument
    refused(create(new byte[31], "x".getBytes()));              // not an address
    refused(create(CREATOR, new byte[65]));                     // name too long
    assertTrue(create(CREATOR, new byte[64]).approved());
  }

  @Test
  void aTipIsForwardedToTheCreatorAndLogged() {
    Outcome o = tip(TIPPER, APP, 5_000_000, new byte[32]);
    assertTrue(o.approved(), o.failure());
    assertEquals(1, o.inner().size());
    Txn pay = o.inner().get(0);
    assertEquals(PAY, pay.get("TypeEnum"));
    assertArrayEquals(CREATOR, (byte[]) pay.get("Receiver"));
    assertEquals(5_000_000L, pay.get("Amount"));
    assertEquals(0L, pay.get("Fee"), "the caller's pooled fee pays for the inner payment");
    assertEquals(5_000_000L, avm.balance(CREATOR));
    assertEquals(100_000L, avm.balance(APP), "the app keeps only its minimum balance");
    byte[] log = o.logs().get(0);
    assertEquals("tip", new String(log, 0, 3, StandardCharsets.US_ASCII));
    assertArrayEquals(TIPPER, java.util.Arrays.copyOfRange(log, 3, 35));
    assertEquals(5_000_000L, ByteBuffer.wrap(log, 35, 8).getLong());
  }

  @Test
  void aCallWithoutAPaymentToTheAppBeforeItIsRefused() {
    refused(tip(TIPPER, address(9), 5_000_000, new byte[32]), "payment to someone else");
    refused(tip(TIPPER, APP, 5_000_000, address(9)), "payment closes its account elsewhere");
    refused(tip(TIPPER, APP, 0, new byte[32]), "nothing to forward");
    Txn alone = call(0, TIPPER, NOOP);
    refused(avm.run(TipProxyProgram.approval(), List.of(alone), 0), "no payment in the group");
    Txn notPay = call(0, TIPPER, NOOP);
    Txn second = call(1, TIPPER, NOOP);
    refused(avm.run(TipProxyProgram.approval(), List.of(notPay, second), 1), "the txn before is an app call");
  }

  @Test
  void onlyPlainCallsAreAccepted() {
    for (long oc : new long[] {OPT_IN, CLOSE_OUT, UPDATE, DELETE}) {
      Txn pay = payment(TIPPER, APP, 1_000_000, new byte[32]);
      Txn call = call(1, TIPPER, oc);
      refused(avm.run(TipProxyProgram.approval(), List.of(pay, call), 1), "on-completion " + oc);
    }
    Txn odd = call(0, CREATOR, NOOP, "sweep".getBytes());
    refused(avm.run(TipProxyProgram.approval(), List.of(odd), 0));
  }

  @Test
  void theCreatorWithdrawsWhatWasPaidWithoutACall() {
    avm.balances.put(ByteBuffer.wrap(APP), 100_000L + 3_000_000L);
    refused(withdraw(TIPPER), "only the creator");
    Outcome o = withdraw(CREATOR);
    assertTrue(o.approved(), o.failure());
    assertEquals(3_000_000L, avm.balance(CREATOR));
    assertEquals(100_000L, avm.balance(APP));
    refused(withdraw(CREATOR), "nothing left above the minimum balance");
  }

  /** Refused by the program itself (assert, or a zero return), not by a modelling gap. */
  private static void refused(Outcome o, String... why) {
    assertFalse(o.approved(), String.join(" ", why));
    assertTrue(o.failure().startsWith("assert failed") || o.failure().equals("rejected"), o.failure());
  }

  private Outcome create(byte[]... args) {
    TealMachine fresh = new TealMachine(APP_ID + 1);
    Txn create = call(0, DEPLOYER, NOOP, args);
    create.set("ApplicationID", 0L);
    return fresh.run(TipProxyProgram.approval(), List.of(create), 0);
  }

  private Outcome tip(byte[] from, byte[] to, long amount, byte[] closeTo) {
    Txn pay = payment(from, to, amount, closeTo);
    if (java.util.Arrays.equals(to, APP)) avm.balances.merge(ByteBuffer.wrap(APP), amount, Long::sum);
    return avm.run(TipProxyProgram.approval(), List.of(pay, call(1, from, NOOP)), 1);
  }

  private Outcome withdraw(byte[] sender) {
    return avm.run(TipProxyProgram.approval(), List.of(call(0, sender, NOOP, "withdraw".getBytes())), 0);
  }

  private static Txn payment(byte[] from, byte[] to, long amount, byte[] closeTo) {
    return new Txn().set("TypeEnum", PAY).set("Sender", from).set("Receiver", to).set("Amount", amount)
        .set("CloseRemainderTo", closeTo).set("GroupIndex", 0L);
  }

  private static Txn call(long groupIndex, byte[] sender, long onCompletion, byte[]... args) {
    return new Txn().set("TypeEnum", APPL).set("Sender", sender).set("ApplicationID", APP_ID)
        .set("OnCompletion", onCompletion).set("ApplicationArgs", List.of(args)).set("GroupIndex", groupIndex);
  }

  private static byte[] address(int seed) {
    byte[] a = new byte[32];
    new Random(seed).nextBytes(a);
    return a;
  }
}
