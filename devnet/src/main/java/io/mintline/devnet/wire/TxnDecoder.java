package io.mintline.devnet.wire;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.crypto.MultisigSignature;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Turns the body of {@code POST /v2/transactions} into verified {@link SubmittedTxn}s: splits the
 * concatenated msgpack, decodes each signed transaction with algosdk, insists that re-encoding
 * gives back the submitted bytes, recomputes the txid and checks the signature. Everything here
 * needs no ledger state, so it runs on the HTTP threads in parallel.
 */
public final class TxnDecoder {

  /** algod's limit on a transaction group. */
  public static final int MAX_GROUP_SIZE = 16;

  private static final byte[] TX_PREFIX = Hashes.ascii("TX");
  private static final byte[] MULTISIG_PREFIX = Hashes.ascii("MultisigAddr");

  /**
   * Decoded public keys by key bytes. Decoding a key costs about a tenth of a verification, and a
   * devnet sees the same few senders (minting, deployment, faucet) over and over.
   */
  private static final int KEY_CACHE_SIZE = 65_536;
  private static final ConcurrentHashMap<KeyBytes, Ed25519.PublicPoint> KEYS =
      new ConcurrentHashMap<>();

  /** Key bytes as a map key. */
  private record KeyBytes(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof KeyBytes k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  static {
    Ed25519.precompute();
  }

  private TxnDecoder() {}

  public static List<SubmittedTxn> decodeGroup(byte[] body) {
    if (body.length == 0) {
      throw new Rejection("msgpack decode error: empty request body");
    }
    List<byte[]> parts;
    try {
      parts = Msgpack.split(body, MAX_GROUP_SIZE);
    } catch (Rejection r) {
      throw r;
    } catch (Exception e) {
      throw new Rejection("msgpack decode error: " + describe(e));
    }
    if (parts.isEmpty()) {
      throw new Rejection("msgpack decode error: no transactions in request body");
    }
    List<SubmittedTxn> out = new ArrayList<>(parts.size());
    for (byte[] part : parts) {
      out.add(decodeOne(part));
    }
    return out;
  }

  public static SubmittedTxn decodeOne(byte[] bytes) {
    try {
      return decodeVerified(bytes);
    } catch (Rejection r) {
      throw r;
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      // Whatever odd shape got past algosdk's decoder, it is bad input, not a server fault
      // (algosdk's logic-signature classes even need BouncyCastle classes bcprov-jdk18on lacks).
      throw new Rejection("msgpack decode error: malformed signed transaction: " + describe(e));
    }
  }

  private static SubmittedTxn decodeVerified(byte[] bytes) {
    SignedTransaction stx;
    byte[] reencoded;
    try {
      stx = Encoder.decodeFromMsgPack(bytes, SignedTransaction.class);
      reencoded = Encoder.encodeToMsgPack(stx);
    } catch (Exception | LinkageError | StackOverflowError e) {
      throw new Rejection("msgpack decode error: " + describe(e));
    }
    if (stx == null || stx.tx == null || stx.tx.type == null || stx.tx.sender == null) {
      throw new Rejection("msgpack decode error: not a signed transaction");
    }
    if (!Arrays.equals(bytes, reencoded)) {
      // Unknown or non-canonical fields: the bytes signed may differ from what we would check.
      throw new Rejection("msgpack decode error: signed transaction has unknown fields or is not "
          + "canonically encoded (nil values, unsorted keys, wide integers); algod would check the "
          + "signature over other bytes than were signed");
    }
    Transaction tx = stx.tx;
    byte[] txnBytes;
    byte[] groupTxid;
    try {
      txnBytes = Encoder.encodeToMsgPack(tx);
      Digest group = tx.group;
      if (group != null && !isZero(group.getBytes())) {
        tx.group = new Digest();
        try {
          groupTxid = Hashes.sha512_256(TX_PREFIX, Encoder.encodeToMsgPack(tx));
        } finally {
          tx.group = group;
        }
      } else {
        groupTxid = null;
      }
    } catch (Exception e) {
      throw new Rejection("msgpack decode error: " + describe(e));
    }
    byte[] rawId = Hashes.sha512_256(TX_PREFIX, txnBytes);
    if (groupTxid == null) {
      groupTxid = rawId;
    }
    String txid = Encoder.encodeToBase32StripPad(rawId);
    String sender = tx.sender.toString();
    Address auth = stx.authAddr != null && !isZero(stx.authAddr.getBytes()) ? stx.authAddr : tx.sender;
    verifySignature(stx, auth.getBytes(), concat(TX_PREFIX, txnBytes));
    return new SubmittedTxn(stx, bytes, txid, groupTxid, sender, auth.toString());
  }

  private static void verifySignature(SignedTransaction stx, byte[] authorizer, byte[] message) {
    boolean hasSig = stx.sig != null && !isZero(stx.sig.getBytes());
    boolean hasMsig = stx.mSig != null && stx.mSig.subsigs != null && !stx.mSig.subsigs.isEmpty();
    boolean hasLsig = stx.lSig != null && stx.lSig.logic != null;
    int kinds = (hasSig ? 1 : 0) + (hasMsig ? 1 : 0) + (hasLsig ? 1 : 0);
    if (kinds == 0) {
      throw new Rejection("signedtxn has no sig");
    }
    if (kinds > 1) {
      throw new Rejection("signedtxn should only have one of Sig or Msig or LogicSig");
    }
    if (hasLsig) {
      throw new Rejection("logic signatures are not supported by the devnet: it does not execute TEAL");
    }
    if (hasSig) {
      if (!verifyEd25519(stx.sig.getBytes(), authorizer, message)) {
        throw new Rejection("At least one signature didn't pass verification");
      }
      return;
    }
    verifyMultisig(stx.mSig, authorizer, message);
  }

  private static void verifyMultisig(MultisigSignature msig, byte[] authorizer, byte[] message) {
    if (msig.version != 1) {
      throw new Rejection("multisig: unknown version " + msig.version);
    }
    int n = msig.subsigs.size();
    if (msig.threshold < 1 || msig.threshold > n || n > 255) {
      throw new Rejection("multisig: invalid threshold " + msig.threshold + " of " + n);
    }
    byte[][] parts = new byte[n + 1][];
    parts[0] = concat(MULTISIG_PREFIX, new byte[] {(byte) msig.version, (byte) msig.threshold});
    for (int i = 0; i < n; i++) {
      MultisigSignature.MultisigSubsig sub = msig.subsigs.get(i);
      if (sub.key == null || sub.key.getBytes().length != 32) {
        throw new Rejection("multisig: subsignature " + i + " has no public key");
      }
      parts[i + 1] = sub.key.getBytes();
    }
    if (!Arrays.equals(Hashes.sha512_256(parts), authorizer)) {
      throw new Rejection("multisig: the multisig address does not match the authorizer "
          + new Address(authorizer));
    }
    int valid = 0;
    for (MultisigSignature.MultisigSubsig sub : msig.subsigs) {
      if (sub.sig == null || isZero(sub.sig.getBytes())) {
        continue;
      }
      if (!verifyEd25519(sub.sig.getBytes(), sub.key.getBytes(), message)) {
        throw new Rejection("At least one signature didn't pass verification");
      }
      valid++;
    }
    if (valid < msig.threshold) {
      throw new Rejection("multisig: " + valid + " valid signatures, fewer than the threshold "
          + msig.threshold);
    }
  }

  private static boolean verifyEd25519(byte[] sig, byte[] publicKey, byte[] message) {
    if (sig.length != Ed25519.SIGNATURE_SIZE || publicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
      return false;
    }
    KeyBytes key = new KeyBytes(publicKey);
    Ed25519.PublicPoint point = KEYS.get(key);
    if (point == null) {
      point = Ed25519.validatePublicKeyFullExport(publicKey, 0);
      if (point == null) {
        return false; // not a valid curve point, or of small order
      }
      if (KEYS.size() >= KEY_CACHE_SIZE) {
        KEYS.clear();
      }
      KEYS.put(new KeyBytes(publicKey.clone()), point);
    }
    return Ed25519.verify(sig, 0, point, message, 0, message.length);
  }

  /** The group id algod expects: SHA-512/256("TG" ‖ msgpack({"txlist": [txid...]})). */
  public static byte[] groupId(List<SubmittedTxn> group) {
    List<Object> ids = new ArrayList<>(group.size());
    for (SubmittedTxn t : group) {
      ids.add(t.groupTxid());
    }
    return Hashes.sha512_256(Hashes.ascii("TG"), Msgpack.encode(java.util.Map.of("txlist", ids)));
  }

  static boolean isZero(byte[] bytes) {
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

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String describe(Throwable e) {
    String msg = e.getMessage();
    if (msg == null || msg.isBlank()) {
      return e.getClass().getSimpleName();
    }
    // Jackson messages carry source excerpts; the first line is what a user needs.
    int nl = msg.indexOf('\n');
    return nl > 0 ? msg.substring(0, nl) : msg;
  }
}
