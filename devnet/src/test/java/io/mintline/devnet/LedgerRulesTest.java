package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.crypto.Ed25519PublicKey;
import com.algorand.algosdk.crypto.MultisigAddress;
import com.algorand.algosdk.crypto.TEALProgram;
import com.algorand.algosdk.logic.StateSchema;
import com.algorand.algosdk.transaction.Lease;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.transaction.TxGroup;
import com.algorand.algosdk.v2.client.model.PendingTransactionResponse;
import com.algorand.algosdk.v2.client.model.TransactionParametersResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One rejected input per ledger rule, each answered 400 with algod's message and leaving balances
 * and the txid unknown, next to the accepted case that shows the rule is not simply "refuse".
 */
class LedgerRulesTest {

  private static TestChain chain;

  @BeforeAll
  static void start() {
    chain = TestChain.instant();
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  /** Submits, expects a 400 containing {@code expected}, and checks nothing moved. */
  private static String refused(String expected, List<Address> watched, SignedTransaction... group)
      throws Exception {
    Map<Address, Long> before = new LinkedHashMap<>();
    for (Address a : watched) {
      before.put(a, chain.balance(a));
    }
    long round = chain.devnet.currentRound();
    String message = chain.rejected(group);
    assertTrue(message.contains(expected), "expected '" + expected + "' in " + message);
    for (SignedTransaction s : group) {
      assertEquals(404, chain.algod.PendingTransactionInformation(s.transactionID).execute().code(),
          "a refused transaction must stay unknown");
    }
    for (Address a : watched) {
      assertEquals(before.get(a), chain.balance(a), "balance of " + a + " changed");
    }
    assertEquals(round, chain.devnet.currentRound());
    return message;
  }

  private static TransactionParametersResponse params() throws Exception {
    return chain.params();
  }

  @Test
  void signatureMustBeTheSendersKey() throws Exception {
    Account sender = chain.funded(1_000_000);
    Account impostor = new Account();
    Account to = new Account();
    Transaction tx = chain.pay(sender, to.getAddress(), 200_000).build();
    SignedTransaction forged = impostor.signTransaction(tx);
    // Same transaction, signature by the wrong key: the SDK lets this through, the chain must not.
    refused("signature didn't pass verification", List.of(sender.getAddress()),
        new SignedTransaction(tx, forged.sig, forged.transactionID));

    SignedTransaction good = sender.signTransaction(tx);
    byte[] sig = good.sig.getBytes().clone();
    sig[5] ^= 1;
    refused("signature", List.of(sender.getAddress()),
        new SignedTransaction(tx, new com.algorand.algosdk.crypto.Signature(sig), good.transactionID));
    chain.confirm(good);
  }

  @Test
  void multisigNeedsThresholdValidSignatures() throws Exception {
    Account a = new Account();
    Account b = new Account();
    Account c = new Account();
    MultisigAddress msa = new MultisigAddress(1, 2, List.of(
        new Ed25519PublicKey(a.getClearTextPublicKey()), new Ed25519PublicKey(b.getClearTextPublicKey()),
        new Ed25519PublicKey(c.getClearTextPublicKey())));
    Address ms = msa.toAddress();
    chain.waitConfirmed(chain.devnet.fund(ms.toString(), 2_000_000));
    Address to = new Account().getAddress();
    Transaction tx = Transaction.PaymentTransactionBuilder().sender(ms).receiver(to).amount(500_000)
        .suggestedParams(params()).build();
    SignedTransaction one = a.signMultisigTransaction(msa, tx);
    refused("threshold", List.of(ms), one);

    SignedTransaction two = b.appendMultisigTransaction(msa, one);
    chain.confirm(two);
    assertEquals(500_000L, chain.balance(to));
  }

  @Test
  @SuppressWarnings("unchecked")
  void logicSignaturesAreRefusedBecauseTealIsNotExecuted() throws Exception {
    // Built as raw msgpack: algosdk-java's own LogicsigSignature needs BouncyCastle classes that
    // bcprov-jdk18on does not ship.
    byte[] program = {0x06, (byte) 0x81, 0x01};
    Address escrow = new Address(io.mintline.devnet.wire.Hashes.sha512_256(
        "Program".getBytes(java.nio.charset.StandardCharsets.US_ASCII), program));
    chain.waitConfirmed(chain.devnet.fund(escrow.toString(), 1_000_000));
    Transaction tx = Transaction.PaymentTransactionBuilder().sender(escrow)
        .receiver(new Account().getAddress()).amount(200_000).suggestedParams(params()).build();
    Map<String, Object> stx = new LinkedHashMap<>();
    stx.put("lsig", Map.of("l", program));
    stx.put("txn", io.mintline.devnet.wire.Msgpack.decode(com.algorand.algosdk.util.Encoder.encodeToMsgPack(tx)));
    String message = chain.rejected(io.mintline.devnet.wire.Msgpack.encode(stx));
    assertTrue(message.contains("TEAL") || message.contains("msgpack decode error"), message);
    assertEquals(1_000_000L, chain.balance(escrow));
  }

  @Test
  void rekeyedAccountSignsWithItsAuthAddress() throws Exception {
    Account owner = chain.funded(3_000_000);
    Account newKey = new Account();
    Address to = new Account().getAddress();
    chain.confirm(owner.signTransaction(chain.pay(owner, owner.getAddress(), 0)
        .rekey(newKey.getAddress()).build()));
    assertEquals(newKey.getAddress(),
        chain.algod.AccountInformation(owner.getAddress()).execute().body().authAddr);

    refused("should have been authorized by " + newKey.getAddress(), List.of(owner.getAddress()),
        owner.signTransaction(chain.pay(owner, to, 200_000).build()));

    SignedTransaction byNewKey = newKey.signTransaction(chain.pay(owner, to, 200_000).build());
    byNewKey.authAddr(newKey.getAddress());
    chain.confirm(byNewKey);
    assertEquals(200_000L, chain.balance(to));

    // Rekey back to itself: the old key works again and auth-addr is gone.
    SignedTransaction back = newKey.signTransaction(chain.pay(owner, owner.getAddress(), 0)
        .rekey(owner.getAddress()).build());
    back.authAddr(newKey.getAddress());
    chain.confirm(back);
    assertNull(chain.algod.AccountInformation(owner.getAddress()).execute().body().authAddr);
    chain.confirm(owner.signTransaction(chain.pay(owner, to, 1).build()));
  }

  @Test
  void genesisIdAndHashMustMatch() throws Exception {
    Account sender = chain.funded(1_000_000);
    Address to = new Account().getAddress();
    Transaction wrongId = chain.pay(sender, to, 200_000).genesisID("mainnet-v1.0").build();
    refused("genesis ID mismatch", List.of(sender.getAddress()), sender.signTransaction(wrongId));
    byte[] other = new byte[32];
    Arrays.fill(other, (byte) 7);
    Transaction wrongHash = chain.pay(sender, to, 200_000).genesisHash(new Digest(other)).build();
    refused("genesis hash mismatch", List.of(sender.getAddress()), sender.signTransaction(wrongHash));
  }

  @Test
  void validityWindowIsAtMostAThousandRoundsAndMustContainTheNextRound() throws Exception {
    Account sender = chain.funded(1_000_000);
    Address to = new Account().getAddress();
    long round = chain.devnet.currentRound();
    refused("window size excessive", List.of(sender.getAddress()), sender.signTransaction(
        chain.pay(sender, to, 200_000).firstValid(round).lastValid(round + 1001).build()));
    refused("txn dead", List.of(sender.getAddress()), sender.signTransaction(
        chain.pay(sender, to, 200_000).firstValid(round + 5).lastValid(round + 10).build()));
    // Make a few rounds so a window can lie in the past.
    while (chain.devnet.currentRound() < 3) {
      chain.funded(100_000);
    }
    long now = chain.devnet.currentRound();
    refused("txn dead", List.of(sender.getAddress()), sender.signTransaction(
        chain.pay(sender, to, 200_000).firstValid(0).lastValid(now - 1).build()));
  }

  @Test
  void feeMustBeAtLeastTheMinimum() throws Exception {
    Account sender = chain.funded(1_000_000);
    Address to = new Account().getAddress();
    Transaction tx = chain.pay(sender, to, 200_000).build();
    tx.fee = java.math.BigInteger.valueOf(999);
    refused("less than the minimum 1000", List.of(sender.getAddress()), sender.signTransaction(tx));
  }

  @Test
  void duplicateTxidIsAlreadyInLedger() throws Exception {
    Account sender = chain.funded(1_000_000);
    SignedTransaction stx = sender.signTransaction(chain.pay(sender, new Account().getAddress(), 200_000).build());
    chain.confirm(stx);
    long balance = chain.balance(sender.getAddress());
    String message = chain.rejected(stx);
    assertTrue(message.contains("transaction already in ledger: " + stx.transactionID), message);
    assertEquals(balance, chain.balance(sender.getAddress()));
  }

  @Test
  void leaseIsExclusiveUntilLastValid() throws Exception {
    Account sender = chain.funded(2_000_000);
    Lease lease = new Lease();
    chain.confirm(sender.signTransaction(chain.pay(sender, new Account().getAddress(), 200_000)
        .lease(lease).build()));
    refused("overlapping lease", List.of(sender.getAddress()), sender.signTransaction(
        chain.pay(sender, new Account().getAddress(), 300_000).lease(lease).build()));
    // A different lease from the same sender is fine.
    chain.confirm(sender.signTransaction(chain.pay(sender, new Account().getAddress(), 200_000)
        .lease(new Lease()).build()));
  }

  @Test
  void balancesEnforceOverspendMinimumBalanceAndCloseTo() throws Exception {
    Account sender = chain.funded(1_000_000);
    Address to = new Account().getAddress();
    refused("overspend", List.of(sender.getAddress(), to),
        sender.signTransaction(chain.pay(sender, to, 1_000_000).build()));
    refused("below min", List.of(sender.getAddress(), to),
        sender.signTransaction(chain.pay(sender, to, 950_000).build()));
    refused("below min 100000", List.of(sender.getAddress(), to),
        sender.signTransaction(chain.pay(sender, to, 99_999).build()));

    Address closeTo = new Account().getAddress();
    PendingTransactionResponse p = chain.confirm(sender.signTransaction(
        chain.pay(sender, to, 200_000).closeRemainderTo(closeTo).build()));
    assertEquals(799_000L, p.closingAmount);
    assertEquals(0L, chain.balance(sender.getAddress()));
    assertEquals(200_000L, chain.balance(to));
    assertEquals(799_000L, chain.balance(closeTo));
  }

  @Test
  void assetLifecycleRules() throws Exception {
    Account manager = chain.funded(5_000_000);
    Account fan = chain.funded(1_000_000);
    Account other = chain.funded(1_000_000);
    long id = chain.confirm(manager.signTransaction(Transaction.AssetCreateTransactionBuilder()
        .sender(manager.getAddress()).assetTotal(10).assetDecimals(0).assetUnitName("GOLD")
        .assetName("Golden sticker").defaultFrozen(true).manager(manager.getAddress())
        .reserve(manager.getAddress()).freeze(manager.getAddress()).clawback(manager.getAddress())
        .suggestedParams(params()).build())).assetIndex;

    // Transfer to an account that has not opted in.
    refused("missing from " + fan.getAddress(), List.of(manager.getAddress()),
        manager.signTransaction(xfer(manager, fan.getAddress(), id, 1)));

    // Opt in (default-frozen), deliver by clawback, which ignores the freeze.
    chain.confirm(fan.signTransaction(Transaction.AssetAcceptTransactionBuilder()
        .acceptingAccount(fan.getAddress()).assetIndex(id).suggestedParams(params()).build()));
    assertTrue(chain.algod.AccountAssetInformation(fan.getAddress(), id).execute().body().assetHolding.isFrozen);
    chain.confirm(manager.signTransaction(Transaction.AssetClawbackTransactionBuilder()
        .sender(manager.getAddress()).assetClawbackFrom(manager.getAddress())
        .assetReceiver(fan.getAddress()).assetAmount(2).assetIndex(id).suggestedParams(params()).build()));
    assertEquals(2L, chain.algod.AccountAssetInformation(fan.getAddress(), id).execute().body()
        .assetHolding.amount.longValue());

    // The frozen holder cannot pass it on (the receiver has opted in, so only the freeze refuses).
    chain.confirm(other.signTransaction(Transaction.AssetAcceptTransactionBuilder()
        .acceptingAccount(other.getAddress()).assetIndex(id).suggestedParams(params()).build()));
    refused("frozen in " + fan.getAddress(), List.of(fan.getAddress()),
        fan.signTransaction(xfer(fan, other.getAddress(), id, 1)));

    // Only the clawback address may claw back; only the freeze address may freeze.
    refused("clawback not allowed", List.of(fan.getAddress()),
        fan.signTransaction(Transaction.AssetClawbackTransactionBuilder().sender(fan.getAddress())
            .assetClawbackFrom(manager.getAddress()).assetReceiver(fan.getAddress()).assetAmount(1)
            .assetIndex(id).suggestedParams(params()).build()));
    refused("freeze not allowed", List.of(fan.getAddress()),
        fan.signTransaction(Transaction.AssetFreezeTransactionBuilder().sender(fan.getAddress())
            .freezeTarget(fan.getAddress()).freezeState(false).assetIndex(id)
            .suggestedParams(params()).build()));
    // Unfrozen by the freeze address, the same transfer goes through. (other is also frozen by default)
    for (Account acct : List.of(fan, other)) {
      chain.confirm(manager.signTransaction(Transaction.AssetFreezeTransactionBuilder()
          .sender(manager.getAddress()).freezeTarget(acct.getAddress()).freezeState(false)
          .assetIndex(id).suggestedParams(params()).build()));
    }
    chain.confirm(fan.signTransaction(xfer(fan, other.getAddress(), id, 1)));

    // Reconfigure only by the manager; destroy only when the creator holds everything.
    refused("should be issued by the manager", List.of(fan.getAddress()),
        fan.signTransaction(Transaction.AssetConfigureTransactionBuilder().sender(fan.getAddress())
            .assetIndex(id).manager(fan.getAddress()).reserve(fan.getAddress())
            .freeze(fan.getAddress()).clawback(fan.getAddress()).suggestedParams(params()).build()));
    refused("cannot destroy asset", List.of(manager.getAddress()),
        manager.signTransaction(Transaction.AssetDestroyTransactionBuilder()
            .sender(manager.getAddress()).assetIndex(id).suggestedParams(params()).build()));
    Account newManager = new Account();
    chain.confirm(manager.signTransaction(Transaction.AssetConfigureTransactionBuilder()
        .sender(manager.getAddress()).assetIndex(id).manager(newManager.getAddress())
        .reserve(manager.getAddress()).freeze(manager.getAddress()).clawback(manager.getAddress())
        .suggestedParams(params()).build()));
    assertEquals(newManager.getAddress().toString(),
        chain.algod.GetAssetByID(id).execute().body().params.manager);
  }

  @Test
  void assetCloseOutReturnsTheRestToTheCreatorEvenWhenFrozen() throws Exception {
    Account creator = chain.funded(3_000_000);
    Account fan = chain.funded(1_000_000);
    long id = chain.confirm(creator.signTransaction(Transaction.AssetCreateTransactionBuilder()
        .sender(creator.getAddress()).assetTotal(5).assetDecimals(0).defaultFrozen(true)
        .manager(creator.getAddress()).freeze(creator.getAddress()).clawback(creator.getAddress())
        .suggestedParams(params()).build())).assetIndex;
    chain.confirm(fan.signTransaction(Transaction.AssetAcceptTransactionBuilder()
        .acceptingAccount(fan.getAddress()).assetIndex(id).suggestedParams(params()).build()));
    chain.confirm(creator.signTransaction(Transaction.AssetClawbackTransactionBuilder()
        .sender(creator.getAddress()).assetClawbackFrom(creator.getAddress())
        .assetReceiver(fan.getAddress()).assetAmount(3).assetIndex(id).suggestedParams(params()).build()));
    assertEquals(200_000L, chain.algod.AccountInformation(creator.getAddress()).execute().body().minBalance);
    assertEquals(200_000L, chain.algod.AccountInformation(fan.getAddress()).execute().body().minBalance);

    // The creator cannot close out its own asset.
    refused("allocating account", List.of(creator.getAddress()), creator.signTransaction(
        Transaction.AssetTransferTransactionBuilder().sender(creator.getAddress())
            .assetReceiver(creator.getAddress()).assetAmount(0).assetCloseTo(fan.getAddress())
            .assetIndex(id).suggestedParams(params()).build()));

    PendingTransactionResponse p = chain.confirm(fan.signTransaction(
        Transaction.AssetTransferTransactionBuilder().sender(fan.getAddress())
            .assetReceiver(fan.getAddress()).assetAmount(0).assetCloseTo(creator.getAddress())
            .assetIndex(id).suggestedParams(params()).build()));
    assertEquals(3L, p.assetClosingAmount);
    assertEquals(404, chain.algod.AccountAssetInformation(fan.getAddress(), id).execute().code());
    assertEquals(100_000L, chain.algod.AccountInformation(fan.getAddress()).execute().body().minBalance);
    assertEquals(5L, chain.algod.AccountAssetInformation(creator.getAddress(), id).execute().body()
        .assetHolding.amount.longValue());
  }

  @Test
  void assetParameterLimits() throws Exception {
    Account creator = chain.funded(1_000_000);
    Transaction tx = Transaction.AssetCreateTransactionBuilder().sender(creator.getAddress())
        .assetTotal(1).assetDecimals(0).assetUnitName("OK").assetName("ok")
        .suggestedParams(params()).build();
    tx.assetParams.url = "https://mintline.io/" + "x".repeat(80);
    String message = refused("", List.of(creator.getAddress()), creator.signTransaction(tx));
    assertTrue(message.contains("url") || message.contains("URL"), message);
  }

  @Test
  void applicationsAreRecordedAndTheirAccountHoldsAlgos() throws Exception {
    Account creator = chain.funded(2_000_000);
    Account user = chain.funded(1_000_000);
    TEALProgram program = new TEALProgram(new byte[] {0x06, (byte) 0x81, 0x01});
    long appId = chain.confirm(creator.signTransaction(Transaction.ApplicationCreateTransactionBuilder()
        .sender(creator.getAddress()).approvalProgram(program).clearStateProgram(program)
        .globalStateSchema(new StateSchema(0, 0)).localStateSchema(new StateSchema(0, 0))
        .suggestedParams(params()).build())).applicationIndex;

    refused("does not exist", List.of(user.getAddress()), user.signTransaction(
        Transaction.ApplicationCallTransactionBuilder().sender(user.getAddress())
            .applicationId(appId + 1_000_000).suggestedParams(params()).build()));

    chain.confirm(user.signTransaction(Transaction.ApplicationOptInTransactionBuilder()
        .sender(user.getAddress()).applicationId(appId).suggestedParams(params()).build()));
    refused("already opted in", List.of(user.getAddress()), user.signTransaction(
        Transaction.ApplicationOptInTransactionBuilder().sender(user.getAddress())
            .applicationId(appId).noteUTF8("again").suggestedParams(params()).build()));

    PendingTransactionResponse call = chain.confirm(user.signTransaction(
        Transaction.ApplicationCallTransactionBuilder().sender(user.getAddress()).applicationId(appId)
            .args(List.of(new byte[] {1, 2, 3})).suggestedParams(params()).build()));
    assertEquals(appId, call.txn.tx.applicationId.longValue());
    assertTrue(Arrays.equals(new byte[] {1, 2, 3}, call.txn.tx.applicationArgs.get(0)));

    Address appAccount = Address.forApplication(appId);
    chain.confirm(creator.signTransaction(chain.pay(creator, appAccount, 500_000).build()));
    assertEquals(500_000L, chain.balance(appAccount));

    refused("only the creator", List.of(user.getAddress()), user.signTransaction(
        Transaction.ApplicationDeleteTransactionBuilder().sender(user.getAddress())
            .applicationId(appId).suggestedParams(params()).build()));
    chain.confirm(creator.signTransaction(Transaction.ApplicationDeleteTransactionBuilder()
        .sender(creator.getAddress()).applicationId(appId).suggestedParams(params()).build()));
    assertEquals(404, chain.algod.GetApplicationByID(appId).execute().code());
  }

  @Test
  void groupsAreAllOrNothingAndMustMatchTheirId() throws Exception {
    Account a = chain.funded(1_000_000);
    Account b = chain.funded(1_000_000);
    Address to = new Account().getAddress();

    // Second member overspends: the first member's payment must not happen either.
    Transaction t1 = chain.pay(a, to, 300_000).build();
    Transaction t2 = chain.pay(b, to, 5_000_000).build();
    TxGroup.assignGroupID(t1, t2);
    refused("overspend", List.of(a.getAddress(), b.getAddress(), to),
        a.signTransaction(t1), b.signTransaction(t2));

    // A member of another group does not belong.
    Transaction u1 = chain.pay(a, to, 300_000).build();
    Transaction u2 = chain.pay(b, to, 300_000).build();
    TxGroup.assignGroupID(u1, u2);
    Transaction v2 = chain.pay(b, to, 300_001).build();
    TxGroup.assignGroupID(chain.pay(a, to, 1).build(), v2);
    refused("group", List.of(a.getAddress(), b.getAddress()), a.signTransaction(u1), b.signTransaction(v2));
    // Half a group is refused too.
    refused("group", List.of(a.getAddress()), a.signTransaction(u1));

    // The whole group lands in one round.
    PendingTransactionResponse p1 = chain.confirm(a.signTransaction(u1), b.signTransaction(u2));
    PendingTransactionResponse p2 = chain.waitConfirmed(b.signTransaction(u2).transactionID);
    assertEquals(p1.confirmedRound, p2.confirmedRound);
    assertEquals(600_000L, chain.balance(to));

    // At most 16.
    List<Transaction> many = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      many.add(chain.pay(a, to, 1).noteUTF8("n" + i).build());
    }
    TxGroup.assignGroupID(many.subList(0, 16).toArray(new Transaction[0]));
    SignedTransaction[] signed = new SignedTransaction[17];
    for (int i = 0; i < 17; i++) {
      signed[i] = a.signTransaction(many.get(i));
    }
    String message = chain.rejected(signed);
    assertTrue(message.contains("16"), message);
  }

  @Test
  void noteIsAtMost1024Bytes() throws Exception {
    Account sender = chain.funded(1_000_000);
    Transaction tx = chain.pay(sender, new Account().getAddress(), 200_000).build();
    tx.note = new byte[1025];
    Arrays.fill(tx.note, (byte) 'x');
    String message = refused("", List.of(sender.getAddress()), sender.signTransaction(tx));
    assertTrue(message.contains("note"), message);
    tx.note = new byte[1024];
    Arrays.fill(tx.note, (byte) 'x');
    chain.confirm(sender.signTransaction(tx));
    assertFalse(message.isEmpty());
  }

  private static Transaction xfer(Account from, Address to, long id, long amount) throws Exception {
    return Transaction.AssetTransferTransactionBuilder().sender(from.getAddress()).assetReceiver(to)
        .assetAmount(amount).assetIndex(id).suggestedParams(params()).build();
  }
}
