package io.mintline.devnet.ledger;

/**
 * A transaction the ledger accepted: its signed bytes as submitted and what applying it produced
 * (algod's ApplyData). {@code confirmedRound} is 0 while it waits in the pool.
 */
public final class TxnRecord {
  private final String txid;
  private final byte[] signedBytes;
  long createdAssetId;
  long createdAppId;
  long closingAmount;
  long assetClosingAmount;
  /** The ledger's transaction counter after this transaction (the block header's tc). */
  long counter;
  private volatile long confirmedRound;

  TxnRecord(String txid, byte[] signedBytes) {
    this.txid = txid;
    this.signedBytes = signedBytes;
  }

  public String txid() {
    return txid;
  }

  public byte[] signedBytes() {
    return signedBytes;
  }

  public long createdAssetId() {
    return createdAssetId;
  }

  public long createdAppId() {
    return createdAppId;
  }

  public long closingAmount() {
    return closingAmount;
  }

  public long assetClosingAmount() {
    return assetClosingAmount;
  }

  public long confirmedRound() {
    return confirmedRound;
  }

  void confirm(long round) {
    confirmedRound = round;
  }
}
