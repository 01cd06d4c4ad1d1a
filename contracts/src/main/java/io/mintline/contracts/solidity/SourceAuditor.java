package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What the audit job calls after an AST-only compilation: the node plugs in the rule-based
 * auditor ({@code io.mintline.contracts.audit.RuleAuditor}); {@link CompilerWarningsAuditor},
 * which reports only the compiler's own warnings, serves tests of the job machinery.
 */
@FunctionalInterface
public interface SourceAuditor {

  /**
   * An audit's two renderings.
   *
   * @param report {@code {"findings": [{id, ruleId, swc, category, severity, file, line, column,
   *     endLine, message, remediation}], "summary": {"CRITICAL": n, ...}, "compilerVersion", "sourceHash"}}
   * @param sarif the same as SARIF 2.1.0
   */
  record Report(JsonNode report, JsonNode sarif) {}

  /**
   * @param solcOutput solc's standard-JSON output; {@code sources.<file>.ast} holds every source's compact AST
   * @param sources the request's own files (file name → content)
   * @param compilerVersion the compiler that produced the ASTs, e.g. {@code 0.8.37}
   */
  Report audit(JsonNode solcOutput, Map<String, String> sources, String compilerVersion);
}
