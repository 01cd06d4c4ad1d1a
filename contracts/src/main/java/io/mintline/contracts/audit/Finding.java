package io.mintline.contracts.audit;

import java.util.Objects;

/**
 * One rule hit at one place. {@code id} is stable for the same source (rule, file and byte range),
 * so a deploy can acknowledge a finding by id across repeated audits. Lines and columns are 1-based;
 * {@code swc} is null for a rule without an SWC entry.
 */
public record Finding(
    String id,
    String ruleId,
    String swc,
    Category category,
    Severity severity,
    String file,
    int line,
    int column,
    int endLine,
    String message,
    String remediation,
    int startOffset,
    int length) {

  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(remediation, "remediation");
  }
}
