package io.mintline.contracts.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.contracts.solidity.SourceAuditor;
import java.util.Map;

/** The rule-based {@link Auditor} as the audit job's {@link SourceAuditor}: the report and its SARIF. */
public final class RuleAuditor implements SourceAuditor {
  private final Auditor auditor;

  public RuleAuditor(Auditor auditor) {
    this.auditor = auditor;
  }

  @Override
  public Report audit(JsonNode solcOutput, Map<String, String> sources, String compilerVersion) {
    AuditReport report = auditor.audit(solcOutput, sources, compilerVersion);
    return new Report(report.toJson(), Sarif.of(report));
  }
}
