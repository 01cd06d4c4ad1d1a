package io.mintline.engine.job;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.engine.persistence.EntityRowHandler;
import io.mintline.engine.persistence.ReadSideProjections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * Builds the {@code jobs} read-side table from job events, exactly once (row change and offset in
 * one transaction); one instance in the cluster as a sharded daemon process. A succeeded audit's
 * count of CRITICAL findings ({@code result.report.summary.CRITICAL}) is kept for the deploy gate.
 */
public final class JobProjection extends EntityRowHandler<JobEntity.Event> {

  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<JobEntity.Event>exactlyOnce(system, "jobs", List.of(JobEntity.TAG), JobProjection::new);
  }

  @Override
  protected void apply(Connection c, String id, JobEntity.Event event) throws SQLException {
    if (event instanceof JobEntity.Queued e) {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO jobs (id, job_type, owner, status, attempts, source_hash, created_at, updated_at) "
              + "SELECT ?, ?, ?, 'queued', 0, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE id = ?)")) {
        s.setString(1, id);
        s.setString(2, e.type());
        s.setString(3, e.owner());
        s.setString(4, e.sourceHash());
        s.setLong(5, micros(e.at()));
        s.setLong(6, micros(e.at()));
        s.setString(7, id);
        s.executeUpdate();
      }
    } else if (event instanceof JobEntity.Started e) {
      update(c, id, "running", e.attempt(), null, null, e.at());
    } else if (event instanceof JobEntity.AttemptFailed e) {
      update(c, id, "queued", null, null, e.error(), e.at());
    } else if (event instanceof JobEntity.Succeeded e) {
      JsonNode critical = e.result() == null ? null : e.result().path("report").path("summary").path("CRITICAL");
      update(c, id, "succeeded", null, critical != null && critical.canConvertToInt() ? critical.asInt() : null, null, e.at());
    } else if (event instanceof JobEntity.Failed e) {
      update(c, id, "failed", null, null, e.error(), e.at());
    }
  }

  private static void update(Connection c, String id, String status, Integer attempts, Integer critical, String error,
      Instant at) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE jobs SET status = ?, attempts = COALESCE(?, attempts), critical_findings = COALESCE(?, critical_findings), "
            + "error = ?, updated_at = ? WHERE id = ?")) {
      s.setString(1, status);
      if (attempts == null) s.setNull(2, Types.INTEGER); else s.setInt(2, attempts);
      if (critical == null) s.setNull(3, Types.INTEGER); else s.setInt(3, critical);
      s.setString(4, error == null ? null : error.length() <= 1024 ? error : error.substring(0, 1024));
      s.setLong(5, micros(at));
      s.setString(6, id);
      s.executeUpdate();
    }
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
