package io.mintline.deploy.sticker;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.transaction.TxGroup;
import io.mintline.config.MintingSettings;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Txids;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.keys.Signer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Signs sticker transactions with the MINT key. Pure: no chain I/O, so the caller persists what it
 * signed before submitting it and can resend the same bytes after a crash.
 *
 * <p>A sticker for tip T is an ASA creation: total 1, decimals 0, unit and name from config, ARC-3
 * metadata URL {@code <base><T>#arc3}, default-frozen, with manager, freeze and clawback all the
 * minting account (so it can deliver the sticker by clawback and nobody else can move it). It
 * carries lease {@code SHA-512/256("mint" ‖ T)} — while one creation for T is valid the chain
 * refuses any other, however it was rebuilt — and note {@code mintline:mint:<T>}, by which anyone
 * can count the stickers on chain. Creations can be signed as one atomic group of up to 16
 * ({@link #signGroup}): one request carries 16 mints.
 *
 * <p>The claim is a clawback transfer of the one unit from the minting account to the fan, leased
 * by {@code SHA-512/256("claim" ‖ assetId)}; the fan's holding stays frozen.
 */
public final class StickerMinter {
  public static final String NOTE_PREFIX = "mintline:mint:";
  /** Algorand's atomic group limit. */
  public static final int MAX_GROUP = 16;
  private static final Pattern TXID = Pattern.compile("[A-Z2-7]{52}");
  /** A sticker creation's size is about 330 bytes; used when the chain charges per byte. */
  private static final long ESTIMATED_BYTES = 400;

  /** One signed sticker creation; {@code signedBytes} is this transaction alone (grouped or not). */
  public record SignedMint(String tipTxId, String txId, byte[] signedBytes, byte[] lease, long firstValid, long lastValid) {}

  /** Signed creations as they are submitted: one request body, and each member's own part. */
  public record SignedGroup(byte[] submitBytes, List<SignedMint> members) {
    public boolean grouped() {
      return members.size() > 1;
    }
  }

  /** A request for one sticker: the tip and whether the draw made it golden. */
  public record MintOrder(String tipTxId, boolean golden) {}

  private final Signer mintKey;
  private final MintingSettings settings;
  private final SignatureLog signatureLog;

  public StickerMinter(Signer mintKey, MintingSettings settings, SignatureLog signatureLog) {
    this.mintKey = mintKey;
    this.settings = settings;
    this.signatureLog = signatureLog;
  }

  /** The account that creates, holds, freezes and claws back every sticker. */
  public Address mintAddress() {
    return mintKey.address();
  }

  /**
   * Whether {@code keyAddress} is the minting key now, or the key the minting account is being
   * rekeyed to (a rotation in progress): the key changes, the account does not.
   */
  public boolean signsOrWillSignWith(String keyAddress) {
    if (mintKey instanceof io.mintline.deploy.keys.RotatingSigner rotating) {
      try {
        return rotating.isOrBecomes(new Address(keyAddress));
      } catch (Exception e) {
        return false;
      }
    }
    return mintKey.current().keyAddress().toString().equals(keyAddress);
  }

  /** SHA-512/256("mint" ‖ tipTxId): a sticker creation's lease. */
  public static byte[] mintLease(String tipTxId) {
    return Txids.sha512_256("mint".getBytes(StandardCharsets.US_ASCII), tipTxId.getBytes(StandardCharsets.US_ASCII));
  }

  /** SHA-512/256("claim" ‖ decimal assetId): a claim's lease. */
  public static byte[] claimLease(long assetId) {
    return Txids.sha512_256("claim".getBytes(StandardCharsets.US_ASCII), Long.toString(assetId).getBytes(StandardCharsets.US_ASCII));
  }

  /** The sticker's ARC-3 metadata URL. */
  public String metadataUrl(String tipTxId) {
    return settings.metadataBaseUrl() + tipTxId + "#arc3";
  }

  /** Signs one creation, not grouped. */
  public SignedMint sign(MintOrder order, ChainParams params) {
    return signGroup(List.of(order), params).members().get(0);
  }

  /**
   * Signs up to {@link #MAX_GROUP} creations; more than one become an atomic group (group id
   * assigned over all of them), all valid from the params' last round for the configured window.
   */
  public SignedGroup signGroup(List<MintOrder> orders, ChainParams params) {
    if (orders.isEmpty() || orders.size() > MAX_GROUP) throw new IllegalArgumentException("1.." + MAX_GROUP + " mints per group");
    long firstValid = params.lastRound();
    long lastValid = firstValid + settings.validityRounds();
    long fee = Math.max(params.minFee(), params.fee() * ESTIMATED_BYTES);
    Transaction[] txns = new Transaction[orders.size()];
    for (int i = 0; i < txns.length; i++) {
      txns[i] = creation(orders.get(i), fee, firstValid, lastValid, params);
    }
    if (txns.length > 1) {
      try {
        Digest group = TxGroup.computeGroupID(txns);
        for (Transaction t : txns) t.assignGroupID(group);
      } catch (IOException e) {
        throw new UncheckedIOException("sticker creations do not encode", e);
      }
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream(txns.length * 450);
    List<SignedMint> members = new ArrayList<>(txns.length);
    Signer key = mintKey.current(); // one key for the group and its audit rows, even while the role rotates
    for (int i = 0; i < txns.length; i++) {
      byte[] bytes = key.signToBytes(txns[i]);
      String txId = Txids.firstTxId(bytes);
      String tip = orders.get(i).tipTxId();
      signatureLog.signed(key.keyId(), "mint:" + tip, txId);
      members.add(new SignedMint(tip, txId, bytes, mintLease(tip), firstValid, lastValid));
      all.writeBytes(bytes);
    }
    return new SignedGroup(all.toByteArray(), List.copyOf(members));
  }

  private Transaction creation(MintOrder order, long fee, long firstValid, long lastValid, ChainParams params) {
    String tip = order.tipTxId();
    if (!TXID.matcher(tip).matches()) throw new IllegalArgumentException("not an Algorand txid: " + tip);
    Address mint = mintKey.address();
    return Transaction.AssetCreateTransactionBuilder()
        .sender(mint)
        .assetTotal(1L)
        .assetDecimals(0)
        .assetUnitName(settings.unitName())
        .assetName(order.golden() ? settings.goldenAssetName() : settings.assetName())
        .url(metadataUrl(tip))
        .defaultFrozen(true)
        .manager(mint)
        .freeze(mint)
        .clawback(mint)
        .note((NOTE_PREFIX + tip).getBytes(StandardCharsets.US_ASCII))
        .lease(mintLease(tip))
        .flatFee(fee)
        .firstValid(firstValid)
        .lastValid(lastValid)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .build();
  }

  /** Signs the clawback that delivers sticker {@code assetId} from the vault to {@code fan}. */
  public SignedMint signClaim(long assetId, String fan, ChainParams params) {
    Address receiver;
    try {
      receiver = new Address(fan);
    } catch (Exception e) {
      throw new IllegalArgumentException("not an Algorand address: " + fan);
    }
    long firstValid = params.lastRound();
    long lastValid = firstValid + settings.validityRounds();
    Address mint = mintKey.address();
    Transaction txn = Transaction.AssetClawbackTransactionBuilder()
        .sender(mint)
        .assetClawbackFrom(mint)
        .assetReceiver(receiver)
        .assetIndex(assetId)
        .assetAmount(1L)
        .note(("mintline:claim:" + assetId).getBytes(StandardCharsets.US_ASCII))
        .lease(claimLease(assetId))
        .flatFee(Math.max(params.minFee(), params.fee() * ESTIMATED_BYTES))
        .firstValid(firstValid)
        .lastValid(lastValid)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .build();
    Signer key = mintKey.current();
    byte[] bytes = key.signToBytes(txn);
    String txId = Txids.firstTxId(bytes);
    signatureLog.signed(key.keyId(), "claim:" + assetId, txId);
    return new SignedMint(Long.toString(assetId), txId, bytes, claimLease(assetId), firstValid, lastValid);
  }
}
