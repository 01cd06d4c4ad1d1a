package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.StateWrite;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A function anyone can call writes a variable the contract uses to authorise callers (one compared
 * with {@code msg.sender} in a condition, such as {@code owner}), and nothing makes it run only once:
 * no check of the caller and no condition on the state it writes (an {@code initialized} flag,
 * {@code owner == address(0)}). Typical of an initializer left public (the Parity multisig) or an
 * ownership setter without a modifier: anyone takes the contract over (CRITICAL).
 */
final class UnprotectedInitializer extends Rule {
  UnprotectedInitializer() {
    super("unprotected-initializer", "SWC-118", Category.ACCESS_CONTROL, Severity.CRITICAL,
        "A public function that sets the owner or admin without an access or run-once check lets anyone take the contract over.",
        "Set privileged accounts in the constructor, or guard the initializer with an access check and a run-once flag (OpenZeppelin Initializable).");
  }

  @Override
  public void check(Program program, Findings findings) {
    Set<AstNode> authority = authorityVariables(program);
    if (authority.isEmpty()) return;
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn)) continue;
      Set<AstNode> reach = program.unguardedReach(fn);
      if (reach.isEmpty()) continue;
      for (AstNode f : reach) {
        for (StateWrite w : program.stateWrites(f)) {
          if (!authority.contains(w.variable()) || runsOnce(program, reach, w)) continue;
          if (w.node().is("UnaryOperation") && w.node().text("operator").equals("delete")) continue;
          findings.report(this, w.node(), "Anyone can call " + UnprotectedSelfdestruct.describe(fn) + " and set "
              + w.variable().name() + ", which decides who may call privileged functions.");
        }
      }
    }
  }

  /**
   * State variables that authorise: compared with the caller in a condition ({@code msg.sender == owner})
   * or a caller-indexed bool mapping used as one ({@code require(admins[msg.sender])}).
   */
  static Set<AstNode> authorityVariables(Program program) {
    Set<AstNode> out = new HashSet<>();
    for (AstNode unit : program.units()) {
      for (AstNode c : Program.conditions(unit)) {
        c.walk(n -> {
          if (n.is("BinaryOperation") && (n.text("operator").equals("==") || n.text("operator").equals("!="))) {
            AstNode l = n.child("leftExpression").orElse(null);
            AstNode r = n.child("rightExpression").orElse(null);
            if (l == null || r == null) return;
            if (program.isSender(l, Set.of(), 2) || Program.isOrigin(l)) addVariable(program, r, out);
            if (program.isSender(r, Set.of(), 2) || Program.isOrigin(r)) addVariable(program, l, out);
          }
          if (n.is("IndexAccess") && n.typeString().equals("bool")
              && n.child("indexExpression").map(i -> program.isSender(i, Set.of(), 2)).orElse(false)) {
            n.child("baseExpression").flatMap(program::rootStateVariable).ifPresent(out::add);
          }
        });
      }
    }
    return out;
  }

  private static void addVariable(Program program, AstNode e, Set<AstNode> out) {
    if (e.is("Identifier") || e.is("MemberAccess") || e.is("IndexAccess")) program.rootStateVariable(e).ifPresent(out::add);
  }

  /** A condition along the way reads a variable the path writes (an initialized flag, owner == 0). */
  private static boolean runsOnce(Program program, Set<AstNode> reach, StateWrite write) {
    Set<Long> written = new HashSet<>();
    for (AstNode f : reach) program.stateWrites(f).forEach(w -> written.add(w.variable().id()));
    for (AstNode f : reach) {
      List<AstNode> conds = new java.util.ArrayList<>(Program.conditions(f));
      if (f.is("FunctionDefinition")) program.modifiers(f).forEach(m -> conds.addAll(Program.conditions(m.getValue())));
      for (AstNode c : conds) {
        if (c.contains(n -> n.is("Identifier") && written.contains(n.referencedDeclaration()))) return true;
      }
    }
    return false;
  }
}
