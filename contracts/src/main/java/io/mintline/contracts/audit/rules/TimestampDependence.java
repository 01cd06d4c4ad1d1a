package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;

/**
 * The block proposer sets {@code block.timestamp} within a few seconds of freedom. A deadline
 * compared with it shifts by seconds (LOW); an exact equality or a modulo of it (a "win if the
 * time ends in 0" game) is something the proposer can hit at will (MEDIUM). Randomness derived
 * from it is the weak-randomness rule's.
 */
final class TimestampDependence extends Rule {
  TimestampDependence() {
    super("timestamp-dependence", "SWC-116", Category.TIME_MANIPULATION, Severity.LOW,
        "Block timestamps are chosen by the block proposer within a tolerance; logic that needs them exact can be gamed.",
        "Only compare timestamps against deadlines with a margin of minutes; never test them for equality or use them as a source of chance.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode unit : program.units()) {
      unit.walk(n -> {
        if (!program.isTimestamp(n)) return;
        AstNode fn = Program.enclosingCallable(n).orElse(null);
        if (fn == null) return;
        boolean decides = Program.conditions(fn).stream().anyMatch(n::within);
        boolean exact = ancestorOperator(n, List.of("==", "%"));
        if (!exact && !decides && n.parent() != null && n.parent().is("Return") && returnDecides(program, fn)) {
          findings.report(this, n, "block.timestamp is returned and the callers decide on it; the block proposer can shift it.");
          return;
        }
        if (exact) {
          findings.report(this, n, Severity.MEDIUM, "The outcome depends on the exact block timestamp (equality or modulo), which the block proposer can pick.");
        } else if (decides) {
          findings.report(this, n, "A condition depends on block.timestamp, which the block proposer can shift by several seconds.");
        }
      });
    }
  }

  private static boolean ancestorOperator(AstNode n, List<String> operators) {
    for (AstNode p = n.parent(); p != null && (p.is("BinaryOperation") || p.is("TupleExpression")
        || p.is("FunctionCall") && "typeConversion".equals(p.text("kind"))); p = p.parent()) {
      if (p.is("BinaryOperation") && operators.contains(p.text("operator"))) return true;
    }
    return false;
  }

  /** A call of this function is used in a condition, directly or through the local it is stored in. */
  private static boolean returnDecides(Program program, AstNode fn) {
    for (AstNode call : program.all("FunctionCall")) {
      if (program.internalCallee(call).orElse(null) != fn) continue;
      AstNode caller = Program.enclosingCallable(call).orElse(null);
      if (caller == null) continue;
      List<AstNode> conditions = Program.conditions(caller);
      if (conditions.stream().anyMatch(call::within)) return true;
      AstNode p = call.parent();
      if (p != null && p.is("VariableDeclarationStatement")) {
        long local = p.list("declarations").stream().findFirst().map(AstNode::id).orElse(-1L);
        if (conditions.stream().anyMatch(c -> c.contains(x -> x.is("Identifier") && x.referencedDeclaration() == local))) return true;
      }
    }
    return false;
  }
}
