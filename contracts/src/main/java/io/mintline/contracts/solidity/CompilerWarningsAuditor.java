package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The interim auditor, used until the rule-based auditor is wired in: it reports each of the
 * compiler's own warnings in the caller's files as a LOW finding (category {@code other}, rule
 * {@code compiler-warning}). It runs no rules of its own; it only gives the audit job, route and
 * SARIF rendering real, compiler-made findings to carry.
 */
public final class CompilerWarningsAuditor implements SourceAuditor {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  public static final String RULE = "compiler-warning";
  static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW");

  @Override
  public Report audit(JsonNode solcOutput, Map<String, String> sources, String compilerVersion) {
    ArrayNode findings = F.arrayNode();
    Map<String, Integer> summary = new LinkedHashMap<>();
    SEVERITIES.forEach(s -> summary.put(s, 0));
    for (JsonNode error : solcOutput.path("errors")) {
      Diagnostic d = Diagnostic.fromSolc(error, sources);
      if (d.isError() || d.file() == null || !sources.containsKey(d.file())) continue;
      ObjectNode f = findings.addObject();
      f.put("id", id(d));
      f.put("ruleId", RULE);
      f.putNull("swc");
      f.put("category", "other");
      f.put("severity", "LOW");
      f.put("file", d.file());
      putNumber(f, "line", d.line());
      putNumber(f, "column", d.column());
      putNumber(f, "endLine", d.endLine());
      f.put("message", d.message());
      f.put("remediation", "Address the compiler's warning" + (d.errorCode() == null ? "" : " (solc " + d.errorCode() + ")") + ".");
      summary.merge("LOW", 1, Integer::sum);
    }
    ObjectNode report = F.objectNode();
    report.set("findings", findings);
    ObjectNode s = report.putObject("summary");
    summary.forEach(s::put);
    report.put("compilerVersion", compilerVersion);
    report.put("sourceHash", SourceHash.of(sources));
    return new Report(report, sarif(findings));
  }

  /** A SARIF 2.1.0 log of {@code findings} (the shape every finding list of this API has). */
  public static ObjectNode sarif(JsonNode findings) {
    ObjectNode log = F.objectNode();
    log.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "mintline-audit");
    driver.put("informationUri", "https://github.com/mintline/mintline");
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    ArrayNode results = run.putArray("results");
    for (JsonNode f : findings) {
      String rule = f.path("ruleId").asText();
      Integer index = ruleIndex.get(rule);
      if (index == null) {
        index = ruleIndex.size();
        ruleIndex.put(rule, index);
        ObjectNode r = rules.addObject();
        r.put("id", rule);
        r.putObject("shortDescription").put("text", rule);
        r.putObject("help").put("text", f.path("remediation").asText());
        ObjectNode props = r.putObject("properties");
        if (f.hasNonNull("swc")) props.put("swc", f.path("swc").asText());
        props.put("category", f.path("category").asText());
      }
      ObjectNode result = results.addObject();
      result.put("ruleId", rule);
      result.put("ruleIndex", index);
      result.put("level", switch (f.path("severity").asText()) {
        case "CRITICAL", "HIGH" -> "error";
        case "MEDIUM" -> "warning";
        default -> "note";
      });
      result.putObject("message").put("text", f.path("message").asText());
      ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
      physical.putObject("artifactLocation").put("uri", f.path("file").asText());
      ObjectNode region = physical.putObject("region");
      if (f.path("line").canConvertToInt()) region.put("startLine", f.path("line").asInt());
      if (f.path("column").canConvertToInt()) region.put("startColumn", f.path("column").asInt());
      if (f.path("endLine").canConvertToInt()) region.put("endLine", f.path("endLine").asInt());
      result.putObject("partialFingerprints").put("mintlineFindingId", f.path("id").asText());
      result.putObject("properties").put("severity", f.path("severity").asText()).put("findingId", f.path("id").asText());
    }
    return log;
  }

  private static void putNumber(ObjectNode node, String field, Integer value) {
    if (value == null) node.putNull(field); else node.put(field, value);
  }

  /** Stable across runs of the same sources: rule, place and message. */
  private static String id(Diagnostic d) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((RULE + "|" + d.file() + "|" + d.line() + "|" + d.column() + "|" + d.message()).getBytes(StandardCharsets.UTF_8));
      return RULE + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
