package io.mintline.contracts.audit;

import io.mintline.contracts.solidity.SourceHash;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.mintline.contracts.audit.rules.Rules;

/**
 * Audits Solidity from solc's standard-JSON output: the compact AST of every source (output
 * selection {@code "*": {"": ["ast"]}}) works for solc 0.4.x to 0.8.x. Findings are reported for
 * the files the caller gave ({@code sources}); imported files (e.g. OpenZeppelin's) are read so that
 * references, inheritance and modifiers resolve, but not reported on. Stateless and thread-safe.
 */
public final class Auditor {
  private final List<Rule> rules;

  /** An auditor with every rule of {@link Rules#all()}. */
  public Auditor() {
    this(Rules.all());
  }

  public Auditor(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public List<Rule> rules() {
    return rules;
  }

  /**
   * @param solcOutput solc's standard-JSON output with {@code sources.<file>.ast} for every source
   * @param sources the audited files, name to content (the same the compiler got); line and column
   *     come from the byte offsets in the AST
   * @param compilerVersion the compiler that produced the output, e.g. {@code 0.8.37+commit.f401782d}
   * @throws IllegalArgumentException when an audited file has no AST in the output
   */
  public AuditReport audit(JsonNode solcOutput, Map<String, String> sources, String compilerVersion) {
    Objects.requireNonNull(solcOutput, "solcOutput");
    Objects.requireNonNull(sources, "sources");
    CompilerVersion version = CompilerVersion.parse(compilerVersion);
    JsonNode outputSources = solcOutput.path("sources");
    for (String name : sources.keySet()) {
      if (!outputSources.path(name).path("ast").isObject()) {
        throw new IllegalArgumentException("the compiler output has no AST for " + name
            + " (request outputSelection {\"*\": {\"\": [\"ast\"]}}; a file that does not parse has none)");
      }
    }
    List<AstNode> units = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = outputSources.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode ast = e.getValue().path("ast");
      if (!ast.isObject() || !ast.path("nodeType").asText().equals("SourceUnit")) continue;
      units.add(AstNode.tree(ast, new SourceFile(e.getKey(), sources.getOrDefault(e.getKey(), ""))));
    }
    Program program = new Program(units, version);
    Findings findings = new Findings();
    for (Rule rule : rules) rule.check(program, findings);
    List<Finding> audited = findings.sorted().stream().filter(f -> sources.containsKey(f.file())).toList();
    return new AuditReport(audited, compilerVersion, SourceHash.of(sources));
  }
}
