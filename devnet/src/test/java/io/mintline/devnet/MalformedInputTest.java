package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Signature;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.devnet.wire.Msgpack;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken request bodies: each gets a 400 with a JSON message, never a 5xx, and the
 * ledger (balances, round, the txid) stays as it was.
 */
class MalformedInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestChain chain;
  private static final byte[] SENDER_SEED = new byte[32];
  private static Account sender;
  private static Address receiver;
  private long senderBalance;
  private long round;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.instant();
    new Random().nextBytes(SENDER_SEED);
    sender = new Account(SENDER_SEED);
    chain.waitConfirmed(chain.devnet.fund(sender.getAddress().toString(), 10_000_000));
    receiver = new Account().getAddress();
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  @BeforeEach
  void remember() throws Exception {
    senderBalance = chain.balance(sender.getAddress());
    round = chain.devnet.currentRound();
  }

  private void assertUnchanged() throws Exception {
    assertEquals(senderBalance, chain.balance(sender.getAddress()));
    assertEquals(0L, chain.balance(receiver));
    assertEquals(round, chain.devnet.currentRound());
  }

  private String refused(byte[] body) throws Exception {
    HttpResponse<String> r = chain.post("/v2/transactions", "application/x-binary", body);
    assertEquals(400, r.statusCode(), r.body());
    String message = JSON.readTree(r.body()).get("message").asText();
    assertUnchanged();
    return message;
  }

  private SignedTransaction payment() throws Exception {
    return sender.signTransaction(chain.pay(sender, receiver, 1_000_000).build());
  }

  @Test
  void garbageBytes() throws Exception {
    byte[] garbage = new byte[300];
    new Random(7).nextBytes(garbage);
    assertTrue(refused(garbage).contains("msgpack decode error"));
    assertTrue(refused("hello, algod".getBytes(StandardCharsets.UTF_8)).contains("msgpack"));
  }

  @Test
  void emptyBody() throws Exception {
    assertTrue(refused(new byte[0]).contains("empty"));
  }

  @Test
  void truncatedMsgpack() throws Exception {
    byte[] full = Encoder.encodeToMsgPack(payment());
    for (int cut : new int[] {1, full.length / 2, full.length - 1}) {
      refused(Arrays.copyOf(full, cut));
    }
  }

  @Test
  void validTransactionFollowedByGarbageIsRefusedWhole() throws Exception {
    SignedTransaction stx = payment();
    byte[] full = Encoder.encodeToMsgPack(stx);
    byte[] body = Arrays.copyOf(full, full.length + 3);
    body[full.length] = (byte) 0xc1; // never used in msgpack
    refused(body);
    assertEquals(404, chain.algod.PendingTransactionInformation(stx.transactionID).execute().code());
  }

  @Test
  void oversizeBody() throws Exception {
    byte[] big = new byte[AlgodHttpApi.MAX_BODY_BYTES + 1];
    assertTrue(refused(big).contains("too large"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void unknownFieldInTheSignedTransaction() throws Exception {
    Map<String, Object> stx = (Map<String, Object>) Msgpack.decode(Encoder.encodeToMsgPack(payment()));
    stx.put("zzz", 1L);
    String message = refused(Msgpack.encode(stx));
    assertTrue(message.contains("msgpack decode error") && message.contains("zzz"), message);
  }

  @Test
  @SuppressWarnings("unchecked")
  void unknownFieldInsideTheSignedTxnBytes() throws Exception {
    // Signed correctly over bytes that carry an extra field: algosdk would drop it on decode, so
    // the devnet must refuse rather than check the signature over other bytes.
    Map<String, Object> stx = (Map<String, Object>) Msgpack.decode(Encoder.encodeToMsgPack(payment()));
    Map<String, Object> txn = (Map<String, Object>) stx.get("txn");
    txn.put("xtra", "surprise");
    byte[] txnBytes = Msgpack.encode(txn);
    Signature sig = signTx(txnBytes);
    stx.put("sig", sig.getBytes());
    refused(Msgpack.encode(stx));
  }

  /** Ed25519 over "TX" ‖ bytes, as algod verifies it. */
  private static Signature signTx(byte[] txnBytes) throws Exception {
    byte[] message = new byte[txnBytes.length + 2];
    message[0] = 'T';
    message[1] = 'X';
    System.arraycopy(txnBytes, 0, message, 2, txnBytes.length);
    byte[] sig = new byte[64];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(SENDER_SEED, 0, message, 0, message.length, sig, 0);
    return new Signature(sig);
  }

  @Test
  void notASignedTransaction() throws Exception {
    refused(Msgpack.encode(7L));
    refused(Msgpack.encode(Map.of("txn", Map.of("type", "pay"))));
    refused(Msgpack.encode(Map.of("hello", "world")));
  }

  @Test
  void deeplyNestedMsgpack() throws Exception {
    byte[] body = new byte[100_000];
    Arrays.fill(body, (byte) 0x91); // arrays of arrays of arrays...
    refused(body);
  }

  @Test
  void everySingleByteMutationOfASignedPaymentIsRefused() throws Exception {
    byte[] good = Encoder.encodeToMsgPack(payment());
    Random random = new Random(42);
    for (int i = 0; i < 150; i++) {
      byte[] bad = good.clone();
      int at = random.nextInt(bad.length);
      bad[at] = (byte) (bad[at] ^ (1 + random.nextInt(255)));
      HttpResponse<String> r = chain.post("/v2/transactions", "application/x-binary", bad);
      assertEquals(400, r.statusCode(), "mutation at byte " + at + ": " + r.body());
    }
    assertUnchanged();
  }

  @Test
  void hugeFeesInAGroupAreRefusedNotOverflowed() throws Exception {
    com.algorand.algosdk.transaction.Transaction t1 = chain.pay(sender, receiver, 1_000_000).build();
    com.algorand.algosdk.transaction.Transaction t2 = chain.pay(sender, receiver, 2_000_000).build();
    t1.fee = java.math.BigInteger.valueOf(Long.MAX_VALUE / 2 + 1);
    t2.fee = java.math.BigInteger.valueOf(Long.MAX_VALUE / 2 + 1);
    com.algorand.algosdk.transaction.TxGroup.assignGroupID(t1, t2);
    refused(TestChain.bytes(sender.signTransaction(t1), sender.signTransaction(t2)));
  }

  @Test
  void badPathParametersAre400Or404NotServerErrors() throws Exception {
    assertEquals(400, chain.get("/v2/blocks/abc", true).statusCode());
    assertEquals(400, chain.get("/v2/blocks/-1", true).statusCode());
    assertEquals(400, chain.get("/v2/status/wait-for-block-after/x", true).statusCode());
    assertEquals(400, chain.get("/v2/assets/99999999999999999999", true).statusCode());
    assertEquals(400, chain.get("/v2/accounts/" + "A".repeat(58) + "/assets/1", true).statusCode());
    assertEquals(404, chain.get("/v2/nothing-here", true).statusCode());
    assertEquals(404, chain.get("/v3/status", true).statusCode());
    assertEquals(405, chain.post("/v2/status", "application/json", new byte[0]).statusCode());
    assertEquals(400, chain.post("/devnet/fund", "application/json", "{not json".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertUnchanged();
  }
}
