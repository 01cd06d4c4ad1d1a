package io.mintline.contracts.audit;

/**
 * One vulnerability class checked over the AST. A rule knows its SWC entry (null when the registry
 * has none), its DASP category, the severity it reports by default and why it matters; each check
 * may raise or lower the severity of one finding when the AST shows more (e.g. anyone can reach it).
 */
public abstract class Rule {
  private final String id;
  private final String swc;
  private final Category category;
  private final Severity severity;
  private final String rationale;
  private final String remediation;

  protected Rule(String id, String swc, Category category, Severity severity, String rationale, String remediation) {
    this.id = id;
    this.swc = swc;
    this.category = category;
    this.severity = severity;
    this.rationale = rationale;
    this.remediation = remediation;
  }

  /** Reports what this rule finds in the program. */
  public abstract void check(Program program, Findings findings);

  public String id() {
    return id;
  }

  /** {@code SWC-107}, or null. */
  public String swc() {
    return swc;
  }

  public Category category() {
    return category;
  }

  public Severity severity() {
    return severity;
  }

  /** Why the pattern is dangerous, in one line. */
  public String rationale() {
    return rationale;
  }

  /** What to do instead, in one line. */
  public String remediation() {
    return remediation;
  }
}
