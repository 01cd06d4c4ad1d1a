package io.mintline.contracts.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects a run's findings; one per rule and source range, whatever the number of paths to it. */
public final class Findings {
  private final Map<String, Finding> byId = new LinkedHashMap<>();

  /** A finding of this rule at this node with the rule's default severity. */
  public void report(Rule rule, AstNode at, String message) {
    report(rule, at, rule.severity(), message);
  }

  /** A finding of this rule at this node; a second report of the same place keeps the higher severity. */
  public void report(Rule rule, AstNode at, Severity severity, String message) {
    SourceFile file = at.file();
    String id = id(rule.id(), file.name(), at.offset(), at.length());
    Finding f = new Finding(id, rule.id(), rule.swc(), rule.category(), severity, file.name(),
        file.line(at.offset()), file.column(at.offset()), file.line(Math.max(at.offset(), at.end() - 1)),
        message, rule.remediation(), at.offset(), at.length());
    byId.merge(id, f, (a, b) -> a.severity().compareTo(b.severity()) >= 0 ? a : b);
  }

  /**
   * Stable for the same source: rule, file and byte range, hashed. A deploy acknowledges findings by
   * this id, so it must not depend on rule order or on other findings.
   */
  static String id(String ruleId, String file, int offset, int length) {
    MessageDigest sha = sha256();
    sha.update((ruleId + '\0' + file + '\0' + offset + ':' + length).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }

  /** The findings by file, then position, then rule. */
  List<Finding> sorted() {
    List<Finding> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparing(Finding::file).thenComparingInt(Finding::startOffset)
        .thenComparing(Finding::ruleId));
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
