package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.persistence.ReadSideProjections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Base64;

/**
 * Builds the {@code stickers} table from sticker book events, exactly once (offset and rows in one
 * transaction), one projection per sticker book tag slice (projection ids {@code stickers/stickers-N}; the wallet
 * journals' sticker events of before the sticker book were projected under {@code stickers/wallet-N}), spread over the cluster. Events are applied in
 * groups per transaction ({@code mintline.projections.group-size}, or what arrived within its group-window): at
 * thousands of mints a second a transaction per event would make the read side the bottleneck; within
 * a group, runs of the same statement are sent as one JDBC batch.
 */
public final class StickerProjection extends JdbcHandler<List<EventEnvelope<StickerBook.Event>>, PooledJdbcSession> {
  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<StickerBook.Event>grouped(system, "stickers",
        ReadSideProjections.slices("stickers", StickerBook.TAG_SLICES), StickerProjection::new);
  }


  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<StickerBook.Event>> envelopes) throws Exception {
    session.withConnection(connection -> {
      try (Batches batches = new Batches(connection)) {
        for (EventEnvelope<StickerBook.Event> envelope : envelopes) apply(batches, envelope.event());
      }
      return null;
    });
  }

  /** A request becomes a row, or refreshes the txid of a row still waiting (a rebuilt request). */
  static final String REQUESTED = "MERGE INTO stickers s USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), "
      + "CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), CAST(? AS BOOLEAN), CAST(? AS BIGINT), CAST(? AS VARCHAR(64)), "
      + "CAST(? AS BIGINT))) AS v (tip_tx_id, owner, creator, tx_id, golden, tip_round, block_seed, at) "
      + "ON s.tip_tx_id = v.tip_tx_id "
      + "WHEN MATCHED AND s.status = 'requested' THEN UPDATE SET tx_id = v.tx_id, updated_at = v.at "
      + "WHEN NOT MATCHED THEN INSERT (tip_tx_id, owner, creator, status, tx_id, golden, claimed, tip_round, block_seed, "
      + "requested_at, updated_at) VALUES (v.tip_tx_id, v.owner, v.creator, 'requested', v.tx_id, v.golden, FALSE, "
      + "v.tip_round, v.block_seed, v.at, v.at)";
  static final String MINTED = "UPDATE stickers SET status = 'minted', asset_id = ?, golden = ?, minted_round = ?, tx_id = ?, "
      + "updated_at = ? WHERE tip_tx_id = ?";
  static final String FAILED = "UPDATE stickers SET status = 'failed', error = ?, updated_at = ? WHERE tip_tx_id = ? AND status <> 'minted'";
  static final String CLAIMED = "UPDATE stickers SET claimed = TRUE, claim_tx_id = ?, updated_at = ? WHERE tip_tx_id = ?";

  private static void apply(Batches batches, StickerBook.Event event) throws SQLException {
    if (event instanceof StickerBook.MintRequested e) {
      batches.add(REQUESTED, e.tipTxId(), e.address(), e.creator(), e.txId(), e.golden(), e.tipRound(),
          e.blockSeed() == null ? null : Base64.getEncoder().encodeToString(e.blockSeed()), micros(e.at()));
    } else if (event instanceof StickerBook.StickerMinted e) {
      batches.add(MINTED, e.assetId(), e.golden(), e.round(), e.txId(), micros(e.at()), e.tipTxId());
    } else if (event instanceof StickerBook.MintFailed e) {
      batches.add(FAILED, e.reason().length() > 1000 ? e.reason().substring(0, 1000) : e.reason(), micros(e.at()), e.tipTxId());
    } else if (event instanceof StickerBook.StickerClaimed e) {
      batches.add(CLAIMED, e.txId(), micros(e.at()), e.tipTxId());
    }
  }

  /**
   * Runs of the same statement go to the database as one JDBC batch; a different statement first
   * sends the run before it, so the rows change in event order (a tip's request before its sticker).
   */
  static final class Batches implements AutoCloseable {
    private final Connection connection;
    private String sql;
    private PreparedStatement statement;

    Batches(Connection connection) {
      this.connection = connection;
    }

    void add(String sql, Object... values) throws SQLException {
      if (!sql.equals(this.sql)) {
        flush();
        this.sql = sql;
        this.statement = connection.prepareStatement(sql);
      }
      for (int i = 0; i < values.length; i++) statement.setObject(i + 1, values[i]);
      statement.addBatch();
    }

    private void flush() throws SQLException {
      if (statement == null) return;
      try (PreparedStatement s = statement) {
        s.executeBatch();
      } finally {
        statement = null;
        sql = null;
      }
    }

    @Override
    public void close() throws SQLException {
      flush();
    }
  }

  private static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
