package io.mintline.engine.wallet;

import akka.actor.typed.ActorSystem;
import io.mintline.engine.persistence.ReadQueries;
import io.mintline.engine.readside.Page;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Reads the {@code tips} table through plain JDBC ({@link ReadQueries}), a wallet's tips oldest first, keyset paged by
 * (round, txid, direction).
 *
 * <p>The SQL is plain text, so every value placed in
 * a query has a strict shape first: the wallet a {@link WalletAddress}, the cursor a {@link After}
 * parsed to a number and an uppercase base32 txid or an EVM tip id.
 */
public final class TipReadSide {

  /** One tip from one wallet's side; {@code counterparty} is the creator for sent, the fan for received. */
  public record Row(String txId, String direction, String fan, String creator, long amount, boolean belowMinimum,
      long round, String blockSeed, Instant recordedAt) {}

  /** Where a page starts: after this (round, txid, direction). Parsed strictly from its text form. */
  public record After(long round, String txId, TipReceived.Direction direction) {
    /** An Algorand txid, or an EVM tip id ({@link TipReceived#evmTipId}): both safe to place in SQL as they are. */
    private static final Pattern FORM = Pattern.compile("([0-9]{1,18})\\.([A-Z2-7]{52}|evm:[0-9]{1,19}:0x[0-9a-f]{64}:[0-9]{1,6})\\.([rs])");

    public String encode() {
      String plain = round + "." + txId + "." + (direction == TipReceived.Direction.SENT ? "s" : "r");
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when {@code text} is not a cursor this service issued */
    public static After decode(String text) {
      String plain;
      try {
        plain = new String(java.util.Base64.getUrlDecoder().decode(text), java.nio.charset.StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'after' is not a cursor from a previous page");
      }
      var m = FORM.matcher(plain);
      if (!m.matches()) throw new IllegalArgumentException("'after' is not a cursor from a previous page");
      return new After(Long.parseLong(m.group(1)), m.group(2),
          m.group(3).equals("s") ? TipReceived.Direction.SENT : TipReceived.Direction.RECEIVED);
    }
  }

  private static final String COLUMNS = "tx_id, direction, fan, creator, amount, below_minimum, round, block_seed, recorded_at";

  private final ReadQueries queries;

  public TipReadSide(ActorSystem<?> system) {
    this.queries = ReadQueries.of(system);
  }

  /** A page of the tips {@code wallet} sent or received, oldest first. */
  public CompletionStage<Page<Row>> list(WalletAddress wallet, int limit, Optional<After> after) {
    String where = "wallet = '" + wallet.value() + "'";
    if (after.isPresent()) {
      After a = after.get();
      String d = a.direction().wire();
      where += " AND (round > " + a.round() + " OR (round = " + a.round() + " AND (tx_id > '" + a.txId()
          + "' OR (tx_id = '" + a.txId() + "' AND direction > '" + d + "'))))";
    }
    String sql = "SELECT " + COLUMNS + " FROM tips WHERE " + where + " ORDER BY round, tx_id, direction LIMIT " + (limit + 1);
    return queries.list(sql, TipReadSide::row).thenApply(rows -> {
      boolean more = rows.size() > limit;
      List<Row> items = more ? rows.subList(0, limit) : rows;
      Row last = items.isEmpty() ? null : items.get(items.size() - 1);
      String next = more ? new After(last.round(), last.txId(),
          last.direction().equals("sent") ? TipReceived.Direction.SENT : TipReceived.Direction.RECEIVED).encode() : null;
      return new Page<>(List.copyOf(items), next);
    });
  }

  /** How many tip rows the read side holds (both sides counted), for operations and tests. */
  public CompletionStage<Long> count() {
    return queries.single("SELECT COUNT(*) FROM tips", r -> r.nextLong());
  }

  private static Row row(ReadQueries.Row r) throws SQLException {
    String txId = r.nextString();
    String direction = r.nextString();
    String fan = r.nextString();
    String creator = r.nextString();
    long amount = r.nextLong();
    boolean below = r.nextBoolean();
    long round = r.nextLong();
    String seed = r.nextString();
    long micros = r.nextLong();
    return new Row(txId, direction, fan, creator, amount, below, round, seed,
        Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000));
  }
}
