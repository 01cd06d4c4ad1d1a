package io.mintline.engine.deployment;

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
 * Reads the {@code deployments} table through plain JDBC ({@link ReadQueries}) on the node's shared pool, keyset
 * paged by (created_at, id).
 *
 * <p>The SQL is plain text, so every value placed in
 * a query has been parsed into a strict shape first: an owner is a {@link WalletAddress} (base32
 * or 0x-hex), a status one of {@link DeploymentEntity.Status}, a cursor numbers and an
 * alphanumeric id. Nothing a caller typed reaches the SQL text unparsed.
 */
public final class DeploymentReadSide {

  /** One row as the API shows it. */
  public record Row(
      String id, String owner, String network, String displayName, String status, String txId, Long appId,
      String appAddress, Long confirmedRound, String error, Instant createdAt, Instant updatedAt, String kind,
      String txHash, Long nonce, String contractAddress, Long blockNumber, String blockHash, Long gasUsed) {}

  private static final String COLUMNS =
      "id, owner, network, display_name, status, tx_id, app_id, app_address, confirmed_round, error, created_at, updated_at, "
          + "kind, tx_hash, nonce, contract_address, block_number, block_hash, gas_used";

  private final ReadQueries queries;

  public DeploymentReadSide(ActorSystem<?> system) {
    this.queries = ReadQueries.of(system);
  }

  public CompletionStage<Optional<Row>> byId(String id) {
    if (!DeploymentId.valid(id)) return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    return queries.first("SELECT " + COLUMNS + " FROM deployments WHERE id = '" + id + "'", DeploymentReadSide::row);
  }

  /** A page of deployments, optionally of one owner and/or in one status, oldest first. */
  public CompletionStage<Page<Row>> list(
      Optional<WalletAddress> owner, Optional<DeploymentEntity.Status> status, int limit, Optional<Cursor> after) {
    List<String> where = new ArrayList<>();
    owner.ifPresent(o -> where.add("owner = '" + o.value() + "'"));
    status.ifPresent(s -> where.add("status = '" + s.wire() + "'"));
    after.ifPresent(c -> where.add("(created_at > " + c.epochMicros() + " OR (created_at = " + c.epochMicros()
        + " AND id > '" + c.id() + "'))"));
    String sql = "SELECT " + COLUMNS + " FROM deployments"
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY created_at, id LIMIT " + (limit + 1);
    return queries.list(sql, DeploymentReadSide::row)
        .thenApply(rows -> {
          boolean more = rows.size() > limit;
          List<Row> items = more ? rows.subList(0, limit) : rows;
          String next = more ? new Cursor(items.get(items.size() - 1).createdAt(), items.get(items.size() - 1).id()).encode() : null;
          return new Page<>(List.copyOf(items), next);
        });
  }

  private static Row row(ReadQueries.Row r) throws SQLException {
    return new Row(r.nextString(), r.nextString(), r.nextString(), r.nextString(), r.nextString(), r.nextString(),
        nullableLong(r.nextObject()), r.nextString(), nullableLong(r.nextObject()), r.nextString(),
        instant(r.nextLong()), instant(r.nextLong()), r.nextString(), r.nextString(), nullableLong(r.nextObject()),
        r.nextString(), nullableLong(r.nextObject()), r.nextString(), nullableLong(r.nextObject()));
  }

  private static Long nullableLong(Object value) {
    return value == null ? null : ((Number) value).longValue();
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }
}
