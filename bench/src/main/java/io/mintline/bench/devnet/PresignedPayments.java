package io.mintline.bench.devnet;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Signature;
import com.algorand.algosdk.mnemonic.Mnemonic;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.transaction.TxGroup;
import com.algorand.algosdk.util.Encoder;
import io.mintline.devnet.GenesisAccount;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs payments between the devnet's genesis accounts ahead of a measurement, so the measured loop
 * only sends bytes. Signing goes through BouncyCastle's lightweight Ed25519 (about 20 times the JDK's
 * rate, docs/BENCHMARKS.md, Ed25519); every transaction carries a unique note, so no two
 * share a txid even across runs against one devnet.
 */
public final class PresignedPayments {

  /** Algorand's minimum fee; the devnet rejects less. */
  private static final long FEE = 1_000L;
  /** The longest validity window algod accepts. */
  private static final long VALIDITY_ROUNDS = 1_000L;
  /** One µAlgo: receivers are funded genesis accounts, so no minimum balance comes into play. */
  private static final long AMOUNT = 1L;

  private final List<Address> addresses;
  private final List<Ed25519PrivateKeyParameters> keys;
  private final String genesisId;
  private final String genesisHashBase64;
  private final String runTag = Long.toHexString(ThreadLocalRandom.current().nextLong());

  public PresignedPayments(List<GenesisAccount> accounts, String genesisId, String genesisHashBase64) {
    if (accounts.size() < 2) {
      throw new IllegalArgumentException("need at least two genesis accounts, the devnet has " + accounts.size());
    }
    this.addresses = accounts.stream().map(a -> address(a.address())).toList();
    this.keys = accounts.stream().map(a -> key(a.mnemonic())).toList();
    this.genesisId = genesisId;
    this.genesisHashBase64 = genesisHashBase64;
  }

  /** One signed payment, as the msgpack bytes {@code POST /v2/transactions} takes; {@code seq} must be unique. */
  SignedBatch single(long seq, long firstValid) {
    Transaction txn = payment(seq, firstValid);
    return new SignedBatch(sign(txn, seq), new String[] {txid(txn)});
  }

  /** An atomic group of {@code size} payments, concatenated as algod takes a group; uses seq … seq+size-1. */
  SignedBatch group(long seq, int size, long firstValid) {
    Transaction[] txns = new Transaction[size];
    for (int i = 0; i < size; i++) {
      txns[i] = payment(seq + i, firstValid);
    }
    try {
      TxGroup.assignGroupID(txns);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size * 256);
    String[] txids = new String[size];
    for (int i = 0; i < size; i++) {
      out.writeBytes(sign(txns[i], seq + i));
      txids[i] = txid(txns[i]);
    }
    return new SignedBatch(out.toByteArray(), txids);
  }

  /** {@code count} batches of {@code groupSize} (1 = single transactions), signed on every core. */
  public SignedBatch[] batches(long firstSeq, int count, int groupSize, long firstValid) {
    return IntStream.range(0, count).parallel()
        .mapToObj(i -> groupSize == 1
            ? single(firstSeq + i, firstValid)
            : group(firstSeq + (long) i * groupSize, groupSize, firstValid))
        .toArray(SignedBatch[]::new);
  }

  private Transaction payment(long seq, long firstValid) {
    int from = (int) (seq % addresses.size());
    int to = (from + 1) % addresses.size();
    return Transaction.PaymentTransactionBuilder()
        .sender(addresses.get(from))
        .receiver(addresses.get(to))
        .amount(AMOUNT)
        .flatFee(FEE)
        .firstValid(firstValid)
        .lastValid(firstValid + VALIDITY_ROUNDS)
        .genesisID(genesisId)
        .genesisHashB64(genesisHashBase64)
        .note(("mintline-bench:" + runTag + ":" + seq).getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private byte[] sign(Transaction txn, long seq) {
    try {
      byte[] message = txn.bytesToSign();
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, keys.get((int) (seq % keys.size())));
      signer.update(message, 0, message.length);
      SignedTransaction signed = new SignedTransaction(txn, new Signature(signer.generateSignature()), txid(txn));
      return Encoder.encodeToMsgPack(signed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String txid(Transaction txn) {
    try {
      return txn.txID();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Address address(String address) {
    try {
      return new Address(address);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad genesis address " + address, e);
    }
  }

  private static Ed25519PrivateKeyParameters key(String mnemonic) {
    try {
      return new Ed25519PrivateKeyParameters(Mnemonic.toKey(mnemonic), 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad genesis mnemonic", e);
    }
  }

  /** The bytes of one POST and the txids they carry. */
  public record SignedBatch(byte[] bytes, String[] txids) {}
}
