package io.mintline.devnet.wire;

import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;

/**
 * One signed transaction as it arrived, decoded and with its signature already verified against
 * {@link #authorizer()}. Whether that authorizer is allowed to sign for the sender is a question
 * for the ledger.
 *
 * @param signed     the decoded signed transaction
 * @param bytes      its canonical msgpack encoding, exactly as submitted
 * @param txid       algod's transaction id: base32 of SHA-512/256("TX" ‖ msgpack(txn))
 * @param groupTxid  the id of the transaction with its group field cleared, the input of the
 *                   group id
 * @param sender     the sender's address
 * @param authorizer the address whose key (or multisig) signed: {@code sgnr} if set, else sender
 */
public record SubmittedTxn(SignedTransaction signed, byte[] bytes, String txid, byte[] groupTxid,
    String sender, String authorizer) {

  public Transaction txn() {
    return signed.tx;
  }
}
