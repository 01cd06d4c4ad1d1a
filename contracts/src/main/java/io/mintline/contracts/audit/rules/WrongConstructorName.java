package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.Locale;

/**
 * Before 0.4.22 a constructor is the function named exactly like the contract. A function whose
 * name differs only in case (or is spelled {@code Constructor}) compiles as an ordinary public
 * function: anyone can call it later and run the set-up again (Rubixi). CRITICAL when it writes
 * state (usually the owner).
 */
final class WrongConstructorName extends Rule {
  WrongConstructorName() {
    super("wrong-constructor-name", "SWC-118", Category.ACCESS_CONTROL, Severity.HIGH,
        "A misspelt pre-0.4.22 constructor is an ordinary public function anyone can call to redo the set-up.",
        "Use the constructor keyword (solc >= 0.4.22).");
  }

  @Override
  public void check(Program program, Findings findings) {
    if (!program.version().before(0, 5, 0)) return; // 0.5 refuses a function named like its contract
    for (AstNode contract : program.all("ContractDefinition")) {
      String name = contract.name().toLowerCase(Locale.ROOT);
      for (AstNode fn : contract.list("nodes")) {
        if (!fn.is("FunctionDefinition") || Program.isConstructor(fn) || !Program.isEntryPoint(fn)) continue;
        String f = fn.name().toLowerCase(Locale.ROOT);
        boolean looksLikeConstructor = f.equals(name) || f.equals("constructor") && !fn.name().equals("constructor");
        if (!looksLikeConstructor || program.checksCaller(fn)) continue;
        boolean writes = !program.stateWrites(fn).isEmpty();
        findings.report(this, fn, writes ? Severity.CRITICAL : severity(), "'" + fn.name() + "' is not the constructor of "
            + contract.name() + " but a public function: anyone can call it" + (writes ? " and overwrite what it sets." : "."));
      }
    }
  }
}
