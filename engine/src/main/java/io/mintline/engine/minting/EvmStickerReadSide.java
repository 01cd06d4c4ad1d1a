package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import io.mintline.engine.persistence.BlockingJdbc;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.readside.Page;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code evm_stickers} table that {@link EvmStickerMinter} writes: a wallet's EVM
 * stickers oldest first, keyset paged by (minted at, id), and one sticker by id. Bound parameters
 * throughout; cursors are still parsed strictly so that a forged one is a clear 400.
 */
public final class EvmStickerReadSide {

  /** One EVM sticker. */
  public record Row(String id, String tipTxId, String owner, String creator, String network, long chainId, String collection,
      String tokenId, boolean golden, long tipBlock, String blockHash, String mintTx, long mintedBlock, long mintedAtMicros) {}

  /** Where a page starts: after (minted at, id). */
  public record After(long mintedAtMicros, String id) {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,18})\\|(evm:[0-9]{1,19}:0x[0-9a-f]{40}:[0-9]{1,78})");

    public String encode() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString((mintedAtMicros + "|" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when {@code text} is not a cursor this service issued */
    public static After decode(String text) {
      String plain;
      try {
        plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'after' is not a cursor from a previous page");
      }
      Matcher m = FORM.matcher(plain);
      if (!m.matches()) throw new IllegalArgumentException("'after' is not a cursor from a previous page");
      return new After(Long.parseLong(m.group(1)), m.group(2));
    }
  }

  /** The form of an EVM sticker id: {@code evm:<chainId>:<collection>:<tokenId>}. */
  public static final Pattern ID = Pattern.compile("evm:[0-9]{1,19}:0x[0-9a-f]{40}:[0-9]{1,78}");

  private static final String COLUMNS = "id, tip_tx_id, owner, creator, network, chain_id, collection, token_id, golden, tip_block, "
      + "block_hash, mint_tx, minted_block, minted_at";

  private final BlockingJdbc jdbc;

  public EvmStickerReadSide(ActorSystem<?> system) {
    this.jdbc = new BlockingJdbc(JournalDatabase.get(system).dataSource(),
        system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher")));
  }

  /** A page of {@code owner}'s EVM stickers, oldest first. */
  public CompletionStage<Page<Row>> byOwner(String owner, int limit, Optional<After> after) {
    return jdbc.io(c -> {
      String sql = "SELECT " + COLUMNS + " FROM evm_stickers WHERE owner = ?"
          + (after.isPresent() ? " AND (minted_at > ? OR (minted_at = ? AND id > ?))" : "") + " ORDER BY minted_at, id LIMIT ?";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int i = 1;
        s.setString(i++, owner);
        if (after.isPresent()) {
          s.setLong(i++, after.get().mintedAtMicros());
          s.setLong(i++, after.get().mintedAtMicros());
          s.setString(i++, after.get().id());
        }
        s.setInt(i, limit + 1);
        List<Row> rows = rows(s);
        boolean more = rows.size() > limit;
        List<Row> items = more ? rows.subList(0, limit) : rows;
        Row last = items.isEmpty() ? null : items.get(items.size() - 1);
        return new Page<>(List.copyOf(items), more ? new After(last.mintedAtMicros(), last.id()).encode() : null);
      }
    });
  }

  public CompletionStage<Optional<Row>> byId(String id) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM evm_stickers WHERE id = ?")) {
        s.setString(1, id);
        return rows(s).stream().findFirst();
      }
    });
  }

  /** How many EVM stickers the read side holds. */
  public CompletionStage<Long> count() {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM evm_stickers"); ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    });
  }

  private static List<Row> rows(PreparedStatement s) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6),
            r.getString(7), r.getString(8), r.getBoolean(9), r.getLong(10), r.getString(11), r.getString(12), r.getLong(13),
            r.getLong(14)));
      }
    }
    return rows;
  }

}
