package io.mintline.contracts.audit;

import io.mintline.contracts.solidity.SourceHash;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What an audit found: findings ordered by file and position, a count per severity, the compiler
 * that produced the AST and the SHA-256 of the sources ({@link SourceHash}), which ties a deploy
 * to this audit.
 */
public record AuditReport(List<Finding> findings, String compilerVersion, String sourceHash) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public AuditReport {
    findings = List.copyOf(findings);
  }

  /** Every severity with its count, zeros included, highest first. */
  public Map<Severity, Integer> summary() {
    EnumMap<Severity, Integer> counts = new EnumMap<>(Severity.class);
    for (Severity s : Severity.values()) counts.put(s, 0);
    for (Finding f : findings) counts.merge(f.severity(), 1, Integer::sum);
    return Collections.unmodifiableMap(counts);
  }

  /** The findings of this severity. */
  public List<Finding> withSeverity(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).toList();
  }

  /** The report in the API's shape: {@code {findings, summary, compilerVersion, sourceHash}}. */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("findings");
    for (Finding f : findings) {
      ObjectNode o = list.addObject();
      o.put("id", f.id());
      o.put("ruleId", f.ruleId());
      if (f.swc() == null) o.putNull("swc"); else o.put("swc", f.swc());
      o.put("category", f.category().wireName());
      o.put("severity", f.severity().name());
      o.put("file", f.file());
      o.put("line", f.line());
      o.put("column", f.column());
      o.put("endLine", f.endLine());
      o.put("message", f.message());
      o.put("remediation", f.remediation());
    }
    ObjectNode summary = root.putObject("summary");
    Map<Severity, Integer> counts = summary();
    for (int i = Severity.values().length - 1; i >= 0; i--) {
      Severity s = Severity.values()[i];
      summary.put(s.name(), counts.get(s));
    }
    root.put("compilerVersion", compilerVersion);
    root.put("sourceHash", sourceHash);
    return root;
  }

  /** Parses what {@link #toJson()} wrote (offsets are not part of the wire form and read as 0). */
  public static AuditReport fromJson(JsonNode json) {
    List<Finding> findings = new java.util.ArrayList<>();
    for (JsonNode o : json.path("findings")) {
      findings.add(new Finding(o.path("id").asText(), o.path("ruleId").asText(),
          o.path("swc").isNull() ? null : o.path("swc").asText(),
          Category.ofWireName(o.path("category").asText()), Severity.valueOf(o.path("severity").asText()),
          o.path("file").asText(), o.path("line").asInt(), o.path("column").asInt(), o.path("endLine").asInt(),
          o.path("message").asText(), o.path("remediation").asText(), 0, 0));
    }
    return new AuditReport(findings, json.path("compilerVersion").asText(), json.path("sourceHash").asText());
  }
}
