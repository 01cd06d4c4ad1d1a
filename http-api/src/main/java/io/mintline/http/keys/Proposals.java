package io.mintline.http.keys;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.SignedTxns;
import io.mintline.deploy.algorand.Txids;
import io.mintline.deploy.keys.Cosigning;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.http.auth.AuditLog;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multisig proposals: a multisig role's transaction signed with this node's share, persisted in
 * {@code key_proposals}, waiting for co-signers ({@code POST /api/v1/admin/proposals/{id}/signatures}).
 * A co-signature is verified (Ed25519, BouncyCastle) against the proposal's own signed message
 * before it is stored; when the stored signatures reach the threshold the signed transaction is
 * assembled and the proposal is {@code signed}. The transaction's owner — the deployment waiting in
 * {@link #cosign} — takes it ({@code submitted}) and submits it. A proposal whose last valid round
 * passed unsigned is {@code expired}; its owner then proposes anew.
 *
 * <p>Cluster-wide by construction: the proposal lives in the shared database, the waiting side polls
 * it every {@code poll-interval}, so a co-signature may arrive at any node.
 */
public final class Proposals implements Cosigning {
  private static final Logger log = LoggerFactory.getLogger(Proposals.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A proposal's life. */
  public enum Status {
    PENDING, SIGNED, SUBMITTED, EXPIRED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /** One proposal as stored; {@code message} is "TX" ‖ the transaction, what every signature signs. */
  public record Proposal(String id, String role, String purpose, Status status, String txId, String sender,
      String multisig, int threshold, List<String> members, byte[] message, byte[] signedBytes, long firstValid,
      long lastValid, List<String> signers, Instant createdAt, Instant updatedAt) {

    /** The unsigned transaction as msgpack (without the "TX" prefix), for wallets that sign raw transactions. */
    public byte[] transaction() {
      return Arrays.copyOfRange(message, 2, message.length);
    }
  }

  /** One co-signature offered: the member's address and its 64-byte Ed25519 signature. */
  public record Cosignature(String signer, byte[] signature) {}

  /** Why a co-signature was not taken; the routes map each to its HTTP answer. */
  public static final class Refusal extends RuntimeException {
    /** What was wrong. */
    public enum Kind { NOT_FOUND, NOT_A_MEMBER, BAD_SIGNATURE, ALREADY_SIGNED, CLOSED, EXPIRED }

    private final Kind kind;

    Refusal(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }

  private final DataSource dataSource;
  private final AlgorandGateway gateway;
  private final Executor blockingIo;
  private final Duration pollInterval;
  private final Clock clock;
  private final AuditLog auditLog;

  public Proposals(DataSource dataSource, AlgorandGateway gateway, Executor blockingIo, Duration pollInterval, Clock clock,
      AuditLog auditLog) {
    this.dataSource = dataSource;
    this.gateway = gateway;
    this.blockingIo = blockingIo;
    this.pollInterval = pollInterval;
    this.clock = clock;
    this.auditLog = auditLog;
  }

  // ---- the waiting side ----

  @Override
  public CompletionStage<Cosigned> cosign(String role, String purpose, MultisigAccount multisig, byte[] partlySigned,
      long firstValid, long lastValid) {
    return cosign(role, purpose, multisig, partlySigned, firstValid, lastValid, id -> { });
  }

  /** As {@link #cosign(String, String, MultisigAccount, byte[], long, long)}; {@code proposed} hears the proposal's id once it is stored. */
  public CompletionStage<Cosigned> cosign(String role, String purpose, MultisigAccount multisig, byte[] partlySigned,
      long firstValid, long lastValid, java.util.function.Consumer<String> proposed) {
    CompletableFuture<Cosigned> result = new CompletableFuture<>();
    CompletableFuture.supplyAsync(() -> {
      try {
        return openOrPropose(role, purpose, multisig, partlySigned, firstValid, lastValid);
      } catch (SQLException e) {
        throw new io.mintline.deploy.algorand.ChainException(io.mintline.deploy.algorand.ChainException.Kind.UNAVAILABLE,
            "the proposals table is not available: " + e.getMessage(), e);
      }
    }, blockingIo).whenComplete((id, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        proposed.accept(id);
        poll(id, result);
      }
    });
    return result;
  }

  /** Looks at proposal {@code id} once; completes {@code result} or looks again after the poll interval. */
  private void poll(String id, CompletableFuture<Cosigned> result) {
    CompletableFuture.supplyAsync(() -> {
      try {
        return find(id).orElseThrow(() -> new IllegalStateException("proposal " + id + " vanished"));
      } catch (SQLException e) {
        return null; // the database is away: look again
      }
    }, blockingIo).thenCompose(p -> p == null ? CompletableFuture.completedFuture(Optional.<Cosigned>empty())
        : gateway.params().thenApplyAsync(params -> decide(p, params.lastRound()), blockingIo))
        .whenComplete((decided, error) -> {
          if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof ProposalExpiredException || cause instanceof IllegalStateException) {
              result.completeExceptionally(cause);
              return;
            }
            // algod is away: keep waiting, the proposal is not lost
          } else if (decided.isPresent()) {
            result.complete(decided.get());
            return;
          }
          if (!result.isDone()) {
            CompletableFuture.delayedExecutor(pollInterval.toMillis(), TimeUnit.MILLISECONDS, blockingIo).execute(() -> poll(id, result));
          }
        });
  }

  /** Signed: hand it over (and mark it submitted). Past its window: expired. Otherwise: wait. */
  private Optional<Cosigned> decide(Proposal p, long lastRound) {
    try {
      if (p.status() == Status.EXPIRED || lastRound >= p.lastValid()) {
        if (p.status() != Status.EXPIRED) setStatus(p.id(), p.status(), Status.EXPIRED);
        throw new ProposalExpiredException("proposal " + p.id() + " (" + p.purpose() + ") expired at round " + p.lastValid()
            + " with " + p.signers().size() + " of " + p.threshold() + " signatures");
      }
      if (p.status() == Status.SIGNED || p.status() == Status.SUBMITTED) {
        if (p.status() == Status.SIGNED) setStatus(p.id(), Status.SIGNED, Status.SUBMITTED);
        log.info("Proposal {} ({}) has {} of {} signatures; submitting {}", p.id(), p.purpose(), p.signers().size(), p.threshold(), p.txId());
        return Optional.of(new Cosigned(p.id(), p.txId(), p.signedBytes(), p.lastValid()));
      }
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /** The open proposal of {@code purpose}, or a new one holding this node's share. */
  private String openOrPropose(String role, String purpose, MultisigAccount multisig, byte[] partlySigned, long firstValid,
      long lastValid) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement s = c.prepareStatement(
          "SELECT id FROM key_proposals WHERE purpose = ? AND status <> 'expired' ORDER BY created_at DESC")) {
        s.setString(1, purpose);
        try (ResultSet rows = s.executeQuery()) {
          if (rows.next()) return rows.getString(1);
        }
      }
      byte[] message = SignedTxns.message(partlySigned);
      String txId = Encoder.encodeToBase32StripPad(Txids.sha512_256(message));
      String sender = sender(message);
      String id = newId();
      long now = micros(clock.instant());
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement("INSERT INTO key_proposals (id, role, purpose, status, tx_id, sender, multisig, "
          + "threshold, members, txn, signed_bytes, first_valid, last_valid, created_at, updated_at) "
          + "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, id);
        s.setString(2, role);
        s.setString(3, purpose);
        s.setString(4, txId);
        s.setString(5, sender);
        s.setString(6, multisig.address().toString());
        s.setInt(7, multisig.threshold());
        s.setString(8, String.join(",", multisig.members().stream().map(Address::toString).toList()));
        s.setString(9, b64(message));
        s.setString(10, b64(partlySigned));
        s.setLong(11, firstValid);
        s.setLong(12, lastValid);
        s.setLong(13, now);
        s.setLong(14, now);
        s.executeUpdate();
      }
      int signed = 0;
      for (SignedTxns.Subsig sub : SignedTxns.multisigSubsigs(partlySigned)) {
        if (sub.signature() == null) continue;
        insertSignature(c, id, new Address(sub.publicKey()).toString(), sub.signature(), now);
        signed++;
      }
      c.commit();
      log.info("Proposal {} ({}): {} of {} signatures by {}; waiting for co-signers until round {}", id, purpose, signed,
          multisig.threshold(), multisig, lastValid);
      return id;
    }
  }

  // ---- the co-signing side ----

  /**
   * Verifies and stores {@code offered} for proposal {@code id} at chain round {@code lastRound};
   * answers the proposal as it is now.
   *
   * @throws Refusal when the proposal is unknown, closed or expired, a signer is not a member or has
   *     signed already, or a signature does not verify
   */
  public Proposal addSignatures(String id, List<Cosignature> offered, long lastRound, String actor, String requestId)
      throws SQLException {
    Proposal p = find(id).orElseThrow(() -> new Refusal(Refusal.Kind.NOT_FOUND, "no proposal " + id));
    if (p.status() == Status.EXPIRED || (p.status() == Status.PENDING && lastRound >= p.lastValid())) {
      if (p.status() == Status.PENDING) setStatus(id, Status.PENDING, Status.EXPIRED);
      throw new Refusal(Refusal.Kind.EXPIRED, "proposal " + id + " expired at round " + p.lastValid() + " (the chain is at "
          + lastRound + "); its owner proposes the transaction anew");
    }
    if (p.status() != Status.PENDING) {
      throw new Refusal(Refusal.Kind.CLOSED, "proposal " + id + " is " + p.status().wire() + ": it has its " + p.threshold() + " signatures");
    }
    Map<String, byte[]> fresh = new LinkedHashMap<>();
    for (Cosignature sig : offered) {
      if (!p.members().contains(sig.signer())) {
        throw new Refusal(Refusal.Kind.NOT_A_MEMBER, sig.signer() + " is not a member of the multisig " + p.multisig());
      }
      if (!MultisigAccount.verifies(address(sig.signer()), p.message(), sig.signature())) {
        throw new Refusal(Refusal.Kind.BAD_SIGNATURE, "the signature of " + sig.signer() + " does not verify for transaction "
            + p.txId() + " of proposal " + id);
      }
      if (!p.signers().contains(sig.signer())) fresh.put(sig.signer(), sig.signature());
    }
    if (fresh.isEmpty()) {
      throw new Refusal(Refusal.Kind.ALREADY_SIGNED, "proposal " + id + " already has the signature of " + offered.get(0).signer());
    }
    long now = micros(clock.instant());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (Map.Entry<String, byte[]> e : fresh.entrySet()) insertSignature(c, id, e.getKey(), e.getValue(), now);
      Map<Address, byte[]> all = signatures(c, id);
      MultisigAccount multisig = MultisigAccount.parse(p.threshold(), p.members());
      byte[] assembled = multisig.encode(transaction(p), all);
      boolean complete = all.size() >= p.threshold();
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE key_proposals SET signed_bytes = ?, status = ?, updated_at = ? WHERE id = ? AND status = 'pending'")) {
        s.setString(1, b64(assembled));
        s.setString(2, (complete ? Status.SIGNED : Status.PENDING).wire());
        s.setLong(3, now);
        s.setString(4, id);
        if (s.executeUpdate() != 1) {
          c.rollback();
          throw new Refusal(Refusal.Kind.CLOSED, "proposal " + id + " was completed meanwhile");
        }
      }
      for (String signer : fresh.keySet()) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("signer", signer);
        details.put("role", p.role());
        details.put("purpose", p.purpose());
        details.put("txId", p.txId());
        details.put("signatures", all.size());
        details.put("threshold", p.threshold());
        auditLog.append(c, new AuditLog.Entry(actor, "proposal.signed", id, details, requestId));
      }
      c.commit();
      log.info("Proposal {} ({}): {} of {} signatures{}", id, p.purpose(), all.size(), p.threshold(), complete ? "; complete" : "");
    }
    return find(id).orElseThrow();
  }

  /** Proposals newest first, optionally of one status (pending ones past their window read as expired). */
  public List<Proposal> list(Optional<Status> status, int limit, long lastRound) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id FROM key_proposals ORDER BY created_at DESC, id DESC")) {
      s.setMaxRows(limit * 4 + 100);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) ids.add(rows.getString(1));
      }
    }
    List<Proposal> out = new ArrayList<>();
    for (String id : ids) {
      Proposal p = asSeenAt(find(id).orElseThrow(), lastRound);
      if (status.isPresent() && p.status() != status.get()) continue;
      out.add(p);
      if (out.size() == limit) break;
    }
    return out;
  }

  /** One proposal as of chain round {@code lastRound}. */
  public Optional<Proposal> get(String id, long lastRound) throws SQLException {
    return find(id).map(p -> asSeenAt(p, lastRound));
  }

  private static Proposal asSeenAt(Proposal p, long lastRound) {
    if (p.status() != Status.PENDING || lastRound < p.lastValid()) return p;
    return new Proposal(p.id(), p.role(), p.purpose(), Status.EXPIRED, p.txId(), p.sender(), p.multisig(), p.threshold(),
        p.members(), p.message(), p.signedBytes(), p.firstValid(), p.lastValid(), p.signers(), p.createdAt(), p.updatedAt());
  }

  /** The newest proposal of {@code purpose}, if any (a key ring change finds its rekey's proposal so). */
  Optional<Proposal> byPurpose(String purpose) throws SQLException {
    String id;
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id FROM key_proposals WHERE purpose = ? ORDER BY created_at DESC")) {
      s.setString(1, purpose);
      s.setMaxRows(1);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) return Optional.empty();
        id = rows.getString(1);
      }
    }
    return find(id);
  }

  /** Marks signed proposal {@code id} submitted; answers whether this call did, so that one node submits it. */
  boolean take(String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE key_proposals SET status = 'submitted', updated_at = ? WHERE id = ? AND status = 'signed'")) {
      s.setLong(1, micros(clock.instant()));
      s.setString(2, id);
      return s.executeUpdate() == 1;
    }
  }

  // ---- storage ----

  Optional<Proposal> find(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Proposal p;
      try (PreparedStatement s = c.prepareStatement("SELECT id, role, purpose, status, tx_id, sender, multisig, threshold, members, "
          + "txn, signed_bytes, first_valid, last_valid, created_at, updated_at FROM key_proposals WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) return Optional.empty();
          p = new Proposal(r.getString(1), r.getString(2), r.getString(3), Status.of(r.getString(4)), r.getString(5),
              r.getString(6), r.getString(7), r.getInt(8), List.of(r.getString(9).split(",")), unb64(r.getString(10)),
              unb64(r.getString(11)), r.getLong(12), r.getLong(13), List.of(), instant(r.getLong(14)), instant(r.getLong(15)));
        }
      }
      List<String> signers = new ArrayList<>();
      for (Address a : signatures(c, id).keySet()) signers.add(a.toString());
      // in member order, as the multisig lists them
      signers.sort(java.util.Comparator.comparingInt(p.members()::indexOf));
      return Optional.of(new Proposal(p.id(), p.role(), p.purpose(), p.status(), p.txId(), p.sender(), p.multisig(), p.threshold(),
          p.members(), p.message(), p.signedBytes(), p.firstValid(), p.lastValid(), List.copyOf(signers), p.createdAt(), p.updatedAt()));
    }
  }

  private static Map<Address, byte[]> signatures(Connection c, String id) throws SQLException {
    Map<Address, byte[]> out = new LinkedHashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT signer, signature FROM key_proposal_signatures WHERE proposal_id = ?")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          try {
            out.put(new Address(r.getString(1)), unb64(r.getString(2)));
          } catch (Exception e) {
            throw new SQLException("a stored signer is not an address: " + r.getString(1), e);
          }
        }
      }
    }
    return out;
  }

  private static void insertSignature(Connection c, String id, String signer, byte[] signature, long now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO key_proposal_signatures (proposal_id, signer, signature, created_at) VALUES (?, ?, ?, ?)")) {
      s.setString(1, id);
      s.setString(2, signer);
      s.setString(3, b64(signature));
      s.setLong(4, now);
      s.executeUpdate();
    }
  }

  private void setStatus(String id, Status from, Status to) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE key_proposals SET status = ?, updated_at = ? WHERE id = ? AND status = ?")) {
      s.setString(1, to.wire());
      s.setLong(2, micros(clock.instant()));
      s.setString(3, id);
      s.setString(4, from.wire());
      if (s.executeUpdate() == 1 && to == Status.EXPIRED) log.warn("Proposal {} expired before its co-signers signed it", id);
    }
  }

  private static Address address(String text) {
    try {
      return new Address(text);
    } catch (Exception e) {
      throw new Refusal(Refusal.Kind.NOT_A_MEMBER, text + " is not an Algorand address");
    }
  }

  private static Transaction transaction(Proposal p) {
    try {
      return Encoder.decodeFromMsgPack(p.transaction(), Transaction.class);
    } catch (IOException e) {
      throw new IllegalStateException("stored proposal " + p.id() + " does not decode", e);
    }
  }

  private static String sender(byte[] message) {
    try {
      return Encoder.decodeFromMsgPack(Arrays.copyOfRange(message, 2, message.length), Transaction.class).sender.toString();
    } catch (IOException e) {
      throw new IllegalArgumentException("the proposed transaction does not decode", e);
    }
  }

  /** prop_ + milliseconds (12 hex digits, so ids sort by time) + 16 random hex digits. */
  private String newId() {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return "prop_" + String.format("%012x", clock.millis()) + HexFormat.of().formatHex(random);
  }

  private static long micros(Instant at) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, at);
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] unb64(String s) {
    return Base64.getDecoder().decode(s);
  }
}
