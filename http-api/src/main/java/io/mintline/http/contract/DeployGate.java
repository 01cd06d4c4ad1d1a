package io.mintline.http.contract;

import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.contracts.solidity.SourceHash;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.job.JobReadSide;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The deploy gate: a deploy of sources whose latest audit (same {@code sourceHash}) has CRITICAL
 * findings is refused with {@code 409 critical_findings}, listing them, unless the request
 * acknowledges every one of them by id. Such an override is written to {@code audit_logs}
 * (action {@code deploy.critical_override}: who, the source hash, the finding ids, the audit job,
 * the request id) <em>before</em> the deploy may go on; if the row cannot be written the deploy
 * does not go on either. Sources never audited pass ({@link Decision#audited()} is false), so the
 * deploy route decides whether to require an audit first.
 */
public final class DeployGate {
  public static final String OVERRIDE_ACTION = "deploy.critical_override";

  /**
   * What the gate decided.
   *
   * @param audited whether an audit of the sources exists
   * @param auditJobId the audit consulted, or null
   * @param critical the CRITICAL findings of that audit (as the audit reported them)
   * @param unacknowledged the ids among them the request did not acknowledge
   * @param overridden true when critical findings were acknowledged and the override logged
   */
  public record Decision(boolean audited, String auditJobId, List<JsonNode> critical, List<String> unacknowledged,
      boolean overridden) {
    public boolean allowed() {
      return unacknowledged.isEmpty();
    }
  }

  private final JobReadSide readSide;
  private final JobClient jobs;
  private final AuditLog auditLog;
  private final DataSource dataSource;
  private final Executor blockingIo;

  public DeployGate(JobReadSide readSide, JobClient jobs, AuditLog auditLog, DataSource dataSource, Executor blockingIo) {
    this.readSide = readSide;
    this.jobs = jobs;
    this.auditLog = auditLog;
    this.dataSource = dataSource;
    this.blockingIo = blockingIo;
  }

  /**
   * Checks a deploy of compile job {@code compileJobId} (the caller's own, succeeded); see
   * {@link #check(Principal, String, List, String)}.
   */
  public CompletionStage<Decision> checkCompileJob(Principal principal, String compileJobId, List<String> acknowledged,
      String requestId) {
    if (!JobEntity.validId(compileJobId)) throw new ApiException(ApiError.NOT_FOUND, "no compile job " + compileJobId);
    return jobs.get(compileJobId).thenCompose(job -> {
      boolean mine = job.owner() != null && (JobRoutes.admin(principal)
          || job.owner().equals(WalletAddress.parse(principal.subject()).value()));
      if (job.status() == JobEntity.Status.NEW || !ContractJobs.COMPILE.equals(job.type()) || !mine) {
        throw new ApiException(ApiError.NOT_FOUND, "no compile job " + compileJobId);
      }
      if (job.status() != JobEntity.Status.SUCCEEDED) {
        throw new ApiException(ApiError.CONFLICT, "compile job " + compileJobId + " is " + job.status().wire() + ", not succeeded");
      }
      return check(principal, job.sourceHash(), acknowledged, requestId);
    });
  }

  /**
   * The decision for deploying sources {@code sourceHash} with {@code acknowledged} finding ids;
   * when critical findings are all acknowledged, the override row is written before this completes.
   */
  public CompletionStage<Decision> check(Principal principal, String sourceHash, List<String> acknowledged, String requestId) {
    if (!SourceHash.valid(sourceHash)) throw new ApiException(ApiError.INVALID_PARAMETER, "sourceHash must be 64 hex digits");
    Set<String> acked = Set.copyOf(acknowledged == null ? List.of() : acknowledged);
    // The read side lags the jobs: an audit that has just succeeded may still be listed as running,
    // and deciding on the read side alone would pass its CRITICAL findings as "never audited". The
    // newest audit of these sources, when not listed as finished, is asked directly.
    return readSide.newestAudit(sourceHash).thenCompose(newest -> {
      if (newest.isEmpty() || FINISHED.contains(newest.get().status())) return fromReadSide(principal, sourceHash, acked, requestId);
      String auditJobId = newest.get().id();
      return jobs.get(auditJobId).thenCompose(job -> {
        if (job.status() == JobEntity.Status.SUCCEEDED) return decide(principal, sourceHash, acked, auditJobId, job, requestId);
        if (job.status() == JobEntity.Status.QUEUED || job.status() == JobEntity.Status.RUNNING) {
          throw new ApiException(ApiError.CONFLICT, "the audit of these sources (job " + auditJobId + ") is "
              + job.status().wire() + "; deploy when it has finished");
        }
        return fromReadSide(principal, sourceHash, acked, requestId);
      });
    });
  }

  private static final Set<String> FINISHED = Set.of(JobEntity.Status.SUCCEEDED.wire(), JobEntity.Status.FAILED.wire());

  /** The decision on the latest succeeded audit the read side lists. */
  private CompletionStage<Decision> fromReadSide(Principal principal, String sourceHash, Set<String> acked, String requestId) {
    return readSide.latestAudit(sourceHash).thenCompose(audit -> {
      if (audit.isEmpty()) return CompletableFuture.completedFuture(new Decision(false, null, List.of(), List.of(), false));
      JobReadSide.Row row = audit.get();
      if (row.criticalFindings() == null || row.criticalFindings() == 0) {
        return CompletableFuture.completedFuture(new Decision(true, row.id(), List.of(), List.of(), false));
      }
      return jobs.get(row.id()).thenCompose(job -> decide(principal, sourceHash, acked, row.id(), job, requestId));
    });
  }

  /** The decision on succeeded audit {@code job}'s findings; an acknowledged override is logged first. */
  private CompletionStage<Decision> decide(Principal principal, String sourceHash, Set<String> acked, String auditJobId,
      JobEntity.Summary job, String requestId) {
    List<JsonNode> critical = new ArrayList<>();
    Optional.ofNullable(job.result()).map(r -> r.path("report").path("findings")).ifPresent(findings -> findings.forEach(f -> {
      if ("CRITICAL".equals(f.path("severity").asText())) critical.add(f);
    }));
    List<String> missing = critical.stream().map(f -> f.path("id").asText()).filter(id -> !acked.contains(id)).toList();
    if (!missing.isEmpty() || critical.isEmpty()) {
      return CompletableFuture.completedFuture(new Decision(true, auditJobId, critical, missing, false));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sourceHash", sourceHash);
    details.put("findingIds", critical.stream().map(f -> f.path("id").asText()).toList());
    details.put("auditJobId", auditJobId);
    AuditLog.Entry entry = new AuditLog.Entry(principal.subject(), OVERRIDE_ACTION, "source:" + sourceHash, details, requestId);
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        auditLog.append(c, entry);
      } catch (SQLException e) {
        throw new ApiException(ApiError.NOT_READY, "the override could not be written to the audit log; try again");
      }
      return new Decision(true, auditJobId, critical, List.of(), true);
    }, blockingIo);
  }

  /** The {@code 409 critical_findings} answer for a refused decision, listing the findings. */
  public static HttpResponse refusal(Decision decision, String requestId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", ApiError.CRITICAL_FINDINGS.error());
    body.put("message", "the audit of these sources (job " + decision.auditJobId() + ") has " + decision.critical().size()
        + " CRITICAL finding(s); deploying needs \"acknowledge\" naming every one: " + String.join(", ", decision.unacknowledged()));
    body.put("code", ApiError.CRITICAL_FINDINGS.code());
    body.put("retry", ApiError.CRITICAL_FINDINGS.retry());
    body.put("requestId", requestId);
    body.put("auditJobId", decision.auditJobId());
    body.set("findings", Json.MAPPER.valueToTree(decision.critical()));
    body.set("unacknowledged", Json.MAPPER.valueToTree(decision.unacknowledged()));
    return Json.response(ApiError.CRITICAL_FINDINGS.status(), body);
  }
}
