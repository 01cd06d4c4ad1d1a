package io.mintline.bench.devnet;

import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.model.BlockResponse;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes an algod msgpack block with the Java algosdk and recomputes the txid of every transaction in
 * it, as a chain listener must: algod stores transactions without their genesis fields ({@code hgi}
 * says the id was there; the hash is always required now), so they are put back from the header first.
 */
final class InBlockTxids {

  private InBlockTxids() {}

  static List<String> of(byte[] blockMsgpack) throws IOException {
    Map<String, Object> block = Encoder.decodeFromMsgPack(blockMsgpack, BlockResponse.class).block;
    if (block == null) {
      throw new IOException("response has no block");
    }
    String genesisId = (String) block.get("gen");
    byte[] genesisHash = (byte[]) block.get("gh");
    Object payset = block.get("txns");
    if (payset == null) {
      return List.of();
    }
    List<?> entries = (List<?>) payset;
    List<String> txids = new ArrayList<>(entries.size());
    for (Object entry : entries) {
      Map<?, ?> inBlock = (Map<?, ?>) entry;
      Transaction txn = Encoder.decodeFromMsgPack(Encoder.encodeToMsgPack(inBlock.get("txn")), Transaction.class);
      if (Boolean.TRUE.equals(inBlock.get("hgi"))) {
        txn.genesisID = genesisId;
      }
      txn.genesisHash = new Digest(genesisHash);
      try {
        txids.add(txn.txID());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return txids;
  }
}
