package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.CompilerVersion;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;

/**
 * A pragma that admits a compiler before 0.8 gets unchecked arithmetic and fixed compiler bugs
 * back. Reported on the pragma, from its lowest admitted version; MEDIUM when the compiler that
 * built it is older than 0.5 (no calldata length checks, storage pointers by default, constructor
 * by name).
 */
final class OutdatedCompiler extends Rule {
  /** Below this line arithmetic wraps silently and several known compiler bugs remain. */
  static final CompilerVersion CURRENT_LINE = new CompilerVersion(0, 8, 0);

  OutdatedCompiler() {
    super("outdated-compiler", "SWC-102", Category.OTHER, Severity.LOW,
        "Compilers before 0.8 lack checked arithmetic and carry fixed bugs; before 0.5 also several unsafe defaults.",
        "Require a recent 0.8.x compiler in the pragma.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode p : program.all("PragmaDirective")) {
      String text = Pragmas.versionText(p);
      if (text == null) continue;
      CompilerVersion lowest = Pragmas.lowest(text);
      if (lowest == null || lowest.compareTo(CURRENT_LINE) >= 0) continue;
      // What decides the risk is the compiler that actually built it; an old range alone is LOW.
      boolean oldBuild = program.version().before(0, 5, 0);
      findings.report(this, p, oldBuild ? Severity.MEDIUM : Severity.LOW, "The pragma admits solc " + lowest
          + ", older than the 0.8 line" + (oldBuild ? ", and solc " + program.version() + " built it." : "."));
    }
  }
}
