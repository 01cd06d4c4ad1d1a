package io.mintline.engine.job;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Reads the {@code jobs} table through plain JDBC ({@link ReadQueries}), keyset paged by (created_at, id), newest
 * first. As in {@code DeploymentReadSide}, every value placed in SQL text has been parsed into a
 * strict shape first (a {@link WalletAddress}, a {@link JobEntity.Status}, a type of lowercase
 * letters, a hex hash, a decoded {@link Cursor}).
 */
public final class JobReadSide {
  private static final Pattern TYPE = Pattern.compile("[a-z]{1,16}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  /** One row as lists show it (the result and input stay in the job). */
  public record Row(
      String id, String type, String owner, String status, int attempts, String sourceHash, Integer criticalFindings,
      String error, Instant createdAt, Instant updatedAt) {}

  private static final String COLUMNS =
      "id, job_type, owner, status, attempts, source_hash, critical_findings, error, created_at, updated_at";

  private final ReadQueries queries;

  public JobReadSide(ActorSystem<?> system) {
    this.queries = ReadQueries.of(system);
  }

  /** A page of jobs, optionally of one owner, type and/or status, newest first. */
  public CompletionStage<Page<Row>> list(Optional<WalletAddress> owner, Optional<String> type,
      Optional<JobEntity.Status> status, int limit, Optional<Cursor> after) {
    List<String> where = new ArrayList<>();
    owner.ifPresent(o -> where.add("owner = '" + o.value() + "'"));
    type.ifPresent(t -> {
      if (!TYPE.matcher(t).matches()) throw new IllegalArgumentException("bad job type");
      where.add("job_type = '" + t + "'");
    });
    status.ifPresent(s -> where.add("status = '" + s.wire() + "'"));
    after.ifPresent(c -> where.add("(created_at < " + c.epochMicros() + " OR (created_at = " + c.epochMicros()
        + " AND id < '" + c.id() + "'))"));
    String sql = "SELECT " + COLUMNS + " FROM jobs"
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY created_at DESC, id DESC LIMIT " + (limit + 1);
    return queries.list(sql, JobReadSide::row)
        .thenApply(rows -> {
          boolean more = rows.size() > limit;
          List<Row> items = more ? rows.subList(0, limit) : rows;
          String next = more ? new Cursor(items.get(items.size() - 1).createdAt(), items.get(items.size() - 1).id()).encode() : null;
          return new Page<>(List.copyOf(items), next);
        });
  }

  /** The most recently finished succeeded audit of {@code sourceHash}, if any. */
  public CompletionStage<Optional<Row>> latestAudit(String sourceHash) {
    if (sourceHash == null || !HASH.matcher(sourceHash).matches()) return CompletableFuture.completedFuture(Optional.empty());
    return queries.first("SELECT " + COLUMNS + " FROM jobs WHERE source_hash = '" + sourceHash
            + "' AND job_type = 'audit' AND status = 'succeeded' ORDER BY updated_at DESC, id DESC LIMIT 1", JobReadSide::row);
  }

  /**
   * The newest audit job of {@code sourceHash} whatever its status: the read side may still show a
   * job as queued or running that has already succeeded, so a caller that must not miss a finished
   * audit asks the job itself about this one.
   */
  public CompletionStage<Optional<Row>> newestAudit(String sourceHash) {
    if (sourceHash == null || !HASH.matcher(sourceHash).matches()) return CompletableFuture.completedFuture(Optional.empty());
    return queries.first("SELECT " + COLUMNS + " FROM jobs WHERE source_hash = '" + sourceHash
            + "' AND job_type = 'audit' ORDER BY created_at DESC, id DESC LIMIT 1", JobReadSide::row);
  }

  private static Row row(ReadQueries.Row r) throws SQLException {
    return new Row(r.nextString(), r.nextString(), r.nextString(), r.nextString(), r.nextInt(), r.nextString(),
        nullableInt(r.nextObject()), r.nextString(), instant(r.nextLong()), instant(r.nextLong()));
  }

  private static Integer nullableInt(Object value) {
    return value == null ? null : ((Number) value).intValue();
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
  }
}
