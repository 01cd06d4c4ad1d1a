package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import io.mintline.engine.persistence.ReadQueries;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.readside.Page;
import io.mintline.engine.wallet.WalletAddress;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads the {@code stickers} table through plain JDBC ({@link ReadQueries}), keyset paged by (requested_at, tip txid).
 * As in the other read sides, every value placed in SQL text has been parsed into a strict shape
 * first (a {@link WalletAddress}, a number, a cursor).
 */
public final class StickerReadSide {

  /** One sticker row. */
  public record Row(String tipTxId, String owner, String creator, String status, String txId, Long assetId, boolean golden,
      boolean claimed, long tipRound, String blockSeed, Long mintedRound, String error, Instant requestedAt) {}

  private static final String COLUMNS = "tip_tx_id, owner, creator, status, tx_id, asset_id, golden, claimed, tip_round, "
      + "block_seed, minted_round, error, requested_at";

  private final ReadQueries queries;

  public StickerReadSide(ActorSystem<?> system) {
    this.queries = ReadQueries.of(system);
  }

  /** Stickers minted for {@code owner}, oldest request first. */
  public CompletionStage<Page<Row>> byOwner(WalletAddress owner, int limit, Optional<Cursor> after) {
    List<String> where = new ArrayList<>();
    where.add("owner = '" + owner.value() + "'");
    where.add("status = 'minted'");
    after.ifPresent(c -> where.add("(requested_at > " + c.epochMicros() + " OR (requested_at = " + c.epochMicros()
        + " AND tip_tx_id > '" + c.id() + "'))"));
    String sql = "SELECT " + COLUMNS + " FROM stickers WHERE " + String.join(" AND ", where)
        + " ORDER BY requested_at, tip_tx_id LIMIT " + (limit + 1);
    return queries.list(sql, StickerReadSide::row).thenApply(rows -> {
      boolean more = rows.size() > limit;
      List<Row> items = more ? rows.subList(0, limit) : rows;
      Row last = more ? items.get(items.size() - 1) : null;
      return new Page<>(List.copyOf(items), last == null ? null : new Cursor(last.requestedAt(), last.tipTxId()).encode());
    });
  }

  public CompletionStage<Optional<Row>> byAsset(long assetId) {
    return queries.first("SELECT " + COLUMNS + " FROM stickers WHERE asset_id = " + assetId, StickerReadSide::row);
  }

  /** Owners of requests older than {@code olderThanMicros} that are still unfinished (for the sweeper). */
  public CompletionStage<List<String>> ownersWithUnfinishedMints(long olderThanMicros, int limit) {
    return queries.list("SELECT DISTINCT owner FROM stickers WHERE status = 'requested' AND updated_at < "
            + olderThanMicros + " LIMIT " + limit, r -> r.nextString());
  }

  /** A mint the chain refused for good ({@code StickerBook.MintFailed}), for operators. */
  public record FailedMint(String tipTxId, String owner, String creator, String error, Instant failedAt) {}

  /** The most recently failed mints, newest first. */
  public CompletionStage<List<FailedMint>> recentFailed(int limit) {
    return queries.list("SELECT tip_tx_id, owner, creator, error, updated_at FROM stickers WHERE status = 'failed'"
            + " ORDER BY updated_at DESC, tip_tx_id LIMIT " + limit,
        r -> new FailedMint(r.nextString(), r.nextString(), r.nextString(), r.nextString(), instant(r.nextLong())));
  }

  /** How many stickers are in each status (for tests and operators). */
  public CompletionStage<Long> count(String status) {
    String where = switch (status) {
      case "requested", "minted", "failed" -> " WHERE status = '" + status + "'";
      default -> "";
    };
    return queries.single("SELECT COUNT(*) FROM stickers" + where, r -> r.nextLong());
  }

  private static Row row(ReadQueries.Row r) throws SQLException {
    return new Row(r.nextString(), r.nextString(), r.nextString(), r.nextString(), r.nextString(), nullableLong(r.nextObject()),
        r.nextBoolean(), r.nextBoolean(), r.nextLong(), r.nextString(), nullableLong(r.nextObject()), r.nextString(),
        instant(r.nextLong()));
  }

  private static Long nullableLong(Object value) {
    return value == null ? null : ((Number) value).longValue();
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }
}
