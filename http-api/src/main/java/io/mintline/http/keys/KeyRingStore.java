package io.mintline.http.keys;

import com.algorand.algosdk.crypto.Address;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.KeyRole;
import io.mintline.deploy.keys.KeystoreFile;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.deploy.keys.MultisigSigner;
import io.mintline.deploy.keys.Signer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The cluster's shared key ring: {@code key_ring_changes}, one row per rotation or revocation of a
 * role key, holding the new key sealed under the keystore passphrase (as {@link KeystoreFile} seals
 * it) and, for a multisig role, the new multisig. Rows are written before the rekey is sent and move
 * {@code pending → active → confirmed} or to {@code failed}; they are never deleted (they are the
 * history of who could sign for each account).
 */
public final class KeyRingStore {
  /** A change's life. */
  public enum Status {
    PENDING, ACTIVE, CONFIRMED, FAILED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /** One change as stored; {@code sealed} stays sealed until {@link #open}. */
  public record Change(long version, KeyRole role, String account, String authority, String keyAddress, String sealed,
      Integer threshold, List<String> members, String purpose, String txId, long lastValid, Status status,
      Instant updatedAt) {

    /** Whether this change's rekey may have taken effect (it is not known to have failed). */
    public boolean live() {
      return status != Status.FAILED;
    }
  }

  private final DataSource dataSource;
  private final char[] passphrase;
  private final Clock clock;

  /**
   * Seals with this when no passphrase is set, which only devnet allows ({@link KeyCustody} refuses a
   * rotation without one elsewhere): devnet keys guard nothing of value.
   */
  static final String DEVNET_PASSPHRASE = "mintline-devnet-key-ring";

  /** {@code passphrase}: {@code mintline.keys.keystore-passphrase}, the same on every node. */
  public KeyRingStore(DataSource dataSource, String passphrase, Clock clock) {
    this.dataSource = dataSource;
    this.passphrase = (passphrase.isEmpty() ? DEVNET_PASSPHRASE : passphrase).toCharArray();
    this.clock = clock;
  }

  /** What the chain's auth-addr of the account is when {@code key} signs for it. */
  public static String authority(Signer key) {
    return key instanceof MultisigSigner m ? m.multisig().address().toString() : key.keyAddress().toString();
  }

  /** Keeps {@code next} (an {@link Ed25519Signer}, or a {@link MultisigSigner} whose member is one) as pending; answers its version. */
  public long add(KeyRole role, Signer next, String purpose, String txId, long lastValid) throws SQLException {
    Ed25519Signer key = (Ed25519Signer) (next instanceof MultisigSigner m ? m.member() : next);
    String sealed = KeystoreFile.seal(role, key, passphrase);
    MultisigAccount multisig = next instanceof MultisigSigner m ? m.multisig() : null;
    long now = micros(clock.instant());
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO key_ring_changes (role, account, authority, key_address, sealed, "
            + "threshold, members, purpose, tx_id, last_valid, status, created_at, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      s.setString(1, role.id());
      s.setString(2, next.address().toString());
      s.setString(3, authority(next));
      s.setString(4, key.keyAddress().toString());
      s.setString(5, sealed);
      if (multisig == null) {
        s.setNull(6, java.sql.Types.INTEGER);
        s.setNull(7, java.sql.Types.VARCHAR);
      } else {
        s.setInt(6, multisig.threshold());
        s.setString(7, String.join(",", multisig.members().stream().map(Address::toString).toList()));
      }
      s.setString(8, purpose);
      s.setString(9, txId);
      s.setLong(10, lastValid);
      s.setLong(11, now);
      s.setLong(12, now);
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        if (!keys.next()) throw new SQLException("no version for the new key ring change");
        return keys.getLong(1);
      }
    }
  }

  /**
   * Moves change {@code version} to {@code to}, unless it is already there or past it (a change
   * confirmed or failed stays so); answers whether the row changed.
   */
  public boolean mark(long version, Status to) throws SQLException {
    List<String> from = switch (to) {
      case ACTIVE -> List.of("pending");
      case CONFIRMED -> List.of("pending", "active");
      case FAILED -> List.of("pending", "active");
      case PENDING -> List.of();
    };
    if (from.isEmpty()) return false;
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE key_ring_changes SET status = ?, updated_at = ? WHERE version = ? AND status IN ("
            + String.join(", ", from.stream().map(f -> "?").toList()) + ")")) {
      s.setString(1, to.wire());
      s.setLong(2, micros(clock.instant()));
      s.setLong(3, version);
      for (int i = 0; i < from.size(); i++) s.setString(4 + i, from.get(i));
      return s.executeUpdate() == 1;
    }
  }

  /** The changes of {@code role}'s {@code account}, newest first (at most {@code limit}). */
  public List<Change> changes(KeyRole role, String account, int limit) throws SQLException {
    List<Change> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT version, authority, key_address, sealed, threshold, members, purpose, tx_id, "
            + "last_valid, status, updated_at FROM key_ring_changes WHERE role = ? AND account = ? ORDER BY version DESC")) {
      s.setString(1, role.id());
      s.setString(2, account);
      s.setMaxRows(limit);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          int threshold = r.getInt(5);
          Integer t = r.wasNull() ? null : threshold;
          String members = r.getString(6);
          out.add(new Change(r.getLong(1), role, account, r.getString(2), r.getString(3), r.getString(4), t,
              members == null ? null : Arrays.asList(members.split(",")), r.getString(7), r.getString(8), r.getLong(9),
              Status.of(r.getString(10)), Instant.EPOCH.plus(r.getLong(11), ChronoUnit.MICROS)));
        }
      }
    }
    return out;
  }

  /** The key {@code change} keeps, signing for its account (as the multisig's member for a multisig role). */
  public Signer open(Change change) {
    Ed25519Signer key = KeystoreFile.open(change.role(), change.sealed(), passphrase);
    Address account = address(change.account());
    if (change.threshold() == null) return key.keyAddress().equals(account) ? key : key.forAccount(account);
    MultisigAccount multisig = MultisigAccount.parse(change.threshold(), change.members());
    return new MultisigSigner(change.role().id(), key, multisig, account);
  }

  private static Address address(String text) {
    try {
      return new Address(text);
    } catch (Exception e) {
      throw new IllegalStateException("a key ring change names no Algorand account: " + text, e);
    }
  }

  private static long micros(Instant at) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, at);
  }
}
