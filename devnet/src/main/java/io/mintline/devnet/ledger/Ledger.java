package io.mintline.devnet.ledger;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.AssetParams;
import com.algorand.algosdk.transaction.Transaction;
import io.mintline.devnet.wire.Hashes;
import io.mintline.devnet.wire.Rejection;
import io.mintline.devnet.wire.SubmittedTxn;
import io.mintline.devnet.wire.TxnDecoder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The devnet's chain state and its rules. A submitted group is checked and applied to the state
 * at once, all or nothing (an undo log reverts a group that fails part-way); accepted groups wait
 * in the pool until {@link #makeRound} puts them, in order, into the next block. Account, asset
 * and application queries therefore already include pooled transactions, which always make the
 * next rounds. Every method is synchronized: the ledger is one consistent state, and the costly
 * work (decoding, signatures) happens before it is entered.
 */
public final class Ledger {

  /** Minimum balance per account, and per asset held, app created and app opted in to. */
  public static final long MIN_BALANCE = 100_000;
  /** algod's minimum fee per transaction. */
  public static final long MIN_FEE = 1_000;
  /** algod's MaxTxnLife: the most rounds between first and last valid. */
  public static final long MAX_TXN_LIFE = 1_000;
  public static final int MAX_NOTE_BYTES = 1_024;
  /** Ids of created assets and apps come from the transaction counter, which starts here. */
  static final long FIRST_TXN_COUNTER = 1_000;

  private static final byte[] SEED_PREFIX = Hashes.ascii("mintline-devnet-seed");
  private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);

  private final String genesisId;
  private final byte[] genesisHash;
  private final String feeSink;
  private final int maxTxnsPerBlock;

  private final Map<String, AccountState> accounts = new HashMap<>();
  private final Map<Long, AssetState> assets = new HashMap<>();
  private final Map<Long, AppState> apps = new HashMap<>();
  private final Map<String, TxnRecord> txids = new HashMap<>();
  private final Map<String, Long> leases = new HashMap<>();
  private final ArrayDeque<List<TxnRecord>> pool = new ArrayDeque<>();
  private final List<Block> blocks = new ArrayList<>();
  private int pooledTxns;
  private long txnCounter = FIRST_TXN_COUNTER;
  private long lastRoundNanos;

  /** Reverts the mutations of the group being applied; empty between groups. */
  private final ArrayDeque<Runnable> undo = new ArrayDeque<>();

  /**
   * @param allocations genesis balances by address
   * @param feeSink     the address fees are paid to
   */
  public Ledger(String genesisId, byte[] genesisHash, Map<String, Long> allocations, String feeSink,
      int maxTxnsPerBlock, long genesisTimestamp) {
    this.genesisId = genesisId;
    this.genesisHash = genesisHash.clone();
    this.feeSink = feeSink;
    this.maxTxnsPerBlock = maxTxnsPerBlock;
    allocations.forEach((address, amount) -> {
      AccountState a = new AccountState();
      a.amount = amount;
      accounts.put(address, a);
    });
    byte[] seed = Hashes.sha512_256(SEED_PREFIX, genesisHash);
    blocks.add(new Block(0, genesisTimestamp, seed, new byte[32], genesisId, genesisHash,
        txnCounter, List.of()));
    lastRoundNanos = System.nanoTime();
  }

  /**
   * The seed of round r: SHA-512/256("mintline-devnet-seed" ‖ seed(r-1) ‖ uint64be(r)); the seed
   * of round 0 is SHA-512/256("mintline-devnet-seed" ‖ genesis hash).
   */
  public static byte[] nextSeed(byte[] previousSeed, long round) {
    return Hashes.sha512_256(SEED_PREFIX, previousSeed, Hashes.uint64(round));
  }

  // ---------------------------------------------------------------- rounds

  /**
   * Closes the next round with as many pooled groups as fit into {@code maxTxnsPerBlock} (a group
   * is never split).
   */
  public synchronized Block makeRound(long timestampSeconds) {
    Block previous = blocks.get(blocks.size() - 1);
    long round = previous.round() + 1;
    List<TxnRecord> txns = new ArrayList<>();
    while (!pool.isEmpty() && (txns.isEmpty()
        || txns.size() + pool.peekFirst().size() <= maxTxnsPerBlock)) {
      List<TxnRecord> group = pool.pollFirst();
      pooledTxns -= group.size();
      for (TxnRecord t : group) {
        t.confirm(round);
        txns.add(t);
      }
    }
    long counter = txns.isEmpty() ? previous.txnCounter() : txns.get(txns.size() - 1).counter;
    long ts = Math.max(timestampSeconds, previous.timestamp());
    Block block = new Block(round, ts, nextSeed(previous.seed(), round), previous.hash(), genesisId,
        genesisHash, counter, txns);
    blocks.add(block);
    lastRoundNanos = System.nanoTime();
    if ((round & 255) == 0) {
      leases.values().removeIf(lastValid -> lastValid < round);
    }
    return block;
  }

  public synchronized boolean hasPooledTxns() {
    return !pool.isEmpty();
  }

  public synchronized int pooledTxnCount() {
    return pooledTxns;
  }

  public synchronized long lastRound() {
    return blocks.size() - 1L;
  }

  public synchronized long nanosSinceLastRound() {
    return System.nanoTime() - lastRoundNanos;
  }

  public synchronized Block block(long round) {
    return round >= 0 && round < blocks.size() ? blocks.get((int) round) : null;
  }

  public String genesisId() {
    return genesisId;
  }

  public byte[] genesisHash() {
    return genesisHash.clone();
  }

  // ---------------------------------------------------------------- queries

  public synchronized TxnRecord txn(String txid) {
    return txids.get(txid);
  }

  /** Txids the pending endpoint no longer answers for (see {@link #forgetPending()}). */
  private final java.util.Set<String> forgottenPending = new java.util.HashSet<>();

  /**
   * Forgets every transaction known so far in the pending endpoint's view, as real algod does once a
   * transaction left its pool (the blocks still hold the confirmed ones). For tests of code that must
   * not trust the pending pool; not reachable over HTTP.
   */
  public synchronized void forgetPending() {
    forgottenPending.addAll(txids.keySet());
  }

  /** The transaction as {@code /v2/transactions/pending/{txid}} sees it: null once forgotten. */
  public synchronized TxnRecord pending(String txid) {
    return forgottenPending.contains(txid) ? null : txids.get(txid);
  }

  public synchronized AccountSnapshot account(String address) {
    AccountState a = accounts.get(address);
    long round = lastRound();
    if (a == null) {
      return new AccountSnapshot(address, round, 0, 0, null, List.of(), List.of(), List.of(),
          List.of());
    }
    List<AssetState> created = new ArrayList<>();
    a.createdAssets.forEach(id -> created.add(assets.get(id)));
    List<AppState> createdApps = new ArrayList<>();
    a.createdApps.forEach(id -> createdApps.add(apps.get(id)));
    return new AccountSnapshot(address, round, a.amount, a.minBalance(), a.authAddr,
        List.copyOf(a.holdings.values()), created, createdApps, List.copyOf(a.optedInApps));
  }

  public synchronized long balance(String address) {
    AccountState a = accounts.get(address);
    return a == null ? 0 : a.amount;
  }

  public synchronized AssetState asset(long id) {
    return assets.get(id);
  }

  public synchronized AppState app(long id) {
    return apps.get(id);
  }

  // ---------------------------------------------------------------- submission

  /**
   * Checks and applies a group; on any rejection the ledger is unchanged.
   *
   * @return the records of the group, in order
   * @throws Rejection with algod's style of message
   */
  public synchronized List<TxnRecord> submit(List<SubmittedTxn> group) {
    long round = landingRound();
    try {
      checkGroup(group, round);
    } catch (ArithmeticException e) {
      throw new Rejection("txgroup fees overflow");
    }
    undo.clear();
    List<TxnRecord> records = new ArrayList<>(group.size());
    try {
      for (SubmittedTxn t : group) {
        records.add(apply(t, round));
      }
    } catch (RuntimeException e) {
      while (!undo.isEmpty()) {
        undo.pop().run();
      }
      if (e instanceof ArithmeticException) {
        throw new Rejection("amount overflow: " + e.getMessage());
      }
      throw e;
    }
    undo.clear();
    pool.addLast(records);
    pooledTxns += records.size();
    return records;
  }

  /** The round a group submitted now will be confirmed in. */
  private long landingRound() {
    return lastRound() + 1 + pooledTxns / maxTxnsPerBlock;
  }

  private void checkGroup(List<SubmittedTxn> group, long round) {
    if (group.size() > TxnDecoder.MAX_GROUP_SIZE) {
      throw new Rejection("transactionGroup: group size " + group.size() + " exceeds maximum "
          + TxnDecoder.MAX_GROUP_SIZE);
    }
    byte[] first = groupOf(group.get(0).txn());
    if (group.size() > 1 || first != null) {
      byte[] expected = TxnDecoder.groupId(group);
      for (SubmittedTxn t : group) {
        byte[] g = groupOf(t.txn());
        if (g == null) {
          throw new Rejection("transactionGroup: inconsistent group values: transaction " + t.txid()
              + " has no group id");
        }
        if (!Arrays.equals(g, expected)) {
          throw new Rejection("transactionGroup: incomplete group: " + t.txid() + " has group "
              + Base64.getEncoder().encodeToString(g) + " but the submitted group hashes to "
              + Base64.getEncoder().encodeToString(expected));
        }
      }
    }
    long fees = 0;
    Set<String> seen = new LinkedHashSet<>();
    for (SubmittedTxn t : group) {
      Transaction tx = t.txn();
      if (tx.genesisID != null && !tx.genesisID.isEmpty() && !tx.genesisID.equals(genesisId)) {
        throw new Rejection("transaction " + t.txid() + " genesis ID mismatch: has " + tx.genesisID
            + ", devnet is " + genesisId);
      }
      if (tx.genesisHash == null || isZero(tx.genesisHash.getBytes())) {
        throw new Rejection("transaction " + t.txid() + " has no genesis hash");
      }
      if (!Arrays.equals(tx.genesisHash.getBytes(), genesisHash)) {
        throw new Rejection("transaction " + t.txid() + " genesis hash mismatch: has "
            + Base64.getEncoder().encodeToString(tx.genesisHash.getBytes()) + ", devnet is "
            + Base64.getEncoder().encodeToString(genesisHash));
      }
      long fv = u64(tx.firstValid, "first valid");
      long lv = u64(tx.lastValid, "last valid");
      if (lv < fv) {
        throw new Rejection("transaction invalid range (" + fv + "--" + lv + ")");
      }
      if (lv - fv > MAX_TXN_LIFE) {
        throw new Rejection("transaction window size excessive: " + (lv - fv) + " > " + MAX_TXN_LIFE);
      }
      if (round < fv || round > lv) {
        throw new Rejection("txn dead: round " + round + " outside of " + fv + "--" + lv);
      }
      if (tx.note != null && tx.note.length > MAX_NOTE_BYTES) {
        throw new Rejection("transaction note too big: " + tx.note.length + " > " + MAX_NOTE_BYTES);
      }
      if (tx.lease != null && tx.lease.length != 0 && tx.lease.length != 32) {
        throw new Rejection("transaction lease must be 32 bytes");
      }
      long fee = u64(tx.fee, "fee");
      if (group.size() == 1 && fee < MIN_FEE) {
        throw new Rejection("transaction " + t.txid() + ": transaction had fee " + fee
            + ", which is less than the minimum " + MIN_FEE);
      }
      fees = Math.addExact(fees, fee);
      if (!seen.add(t.txid()) || txids.containsKey(t.txid())) {
        throw new Rejection("transaction already in ledger: " + t.txid());
      }
      switch (tx.type) {
        case Payment, KeyRegistration, AssetConfig, AssetTransfer, AssetFreeze, ApplicationCall -> { }
        default -> throw new Rejection("transaction type " + tx.type.toValue()
            + " is not supported by the devnet");
      }
    }
    if (group.size() > 1 && fees < MIN_FEE * group.size()) {
      throw new Rejection("txgroup had " + fees + " in fees, which is less than the minimum "
          + group.size() + " * " + MIN_FEE);
    }
  }

  private TxnRecord apply(SubmittedTxn t, long round) {
    Transaction tx = t.txn();
    String sender = t.sender();
    AccountState from = accounts.get(sender);
    String expectedAuth = from != null && from.authAddr != null ? from.authAddr : sender;
    if (!expectedAuth.equals(t.authorizer())) {
      throw new Rejection("transaction " + t.txid() + ": should have been authorized by "
          + expectedAuth + " but was actually authorized by " + t.authorizer());
    }
    long lastValid = u64(tx.lastValid, "last valid");
    if (tx.lease != null && tx.lease.length == 32 && !isZero(tx.lease)) {
      String key = sender + ":" + Base64.getEncoder().encodeToString(tx.lease);
      Long held = leases.get(key);
      if (held != null && held >= round) {
        throw new Rejection("transaction " + t.txid() + " using an overlapping lease (sender, lease):("
            + sender + ", " + Base64.getEncoder().encodeToString(tx.lease) + ")");
      }
      put(leases, key, lastValid);
    }
    setCounter(txnCounter + 1);
    TxnRecord record = new TxnRecord(t.txid(), t.bytes());
    record.counter = txnCounter;
    put(txids, t.txid(), record);

    Set<String> touched = new LinkedHashSet<>();
    touched.add(sender);
    long fee = u64(tx.fee, "fee");
    debit(sender, fee, fee);
    credit(feeSink, fee);

    switch (tx.type) {
      case Payment -> payment(t, record, touched);
      case KeyRegistration -> { }
      case AssetConfig -> assetConfig(t, record, touched);
      case AssetTransfer -> assetTransfer(t, record, touched);
      case AssetFreeze -> assetFreeze(t, touched);
      case ApplicationCall -> applicationCall(t, record, touched);
      default -> throw new Rejection("transaction type " + tx.type.toValue() + " is not supported");
    }

    String rekeyTo = addr(tx.rekeyTo);
    AccountState after = accounts.get(sender);
    if (rekeyTo != null && after != null) {
      setAuth(after, rekeyTo.equals(sender) ? null : rekeyTo);
    }
    for (String address : touched) {
      AccountState a = accounts.get(address);
      if (a != null && a.amount < a.minBalance()) {
        throw new Rejection("transaction " + t.txid() + ": account " + address + " balance "
            + a.amount + " below min " + a.minBalance() + " (" + a.holdings.size() + " assets)");
      }
    }
    return record;
  }

  private void payment(SubmittedTxn t, TxnRecord record, Set<String> touched) {
    Transaction tx = t.txn();
    String sender = t.sender();
    long amount = u64(tx.amount, "amount");
    String receiver = addr(tx.receiver);
    String closeTo = addr(tx.closeRemainderTo);
    if (amount > 0 && receiver == null) {
      throw new Rejection("transaction " + t.txid() + ": payment of " + amount + " has no receiver");
    }
    debit(sender, amount, u64(tx.fee, "fee") + amount);
    if (receiver != null) {
      credit(receiver, amount);
      touched.add(receiver);
    }
    if (closeTo != null) {
      if (closeTo.equals(sender)) {
        throw new Rejection("transaction cannot close account to its sender " + sender);
      }
      AccountState a = accounts.get(sender);
      if (a != null) {
        if (!a.holdings.isEmpty() || !a.createdApps.isEmpty() || !a.optedInApps.isEmpty()) {
          throw new Rejection("cannot close account " + sender + ": " + a.holdings.size()
              + " outstanding assets, " + a.createdApps.size() + " created apps, "
              + a.optedInApps.size() + " opted-in apps");
        }
        long rest = a.amount;
        record.closingAmount = rest;
        setAmount(a, 0);
        credit(closeTo, rest);
        remove(accounts, sender);
      }
      touched.add(closeTo);
    }
  }

  private void assetConfig(SubmittedTxn t, TxnRecord record, Set<String> touched) {
    Transaction tx = t.txn();
    String sender = t.sender();
    long index = tx.assetIndex == null ? 0 : u64(tx.assetIndex, "asset index");
    AssetParams p = tx.assetParams;
    if (index == 0) {
      if (p == null) {
        throw new Rejection("transaction " + t.txid() + ": asset creation without parameters");
      }
      long total = u64(p.assetTotal == null ? BigInteger.ZERO : p.assetTotal, "asset total");
      int decimals = p.assetDecimals == null ? 0 : p.assetDecimals;
      if (decimals < 0 || decimals > 19) {
        throw new Rejection("transaction " + t.txid() + ": too many decimals (" + decimals + " > 19)");
      }
      checkLength(t, "unit name", p.assetUnitName, 8);
      checkLength(t, "asset name", p.assetName, 32);
      checkLength(t, "url", p.url, 96);
      if (p.metadataHash != null && p.metadataHash.length != 0 && p.metadataHash.length != 32) {
        throw new Rejection("transaction " + t.txid() + ": metadata hash must be 32 bytes");
      }
      long id = txnCounter;
      AssetState asset = new AssetState(id, sender, total, decimals, p.assetDefaultFrozen,
          emptyToNull(p.assetUnitName), emptyToNull(p.assetName), emptyToNull(p.url),
          p.metadataHash == null || p.metadataHash.length == 0 ? null : p.metadataHash.clone(),
          addr(p.assetManager), addr(p.assetReserve), addr(p.assetFreeze), addr(p.assetClawback));
      put(assets, id, asset);
      AccountState creator = accountForWrite(sender);
      add(creator.createdAssets, id);
      put(creator.holdings, id, new Holding(id, total, false));
      record.createdAssetId = id;
      return;
    }
    AssetState asset = existingAsset(index);
    if (asset.manager() == null || !asset.manager().equals(sender)) {
      throw new Rejection("transaction " + t.txid() + ": this transaction should be issued by the "
          + "manager. It is issued by " + sender + ", manager key " + asset.manager());
    }
    if (p == null || isEmpty(p)) {
      AccountState creator = accounts.get(asset.creator());
      Holding held = creator == null ? null : creator.holdings.get(index);
      if (held == null || held.amount() != asset.total()) {
        throw new Rejection("cannot destroy asset " + index + ": creator is holding only "
            + (held == null ? 0 : held.amount()) + "/" + asset.total());
      }
      remove(creator.holdings, index);
      removeFrom(creator.createdAssets, index);
      remove(assets, index);
      touched.add(asset.creator());
      return;
    }
    String manager = addr(p.assetManager);
    String reserve = addr(p.assetReserve);
    String freeze = addr(p.assetFreeze);
    String clawback = addr(p.assetClawback);
    if ((asset.reserve() == null && reserve != null) || (asset.freeze() == null && freeze != null)
        || (asset.clawback() == null && clawback != null)) {
      throw new Rejection("transaction " + t.txid() + ": cannot set an asset address that was "
          + "cleared (reserve, freeze and clawback stay empty once empty)");
    }
    put(assets, index, asset.withAddresses(manager, reserve, freeze, clawback));
  }

  /**
   * algod's asset transfer: a zero transfer to oneself opts in; zero amounts move nothing and check
   * nothing; clawback ignores freezes; close-to moves the rest and removes the holding (freezes are
   * ignored when closing to the creator).
   */
  private void assetTransfer(SubmittedTxn t, TxnRecord record, Set<String> touched) {
    Transaction tx = t.txn();
    String sender = t.sender();
    long id = tx.xferAsset == null ? 0 : u64(tx.xferAsset, "asset id");
    AssetState asset = existingAsset(id);
    long amount = tx.assetAmount == null ? 0 : u64(tx.assetAmount, "asset amount");
    String receiver = addr(tx.assetReceiver);
    String clawbackFrom = addr(tx.assetSender);
    String closeTo = addr(tx.assetCloseTo);
    boolean clawback = clawbackFrom != null;
    if (clawback && (asset.clawback() == null || !asset.clawback().equals(sender))) {
      throw new Rejection("transaction " + t.txid() + ": clawback not allowed: sender " + sender
          + ", clawback " + asset.clawback());
    }
    String source = clawback ? clawbackFrom : sender;
    if (amount == 0 && source.equals(receiver) && !clawback) {
      AccountState a = accounts.get(source);
      if (a == null || !a.holdings.containsKey(id)) {
        put(accountForWrite(source).holdings, id, new Holding(id, 0, asset.defaultFrozen()));
      }
    }
    if (amount > 0) {
      if (receiver == null) {
        throw new Rejection("transaction " + t.txid() + ": asset transfer has no receiver");
      }
      takeOut(t, id, source, amount, clawback);
      putIn(t, id, receiver, amount, clawback);
      touched.add(receiver);
    }
    if (closeTo != null) {
      if (clawback) {
        throw new Rejection("transaction " + t.txid() + ": cannot close asset by clawback");
      }
      if (source.equals(asset.creator())) {
        throw new Rejection("transaction " + t.txid() + ": cannot close asset ID in allocating "
            + "account");
      }
      AccountState src = accounts.get(source);
      Holding held = src == null ? null : src.holdings.get(id);
      if (held == null) {
        throw new Rejection("transaction " + t.txid() + ": asset " + id + " not present in account "
            + source);
      }
      boolean toCreator = closeTo.equals(asset.creator());
      long rest = held.amount();
      if (rest > 0) {
        takeOut(t, id, source, rest, toCreator);
        putIn(t, id, closeTo, rest, toCreator);
      }
      record.assetClosingAmount = rest;
      remove(accounts.get(source).holdings, id);
      touched.add(closeTo);
    }
  }

  private void takeOut(SubmittedTxn t, long id, String address, long amount, boolean bypassFreeze) {
    AccountState a = accounts.get(address);
    Holding h = a == null ? null : a.holdings.get(id);
    if (h == null) {
      throw new Rejection("transaction " + t.txid() + ": asset " + id + " missing from " + address);
    }
    if (h.frozen() && !bypassFreeze) {
      throw new Rejection("transaction " + t.txid() + ": asset " + id + " frozen in " + address);
    }
    if (h.amount() < amount) {
      throw new Rejection("transaction " + t.txid() + ": underflow on subtracting " + amount
          + " from sender amount " + h.amount());
    }
    put(a.holdings, id, h.withAmount(h.amount() - amount));
  }

  private void putIn(SubmittedTxn t, long id, String address, long amount, boolean bypassFreeze) {
    AccountState a = accounts.get(address);
    Holding h = a == null ? null : a.holdings.get(id);
    if (h == null) {
      throw new Rejection("transaction " + t.txid() + ": asset " + id + " missing from " + address);
    }
    if (h.frozen() && !bypassFreeze) {
      throw new Rejection("transaction " + t.txid() + ": asset " + id + " frozen in recipient "
          + address);
    }
    put(a.holdings, id, h.withAmount(Math.addExact(h.amount(), amount)));
  }

  private void assetFreeze(SubmittedTxn t, Set<String> touched) {
    Transaction tx = t.txn();
    long id = tx.assetFreezeID == null ? 0 : u64(tx.assetFreezeID, "asset id");
    AssetState asset = existingAsset(id);
    if (asset.freeze() == null || !asset.freeze().equals(t.sender())) {
      throw new Rejection("transaction " + t.txid() + ": freeze not allowed: sender " + t.sender()
          + ", freeze " + asset.freeze());
    }
    String target = addr(tx.freezeTarget);
    AccountState a = target == null ? null : accounts.get(target);
    Holding h = a == null ? null : a.holdings.get(id);
    if (h == null) {
      throw new Rejection("transaction " + t.txid() + ": asset " + id + " missing from " + target);
    }
    put(a.holdings, id, h.withFrozen(tx.freezeState));
    touched.add(target);
  }

  private void applicationCall(SubmittedTxn t, TxnRecord record, Set<String> touched) {
    Transaction tx = t.txn();
    String sender = t.sender();
    long id = tx.applicationId == null ? 0 : tx.applicationId;
    Transaction.OnCompletion oc = tx.onCompletion == null
        ? Transaction.OnCompletion.NoOpOC : tx.onCompletion;
    if (id == 0) {
      if (oc != Transaction.OnCompletion.NoOpOC && oc != Transaction.OnCompletion.OptInOC) {
        throw new Rejection("transaction " + t.txid() + ": cannot create an application with "
            + oc);
      }
      byte[] approval = tx.approvalProgram == null ? null : tx.approvalProgram.getBytes();
      byte[] clear = tx.clearStateProgram == null ? null : tx.clearStateProgram.getBytes();
      if (approval == null || approval.length == 0 || clear == null || clear.length == 0) {
        throw new Rejection("transaction " + t.txid() + ": application creation needs an approval "
            + "and a clear-state program");
      }
      long newId = txnCounter;
      AppState app = new AppState(newId, sender, appAddress(newId), approval, clear,
          schema(tx.globalStateSchema, true), schema(tx.globalStateSchema, false),
          schema(tx.localStateSchema, true), schema(tx.localStateSchema, false),
          tx.extraPages == null ? 0 : tx.extraPages);
      put(apps, newId, app);
      AccountState creator = accountForWrite(sender);
      add(creator.createdApps, newId);
      if (oc == Transaction.OnCompletion.OptInOC) {
        add(creator.optedInApps, newId);
      }
      record.createdAppId = newId;
      return;
    }
    AppState app = apps.get(id);
    if (app == null) {
      throw new Rejection("transaction " + t.txid() + ": application " + id + " does not exist");
    }
    AccountState a = accountForWrite(sender);
    switch (oc) {
      case NoOpOC -> { }
      case OptInOC -> {
        if (a.optedInApps.contains(id)) {
          throw new Rejection("transaction " + t.txid() + ": account " + sender
              + " has already opted in to app " + id);
        }
        add(a.optedInApps, id);
      }
      case CloseOutOC, ClearStateOC -> {
        if (!a.optedInApps.contains(id)) {
          throw new Rejection("transaction " + t.txid() + ": account " + sender
              + " is not opted in to app " + id);
        }
        removeFrom(a.optedInApps, id);
      }
      case UpdateApplicationOC -> {
        requireCreator(t, app);
        byte[] approval = tx.approvalProgram == null ? null : tx.approvalProgram.getBytes();
        byte[] clear = tx.clearStateProgram == null ? null : tx.clearStateProgram.getBytes();
        if (approval == null || approval.length == 0 || clear == null || clear.length == 0) {
          throw new Rejection("transaction " + t.txid() + ": application update needs an approval "
              + "and a clear-state program");
        }
        put(apps, id, app.withPrograms(approval, clear));
      }
      case DeleteApplicationOC -> {
        requireCreator(t, app);
        remove(apps, id);
        AccountState creator = accounts.get(app.creator());
        if (creator != null) {
          removeFrom(creator.createdApps, id);
        }
        touched.add(app.creator());
      }
      default -> throw new Rejection("unknown on-completion " + oc);
    }
  }

  /**
   * Without TEAL there is no approval program to refuse an update or delete, so the devnet lets
   * only the creator do either.
   */
  private static void requireCreator(SubmittedTxn t, AppState app) {
    if (!app.creator().equals(t.sender())) {
      throw new Rejection("transaction " + t.txid() + ": only the creator " + app.creator()
          + " may update or delete app " + app.id() + " on the devnet (TEAL is not executed)");
    }
  }

  private static long schema(com.algorand.algosdk.logic.StateSchema s, boolean uints) {
    if (s == null) {
      return 0;
    }
    BigInteger v = uints ? s.numUint : s.numByteSlice;
    return v == null ? 0 : v.longValue();
  }

  /** The address of an application's account: SHA-512/256("appID" ‖ uint64be(id)). */
  public static String appAddress(long id) {
    return new Address(Hashes.sha512_256(Hashes.ascii("appID"), Hashes.uint64(id))).toString();
  }

  private AssetState existingAsset(long id) {
    AssetState asset = assets.get(id);
    if (asset == null) {
      throw new Rejection("asset " + id + " does not exist or has been deleted");
    }
    return asset;
  }

  private void debit(String address, long amount, long triedToSpend) {
    if (amount == 0) {
      return;
    }
    AccountState a = accounts.get(address);
    long balance = a == null ? 0 : a.amount;
    if (balance < amount) {
      throw new Rejection("overspend (account " + address + ", balance " + balance
          + ", tried to spend " + triedToSpend + ")");
    }
    setAmount(a, balance - amount);
  }

  private void credit(String address, long amount) {
    AccountState a = accountForWrite(address);
    long next;
    try {
      next = Math.addExact(a.amount, amount);
    } catch (ArithmeticException e) {
      throw new Rejection("balance overflow in account " + address);
    }
    setAmount(a, next);
  }

  private static void checkLength(SubmittedTxn t, String what, String value, int max) {
    if (value != null && value.getBytes(StandardCharsets.UTF_8).length > max) {
      throw new Rejection("transaction " + t.txid() + ": " + what + " too big: "
          + value.getBytes(StandardCharsets.UTF_8).length + " > " + max);
    }
  }

  private static boolean isEmpty(AssetParams p) {
    return (p.assetTotal == null || p.assetTotal.signum() == 0)
        && (p.assetDecimals == null || p.assetDecimals == 0) && !p.assetDefaultFrozen
        && emptyToNull(p.assetUnitName) == null && emptyToNull(p.assetName) == null
        && emptyToNull(p.url) == null && (p.metadataHash == null || p.metadataHash.length == 0)
        && addr(p.assetManager) == null && addr(p.assetReserve) == null
        && addr(p.assetFreeze) == null && addr(p.assetClawback) == null;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static byte[] groupOf(Transaction tx) {
    Digest g = tx.group;
    return g == null || isZero(g.getBytes()) ? null : g.getBytes();
  }

  static String addr(Address a) {
    return a == null || isZero(a.getBytes()) ? null : a.toString();
  }

  private static long u64(BigInteger v, String what) {
    if (v == null) {
      return 0;
    }
    if (v.signum() < 0 || v.compareTo(MAX_LONG) > 0) {
      throw new Rejection(what + " " + v + " is out of the range the devnet supports (0.."
          + Long.MAX_VALUE + ")");
    }
    return v.longValue();
  }

  private static boolean isZero(byte[] bytes) {
    if (bytes == null) {
      return true;
    }
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- undo-logged mutations

  private AccountState accountForWrite(String address) {
    AccountState a = accounts.get(address);
    if (a == null) {
      a = new AccountState();
      put(accounts, address, a);
    }
    return a;
  }

  private <K, V> void put(Map<K, V> map, K key, V value) {
    V old = map.put(key, value);
    undo.push(() -> {
      if (old == null) {
        map.remove(key);
      } else {
        map.put(key, old);
      }
    });
  }

  private <K, V> void remove(Map<K, V> map, K key) {
    V old = map.remove(key);
    if (old != null) {
      undo.push(() -> map.put(key, old));
    }
  }

  private <E> void add(Set<E> set, E e) {
    if (set.add(e)) {
      undo.push(() -> set.remove(e));
    }
  }

  private <E> void removeFrom(Set<E> set, E e) {
    if (set.remove(e)) {
      undo.push(() -> set.add(e));
    }
  }

  private void setAmount(AccountState a, long value) {
    long old = a.amount;
    a.amount = value;
    undo.push(() -> a.amount = old);
  }

  private void setAuth(AccountState a, String value) {
    String old = a.authAddr;
    a.authAddr = value;
    undo.push(() -> a.authAddr = old);
  }

  private void setCounter(long value) {
    long old = txnCounter;
    txnCounter = value;
    undo.push(() -> txnCounter = old);
  }
}
