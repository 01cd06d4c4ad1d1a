package io.mintline.deploy.algorand;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.crypto.TEALProgram;
import com.algorand.algosdk.logic.StateSchema;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Txids recomputed from msgpack agree with algosdk's, for every transaction shape Mintline sends. */
class TxidsTest {
  static final Digest GH = new Digest(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

  @Test
  void matchesAlgosdkForPaymentsAppsAndAssets() throws Exception {
    Account a = new Account();
    Account b = new Account();
    List<Transaction> txns = List.of(
        Transaction.PaymentTransactionBuilder().sender(a.getAddress()).receiver(b.getAddress()).amount(BigInteger.ONE.shiftLeft(63).add(BigInteger.TEN))
            .flatFee(1000L).firstValid(1).lastValid(1000).genesisID("net-v1").genesisHash(GH).note(new byte[300]).lease(new byte[32]).build(),
        Transaction.ApplicationCreateTransactionBuilder().sender(a.getAddress()).approvalProgram(new TEALProgram(new byte[] {10, (byte) 0x81, 1}))
            .clearStateProgram(new TEALProgram(new byte[] {10, (byte) 0x81, 1})).globalStateSchema(new StateSchema(0, 2)).localStateSchema(new StateSchema(0, 0))
            .args(List.of(b.getAddress().getBytes(), "Zoë ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .flatFee(2000L).firstValid(70_000).lastValid(70_999).genesisID("net-v1").genesisHash(GH).build(),
        Transaction.AssetCreateTransactionBuilder().sender(a.getAddress()).assetTotal(1).assetDecimals(0).defaultFrozen(true)
            .assetName("Gold ★ sticker").assetUnitName("STK").url("https://mintline.example/s/1#arc3").manager(a.getAddress())
            .freeze(a.getAddress()).clawback(a.getAddress()).flatFee(1000L).firstValid(5).lastValid(6).genesisHash(GH).build());
    for (Transaction t : txns) {
      SignedTransaction signed = a.signTransaction(t);
      byte[] bytes = Encoder.encodeToMsgPack(signed);
      assertEquals(t.txID(), Txids.firstTxId(bytes));
      // Decoding and re-encoding canonically gives algosdk's bytes back, byte for byte.
      assertArrayEquals(bytes, Msgpack.encodeCanonical(Msgpack.decode(bytes)));
    }
  }

  @Test
  void reproducesTheGoSdksGoldenSignedPayment() throws Exception {
    // github.com/algorand/go-algorand-sdk, transaction/transaction_test.go, TestMakePaymentTxn: the
    // signed bytes ("golden") and txid an independent implementation pins for this payment
    // (fee 4 µAlgo/byte came to 1176).
    String mnemonic = "advice pudding treat near rule blouse same whisper inner electric quit surface sunny dismiss leader blood "
        + "seat clown cost exist hospital century reform able sponsor";
    String golden = "gqNzaWfEQPhUAZ3xkDDcc8FvOVo6UinzmKBCqs0woYSfodlmBMfQvGbeUx3Srxy3dyJDzv7rLm26BRv9FnL2/AuT7NYfiAWjdHhui6NhbXTNA+ilY2xvc2XEIEDpNJKIJWTLzpxZpptnVCaJ6aHDoqnqW2Wm6KRCH/xXo2ZlZc0EmKJmds0wsqNnZW6sZGV2bmV0LXYzMy4womdoxCAmCyAJoJOohot5WHIvpeVG7eftF+TYXEx4r7BFJpDt0qJsds00mqRub3RlxAjqABVHQ2y/lqNyY3bEIHts4k/rW6zAsWTinCIsV/X2PcOH1DkEglhBHF/hD3wCo3NuZMQg5/D4TQaBHfnzHI2HixFV9GcdUaGFwgCQhmf0SVhwaKGkdHlwZaNwYXk=";
    var signer = io.mintline.deploy.keys.Ed25519Signer.fromMnemonic("test", mnemonic);
    assertEquals("47YPQTIGQEO7T4Y4RWDYWEKV6RTR2UNBQXBABEEGM72ESWDQNCQ52OPASU", signer.address().toString());
    Transaction txn = Transaction.PaymentTransactionBuilder()
        .sender(signer.address())
        .receiver("PNWOET7LLOWMBMLE4KOCELCX6X3D3Q4H2Q4QJASYIEOF7YIPPQBG3YQ5YI")
        .amount(1000)
        .flatFee(1176L)
        .firstValid(12466)
        .lastValid(13466)
        .note(java.util.Base64.getDecoder().decode("6gAVR0Nsv5Y="))
        .closeRemainderTo("IDUTJEUIEVSMXTU4LGTJWZ2UE2E6TIODUKU6UW3FU3UKIQQ77RLUBBBFLA")
        .genesisID("devnet-v33.0")
        .genesisHash(new Digest(java.util.Base64.getDecoder().decode("JgsgCaCTqIaLeVhyL6XlRu3n7Rfk2FxMeK+wRSaQ7dI=")))
        .build();
    byte[] bytes = signer.signToBytes(txn);
    assertEquals(golden, java.util.Base64.getEncoder().encodeToString(bytes));
    assertEquals("5FJDJD5LMZC3EHUYYJNH5I23U4X6H2KXABNDGPIL557ZMJ33GZHQ", Txids.firstTxId(bytes));
  }

  @Test
  void aGroupAnswersItsFirstTxid() throws Exception {
    Account a = new Account();
    Transaction t1 = Transaction.PaymentTransactionBuilder().sender(a.getAddress()).receiver(a.getAddress()).amount(1)
        .flatFee(1000L).firstValid(1).lastValid(10).genesisHash(GH).build();
    Transaction t2 = Transaction.PaymentTransactionBuilder().sender(a.getAddress()).receiver(a.getAddress()).amount(2)
        .flatFee(1000L).firstValid(1).lastValid(10).genesisHash(GH).build();
    byte[] one = Encoder.encodeToMsgPack(a.signTransaction(t1));
    byte[] two = Encoder.encodeToMsgPack(a.signTransaction(t2));
    byte[] group = new byte[one.length + two.length];
    System.arraycopy(one, 0, group, 0, one.length);
    System.arraycopy(two, 0, group, one.length, two.length);
    assertEquals(t1.txID(), Txids.firstTxId(group));
  }

  @Test
  void stringsSurviveEvenWhenTheyAreNotUtf8() {
    byte[] raw = {(byte) 0x81, (byte) 0xa1, 'k', (byte) 0xa2, (byte) 0xff, (byte) 0xfe};
    Object tree = Msgpack.decode(raw);
    assertArrayEquals(raw, Msgpack.encodeCanonical(tree));
    assertEquals(Map.of("k", "\u00ff\u00fe"), tree);
    assertThrows(IllegalArgumentException.class, () -> Msgpack.decode(new byte[] {(byte) 0xc4, 5, 1}));
    assertThrows(IllegalArgumentException.class, () -> Txids.firstTxId(new byte[] {1}));
  }
}
