package io.mintline.contracts.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An audit report as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, IDEs) ingest: one
 * run, the rules that fired with their rationale, SWC and DASP tags and a numeric
 * {@code security-severity}, and one result per finding whose partial fingerprint is the finding id.
 */
public final class Sarif {
  public static final String MEDIA_TYPE = "application/sarif+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Sarif() {}

  public static ObjectNode of(AuditReport report) {
    Map<String, Rule> known = new HashMap<>();
    for (Rule r : io.mintline.contracts.audit.rules.Rules.all()) known.put(r.id(), r);

    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "mintline-audit");
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      if (index.containsKey(f.ruleId())) continue;
      index.put(f.ruleId(), index.size());
      Rule r = known.get(f.ruleId());
      ObjectNode rule = rules.addObject();
      rule.put("id", f.ruleId());
      rule.putObject("shortDescription").put("text", r == null ? f.ruleId() : r.rationale());
      rule.putObject("help").put("text", f.remediation());
      Severity defaultSeverity = r == null ? f.severity() : r.severity();
      rule.putObject("defaultConfiguration").put("level", defaultSeverity.sarifLevel());
      ObjectNode props = rule.putObject("properties");
      ArrayNode tags = props.putArray("tags");
      tags.add("security");
      tags.add(f.category().wireName());
      if (f.swc() != null) tags.add(f.swc());
      props.put("security-severity", securitySeverity(defaultSeverity));
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : report.findings()) {
      ObjectNode result = results.addObject();
      result.put("ruleId", f.ruleId());
      result.put("ruleIndex", index.get(f.ruleId()));
      result.put("level", f.severity().sarifLevel());
      result.putObject("message").put("text", f.message());
      ObjectNode location = result.putArray("locations").addObject().putObject("physicalLocation");
      location.putObject("artifactLocation").put("uri", f.file());
      ObjectNode region = location.putObject("region");
      region.put("startLine", f.line());
      region.put("startColumn", f.column());
      region.put("endLine", f.endLine());
      result.putObject("partialFingerprints").put("mintlineFindingId/v1", f.id());
      ObjectNode props = result.putObject("properties");
      props.put("id", f.id());
      props.put("severity", f.severity().name());
      props.put("category", f.category().wireName());
      if (f.swc() != null) props.put("swc", f.swc());
    }
    ObjectNode runProps = run.putObject("properties");
    runProps.put("compilerVersion", report.compilerVersion());
    runProps.put("sourceHash", report.sourceHash());
    return root;
  }

  public static String toJson(AuditReport report) {
    try {
      return JSON.writeValueAsString(of(report));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain JSON nodes always serialises", e);
    }
  }

  /** GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low. */
  private static String securitySeverity(Severity s) {
    return switch (s) {
      case CRITICAL -> "9.5";
      case HIGH -> "7.5";
      case MEDIUM -> "5.0";
      case LOW -> "2.0";
    };
  }
}
