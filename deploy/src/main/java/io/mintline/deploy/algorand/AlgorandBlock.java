package io.mintline.deploy.algorand;

import com.algorand.algosdk.crypto.Address;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block as {@code GET /v2/blocks/{round}?format=msgpack} serves it, with every top-level
 * transaction's txid recomputed from the block's genesis fields (in a block, {@code gen} is
 * stripped and flagged by {@code hgi}, and {@code gh} is stripped because the protocol requires it).
 */
public record AlgorandBlock(long round, long timestamp, byte[] seed, String genesisId, byte[] genesisHash, List<Txn> txns) {

  /**
   * One top-level transaction of the block, with the fields the engine reads.
   *
   * @param type {@code pay}, {@code axfer}, {@code appl}, …
   * @param receiver payment receiver ({@code rcv}), or null
   * @param amount payment amount in microAlgos ({@code amt}), 0 when absent
   * @param group group id ({@code grp}), or null
   * @param calledAppId the app an {@code appl} calls ({@code apid} of the txn; 0 = create)
   * @param createdAppId the app this transaction created (ApplyData {@code apid}), or null
   * @param createdAssetId the asset this transaction created (ApplyData {@code caid}), or null
   */
  public record Txn(String txId, int index, String type, String sender, String receiver, long amount, byte[] note,
      byte[] group, byte[] lease, long firstValid, long lastValid, long calledAppId, Long createdAppId, Long createdAssetId) {}

  /** Decodes algod's {@code {"block": …}} msgpack answer. */
  public static AlgorandBlock decode(byte[] response) {
    Object root = Msgpack.decode(response);
    if (!(root instanceof Map<?, ?> top) || !(top.get("block") instanceof Map<?, ?> block)) {
      throw new IllegalArgumentException("not an algod block response");
    }
    long round = num(block.get("rnd"));
    String genesisId = (String) block.get("gen");
    byte[] genesisHash = (byte[]) block.get("gh");
    List<Txn> txns = new ArrayList<>();
    // Addresses repeat within a block (busy accounts, an app's callers); each spelling costs a
    // SHA-512/256 checksum and base32, so spell each once per block.
    Map<ByteBuffer, String> spelled = new HashMap<>();
    if (block.get("txns") instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Map<?, ?> stxn = (Map<?, ?>) list.get(i);
        Map<Object, Object> txn = new LinkedHashMap<>((Map<?, ?>) stxn.get("txn"));
        if (Boolean.TRUE.equals(stxn.get("hgi")) && genesisId != null) txn.put("gen", genesisId);
        if (genesisHash != null) txn.put("gh", genesisHash);
        txns.add(new Txn(
            Txids.of(txn),
            i,
            (String) txn.get("type"),
            address(txn.get("snd"), spelled),
            address(txn.get("rcv"), spelled),
            num(txn.get("amt")),
            (byte[]) txn.get("note"),
            (byte[]) txn.get("grp"),
            (byte[]) txn.get("lx"),
            num(txn.get("fv")),
            num(txn.get("lv")),
            num(txn.get("apid")),
            stxn.containsKey("apid") ? num(stxn.get("apid")) : null,
            stxn.containsKey("caid") ? num(stxn.get("caid")) : null));
      }
    }
    return new AlgorandBlock(round, num(block.get("ts")), (byte[]) block.get("seed"), genesisId == null ? null : Msgpack.text(genesisId),
        genesisHash, List.copyOf(txns));
  }

  private static long num(Object v) {
    if (v == null) return 0;
    if (v instanceof BigInteger b) return b.longValue();
    return ((Number) v).longValue();
  }

  private static String address(Object v, Map<ByteBuffer, String> spelled) {
    if (v == null) return null;
    return spelled.computeIfAbsent(ByteBuffer.wrap((byte[]) v), k -> new Address((byte[]) v).toString());
  }
}
