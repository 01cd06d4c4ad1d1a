package io.mintline.deploy.tipproxy;

import com.algorand.algosdk.builder.transaction.TransactionBuilder;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.crypto.TEALProgram;
import com.algorand.algosdk.logic.StateSchema;
import com.algorand.algosdk.transaction.Transaction;
import io.mintline.contracts.tipproxy.TipProxyProgram;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Txids;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.keys.Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Signs the transactions of a creator's onboarding with the DEPLOY key: the TipProxy app creation
 * and the payment of the app account's minimum balance. Signing is pure (no chain I/O): the caller
 * persists the result before submitting it, and can resend the same bytes after a crash.
 *
 * <p>Exactly-once comes from leases. Both transactions carry a lease derived from the deployment
 * id — {@code SHA-512/256("mintline:deploy:" ‖ id)} and {@code SHA-512/256("mintline:fund:" ‖ id)}
 * — so while one is valid the chain refuses any other deploy-account transaction with the same
 * lease ("overlapping lease"), even if it was rebuilt with other parameters. Notes say what each
 * transaction is ({@code mintline:deploy:<id>}, {@code mintline:fund:<id>}).
 *
 * <p>Validity window: {@value #DEFAULT_VALIDITY_ROUNDS} rounds from the params' last round (about
 * 9 minutes at mainnet's ~2.8 s rounds; 200 s on a devnet with 1 s rounds). Long enough for a slow
 * chain or a node restart to resend the saved bytes; short enough that a transaction lost before
 * reaching the chain may be rebuilt soon after. The protocol allows at most 1000.
 */
public final class TipProxyDeployer {
  public static final int DEFAULT_VALIDITY_ROUNDS = 200;
  /** Protocol maximum of lastValid − firstValid. */
  public static final int MAX_VALIDITY_ROUNDS = 1000;
  /** What an account with no assets or apps must hold: the app account's activation amount. */
  public static final long APP_MIN_BALANCE = 100_000;

  private final Signer deployKey;
  private final int validityRounds;
  private final SignatureLog signatureLog;

  public TipProxyDeployer(Signer deployKey) {
    this(deployKey, DEFAULT_VALIDITY_ROUNDS, SignatureLog.NONE);
  }

  public TipProxyDeployer(Signer deployKey, int validityRounds) {
    this(deployKey, validityRounds, SignatureLog.NONE);
  }

  /** @param signatureLog told of every signature ({@code deploy:<id>} or {@code fund:<id>}, txid) */
  public TipProxyDeployer(Signer deployKey, int validityRounds, SignatureLog signatureLog) {
    if (validityRounds < 1 || validityRounds > MAX_VALIDITY_ROUNDS) {
      throw new IllegalArgumentException("validity window must be 1.." + MAX_VALIDITY_ROUNDS + " rounds");
    }
    this.deployKey = deployKey;
    this.validityRounds = validityRounds;
    this.signatureLog = signatureLog;
  }

  /** The multisig the deploy role is, if it is one: then what this signs needs co-signers. */
  public java.util.Optional<io.mintline.deploy.keys.MultisigAccount> multisig() {
    return deployKey.current() instanceof io.mintline.deploy.keys.MultisigSigner m ? java.util.Optional.of(m.multisig()) : java.util.Optional.empty();
  }

  /** The account that creates the apps (and so owns the leases). */
  public Address deployAddress() {
    return deployKey.address();
  }

  /**
   * Signs the app creation for {@code deploymentId}: TipProxy's programs and schema, creator and
   * display name as the creation arguments, fee from {@code params}, valid from the params' last
   * round for the configured window.
   *
   * @throws IllegalArgumentException for a creator that is not an Algorand address, or a display
   *     name that is empty or longer than {@link TipProxyProgram#MAX_NAME_BYTES} UTF-8 bytes
   */
  public SignedDeployment signDeployment(String deploymentId, String creatorAddress, String displayName, ChainParams params) {
    Address creator = address(creatorAddress, "creator");
    byte[] name = displayName.getBytes(StandardCharsets.UTF_8);
    if (name.length == 0 || name.length > TipProxyProgram.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("display name must be 1.." + TipProxyProgram.MAX_NAME_BYTES + " UTF-8 bytes");
    }
    byte[] lease = deploymentLease(deploymentId);
    long firstValid = params.lastRound();
    long lastValid = firstValid + validityRounds;
    Signed signed = sign(fee -> leased(Transaction.ApplicationCreateTransactionBuilder()
        .approvalProgram(new TEALProgram(TipProxyProgram.approval()))
        .clearStateProgram(new TEALProgram(TipProxyProgram.clear()))
        .globalStateSchema(new StateSchema(TipProxyProgram.GLOBAL_UINTS, TipProxyProgram.GLOBAL_BYTE_SLICES))
        .localStateSchema(new StateSchema(TipProxyProgram.LOCAL_UINTS, TipProxyProgram.LOCAL_BYTE_SLICES))
        .args(List.of(creator.getBytes(), name)),
        "deploy:" + deploymentId, lease, fee, firstValid, params), params);
    signatureLog.signed(deployKey.keyId(), "deploy:" + deploymentId, signed.txId);
    return new SignedDeployment(signed.txId, signed.bytes, lease, firstValid, lastValid);
  }

  /**
   * Signs the payment of {@code microAlgos} (normally {@link #APP_MIN_BALANCE}) from the deploy
   * account to the app account, leased by {@code deploymentId} so it cannot be paid twice.
   */
  public SignedFunding signFunding(String deploymentId, String appAddress, long microAlgos, ChainParams params) {
    Address app = address(appAddress, "app");
    if (microAlgos <= 0) throw new IllegalArgumentException("funding must be positive");
    byte[] lease = fundingLease(deploymentId);
    long firstValid = params.lastRound();
    long lastValid = firstValid + validityRounds;
    Signed signed = sign(fee -> leased(Transaction.PaymentTransactionBuilder()
        .receiver(app)
        .amount(microAlgos),
        "fund:" + deploymentId, lease, fee, firstValid, params), params);
    signatureLog.signed(deployKey.keyId(), "fund:" + deploymentId, signed.txId);
    return new SignedFunding(signed.txId, signed.bytes, lease, app.toString(), microAlgos, firstValid, lastValid);
  }

  /** SHA-512/256("mintline:deploy:" ‖ deploymentId): the app creation's lease. */
  public static byte[] deploymentLease(String deploymentId) {
    return Txids.sha512_256(("mintline:deploy:" + deploymentId).getBytes(StandardCharsets.UTF_8));
  }

  /** SHA-512/256("mintline:fund:" ‖ deploymentId): the app account funding's lease. */
  public static byte[] fundingLease(String deploymentId) {
    return Txids.sha512_256(("mintline:fund:" + deploymentId).getBytes(StandardCharsets.UTF_8));
  }

  /** The address of app {@code appId}'s account: SHA-512/256("appID" ‖ uint64(appId)). */
  public static String applicationAddress(long appId) {
    try {
      return Address.forApplication(appId).toString();
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException("cannot derive the address of app " + appId, e);
    }
  }

  private record Signed(String txId, byte[] bytes) {}

  /** What both transactions share: sender, note {@code mintline:<purpose>}, lease, fee and window. */
  private Transaction leased(TransactionBuilder<?> builder, String purpose, byte[] lease, long fee,
      long firstValid, ChainParams params) {
    return builder
        .sender(deployKey.address())
        .note(("mintline:" + purpose).getBytes(StandardCharsets.UTF_8))
        .lease(lease)
        .flatFee(fee)
        .firstValid(firstValid)
        .lastValid(firstValid + validityRounds)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .build();
  }

  /**
   * Signs with the minimum fee, then — when the chain charges per byte — once more with
   * fee-per-byte × size (the fee field barely changes the size).
   */
  private Signed sign(LongFunction<Transaction> build, ChainParams params) {
    long fee = params.minFee();
    Transaction txn = build.apply(fee);
    byte[] bytes = deployKey.signToBytes(txn);
    if (params.fee() > 0) {
      // A multisig share carries one subsignature; the co-signers' add about 70 bytes each.
      long cosignatures = multisig().map(m -> (m.threshold() - 1) * 70L).orElse(0L);
      long perByte = Math.multiplyExact(params.fee(), bytes.length + 8L + cosignatures);
      if (perByte > fee) {
        txn = build.apply(perByte);
        bytes = deployKey.signToBytes(txn);
      }
    }
    return new Signed(Txids.firstTxId(bytes), bytes);
  }

  private static Address address(String value, String what) {
    try {
      return new Address(value);
    } catch (Exception e) {
      throw new IllegalArgumentException("the " + what + " address is not a valid Algorand address: " + value);
    }
  }
}
