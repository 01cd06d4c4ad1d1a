package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;

/**
 * {@code selfdestruct} (and 0.4's {@code suicide}) removes the code and sends every wei to the
 * beneficiary. Reachable from a public function without a check of the caller, anyone can end the
 * contract and, with a chosen beneficiary, take its balance.
 */
final class UnprotectedSelfdestruct extends Rule {
  UnprotectedSelfdestruct() {
    super("unprotected-selfdestruct", "SWC-106", Category.ACCESS_CONTROL, Severity.CRITICAL,
        "Anyone who reaches selfdestruct destroys the contract and sends its whole balance away.",
        "Restrict the function to the owner (onlyOwner / a role check) or remove selfdestruct.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode call : program.all("FunctionCall")) {
      AstNode callee = call.child("expression").orElse(null);
      if (callee == null || !callee.is("Identifier") || !program.isBuiltin(callee)) continue;
      if (!callee.name().equals("selfdestruct") && !callee.name().equals("suicide")) continue;
      AstNode fn = Program.enclosingCallable(call).orElse(null);
      if (fn == null) continue;
      List<AstNode> entries = program.unguardedEntryPoints(fn);
      if (entries.isEmpty()) continue;
      findings.report(this, call, "Anyone can call " + describe(entries.get(0))
          + " and reach " + callee.name() + ": the contract is destroyed and its ether sent away.");
    }
  }

  static String describe(AstNode fn) {
    return fn.name().isEmpty() ? "the fallback function" : fn.name() + "()";
  }
}
