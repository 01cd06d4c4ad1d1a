package io.mintline.http.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.job.JobReadSide;
import io.mintline.http.Json;
import java.time.Instant;

/**
 * A job as the API shows it. {@code result} is the compile result or the audit report; a failed
 * job's {@code error} holds the message, whether retrying could help, and what the work reported
 * (a compiler's errors and warnings with file, line and column).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
    String id, String type, String owner, String status, int attempts, String sourceHash, JsonNode result,
    ObjectNode error, Instant createdAt, Instant updatedAt) {

  static JobView of(JobEntity.Summary s) {
    JsonNode result = s.result();
    if (result != null && ContractJobs.AUDIT.equals(s.type()) && result.has("report")) result = result.get("report");
    return new JobView(s.id(), s.type(), s.owner(), s.status().wire(), s.attempts(), s.sourceHash(), result, error(s),
        s.createdAt(), s.updatedAt());
  }

  /** A failed job's error, or a queued job's last failed attempt; null otherwise. */
  private static ObjectNode error(JobEntity.Summary s) {
    if (s.error() == null || !(s.status() == JobEntity.Status.FAILED || s.status() == JobEntity.Status.QUEUED)) return null;
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("message", s.error());
    error.put("retryable", Boolean.TRUE.equals(s.retryable()));
    if (s.errorDetails() != null && s.errorDetails().isObject()) {
      s.errorDetails().fields().forEachRemaining(f -> {
        if (!error.has(f.getKey())) error.set(f.getKey(), f.getValue());
      });
    }
    return error;
  }

  static JobView of(JobReadSide.Row r) {
    ObjectNode error = null;
    if (r.error() != null) {
      error = Json.MAPPER.createObjectNode();
      error.put("message", r.error());
    }
    return new JobView(r.id(), r.type(), r.owner(), r.status(), r.attempts(), r.sourceHash(), null, error,
        r.createdAt(), r.updatedAt());
  }
}
