package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;

/**
 * {@code pragma solidity ^0.8.20;} lets a deployment use any later compiler, one the code was
 * never tested with. Fine for libraries, risky for what is deployed: pin the version.
 */
final class FloatingPragma extends Rule {
  FloatingPragma() {
    super("floating-pragma", "SWC-103", Category.OTHER, Severity.LOW,
        "A floating pragma lets the deployed bytecode come from a compiler version the code was not tested with.",
        "Pin the compiler version in contracts you deploy (pragma solidity 0.8.x;).");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode p : program.all("PragmaDirective")) {
      String text = Pragmas.versionText(p);
      if (text == null) continue;
      if (text.contains("^") || text.contains(">") || text.contains("~") || text.contains("*") || text.contains("||")) {
        findings.report(this, p, "The pragma '" + text + "' accepts compilers the code was not tested with.");
      }
    }
  }
}
