package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A loop over a storage array that only grows costs more gas with every element; once it exceeds the
 * block gas limit the function can never run again. Worst when anyone can push to the array (HIGH):
 * an attacker pays to make e.g. payouts or a reset permanently fail.
 */
final class UnboundedLoop extends Rule {
  UnboundedLoop() {
    super("unbounded-loop", "SWC-128", Category.DENIAL_OF_SERVICE, Severity.MEDIUM,
        "A loop over a growing storage array eventually needs more gas than a block holds, locking the function forever.",
        "Bound the iterations (process a page per call with a start index and a maximum) or let users pull individually.");
  }

  @Override
  public void check(Program program, Findings findings) {
    Set<AstNode> growable = growableByAnyone(program);
    for (String loopType : new String[] {"ForStatement", "WhileStatement", "DoWhileStatement"}) {
      for (AstNode loop : program.all(loopType)) {
        AstNode condition = loop.child("condition").orElse(null);
        if (condition == null) continue;
        Optional<AstNode> array = lengthOfStateArray(program, condition);
        if (array.isEmpty()) continue;
        AstNode fn = Program.enclosingCallable(loop).orElse(null);
        if (fn == null || fn.is("FunctionDefinition") && Program.isViewOrPure(fn)) continue;
        boolean open = growable.contains(array.get());
        findings.report(this, loop, open ? Severity.HIGH : Severity.MEDIUM, "The loop runs once per element of "
            + array.get().name() + (open ? ", which anyone can grow: a long enough array makes this function run out of gas for good."
            : "; as the array grows the function can exceed the block gas limit."));
      }
    }
  }

  /** The dynamic storage array whose {@code .length} the condition reads. */
  private static Optional<AstNode> lengthOfStateArray(Program program, AstNode condition) {
    for (AstNode m : condition.findAll("MemberAccess")) {
      if (!m.text("memberName").equals("length")) continue;
      AstNode base = m.child("expression").orElse(null);
      if (base == null || !base.typeString().contains("[] storage")) continue;
      Optional<AstNode> v = program.rootStateVariable(base);
      if (v.isPresent()) return v;
    }
    return Optional.empty();
  }

  /** State arrays that an unguarded entry point pushes to (or lengthens). */
  static Set<AstNode> growableByAnyone(Program program) {
    Set<AstNode> out = new HashSet<>();
    for (AstNode call : program.all("FunctionCall")) {
      AstNode callee = call.child("expression").orElse(null);
      if (callee == null || !callee.is("MemberAccess") || !callee.text("memberName").equals("push")) continue;
      Optional<AstNode> v = callee.child("expression").flatMap(program::rootStateVariable);
      if (v.isPresent() && program.reachableByAnyone(call)) out.add(v.get());
    }
    return out;
  }
}
