package io.mintline.devnet.ledger;

import io.mintline.devnet.wire.Hashes;
import io.mintline.devnet.wire.Msgpack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One round of the devnet, served the way algod serves {@code GET /v2/blocks/{round}}: header
 * fields under algod's msgpack names and the transactions in their in-block form (genesis id and
 * hash stripped, {@code hgi} set, ApplyData such as {@code caid}/{@code apid} added).
 */
public final class Block {
  /** The consensus version name reported in block headers, status and params. */
  public static final String PROTOCOL = "mintline-devnet-v1";

  private final long round;
  private final long timestamp;
  private final byte[] seed;
  private final byte[] previousHash;
  private final String genesisId;
  private final byte[] genesisHash;
  private final long txnCounter;
  private final List<TxnRecord> txns;
  private final byte[] hash;
  /** Soft, so a long-running devnet keeps at most the blocks that are being read. */
  private volatile SoftReference<byte[]> encodedResponse = new SoftReference<>(null);

  Block(long round, long timestamp, byte[] seed, byte[] previousHash, String genesisId,
      byte[] genesisHash, long txnCounter, List<TxnRecord> txns) {
    this.round = round;
    this.timestamp = timestamp;
    this.seed = seed;
    this.previousHash = previousHash;
    this.genesisId = genesisId;
    this.genesisHash = genesisHash;
    this.txnCounter = txnCounter;
    this.txns = List.copyOf(txns);
    this.hash = Hashes.sha512_256(Hashes.ascii("BH"), Msgpack.encode(header()));
  }

  public long round() {
    return round;
  }

  public long timestamp() {
    return timestamp;
  }

  public byte[] seed() {
    return seed.clone();
  }

  public long txnCounter() {
    return txnCounter;
  }

  public byte[] hash() {
    return hash.clone();
  }

  public List<TxnRecord> txns() {
    return txns;
  }

  private Map<String, Object> header() {
    Map<String, Object> h = new TreeMap<>();
    h.put("rnd", round);
    h.put("ts", timestamp);
    h.put("seed", seed);
    h.put("gen", genesisId);
    h.put("gh", genesisHash);
    h.put("proto", PROTOCOL);
    h.put("tc", txnCounter);
    if (!isZero(previousHash)) {
      h.put("prev", previousHash);
    }
    return h;
  }

  /** The header alone, as algod answers {@code header-only=true}. */
  public Map<String, Object> headerTree() {
    return header();
  }

  /** The block as a canonical msgpack tree: header fields plus {@code txns}. */
  public Map<String, Object> tree() {
    Map<String, Object> b = header();
    if (!txns.isEmpty()) {
      List<Object> list = new ArrayList<>(txns.size());
      for (TxnRecord t : txns) {
        list.add(inBlock(t));
      }
      b.put("txns", list);
    }
    return b;
  }

  /** {@code {"block": …}} in canonical msgpack, as algod answers {@code format=msgpack}. */
  public byte[] msgpackResponse() {
    byte[] cached = encodedResponse.get();
    if (cached == null) {
      cached = Msgpack.encode(Map.of("block", tree()));
      encodedResponse = new SoftReference<>(cached);
    }
    return cached;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> inBlock(TxnRecord t) {
    Map<String, Object> stx;
    try {
      stx = (Map<String, Object>) Msgpack.decode(t.signedBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("accepted transaction no longer decodes", e);
    }
    Map<String, Object> txn = (Map<String, Object>) stx.get("txn");
    if (txn.remove("gen") != null) {
      stx.put("hgi", true);
    }
    txn.remove("gh");
    if (t.createdAssetId != 0) {
      stx.put("caid", t.createdAssetId);
    }
    if (t.createdAppId != 0) {
      stx.put("apid", t.createdAppId);
    }
    if (t.closingAmount != 0) {
      stx.put("ca", t.closingAmount);
    }
    if (t.assetClosingAmount != 0) {
      stx.put("aca", t.assetClosingAmount);
    }
    return stx;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
