package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.CallKind;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.Optional;

/**
 * Paying or calling several parties in one loop: one recipient that reverts (a contract without a
 * payable fallback, or one that burns gas on purpose) makes the whole batch fail, every time (the
 * King of the Ether). {@code send} whose failure is ignored does not revert but is reported by the
 * unchecked-call rule instead. LOW when the loop runs over what the caller passed in: a failing
 * entry of their own batch blocks only them.
 */
final class ExternalCallInLoop extends Rule {
  ExternalCallInLoop() {
    super("external-call-in-loop", "SWC-113", Category.DENIAL_OF_SERVICE, Severity.MEDIUM,
        "One failing recipient of a call inside a loop reverts the whole loop, so nobody gets paid.",
        "Favour pull over push: record what each party is owed and let each withdraw on its own.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode node : program.all("FunctionCall")) {
      Optional<ExternalCall> call = program.externalCall(node);
      if (call.isEmpty() || Program.enclosingLoops(node).isEmpty()) continue;
      ExternalCall c = call.get();
      if (c.kind() == CallKind.LOW_LEVEL && !c.sendsEther()) continue; // batched calls (multicall) forward data, not payments
      if (c.kind() == CallKind.SEND && node.parent() != null && node.parent().is("ExpressionStatement")) continue;
      boolean reverts = c.kind() == CallKind.TRANSFER || failureReverts(node);
      // A batch the caller passes in (targets, token ids) can only block the caller's own transaction.
      boolean callersBatch = Program.enclosingLoops(node).stream()
          .allMatch(loop -> loop.child("condition").map(program::dependsOnInput).orElse(false));
      findings.report(this, node, callersBatch ? Severity.LOW : severity(), "A " + c.member() + " inside a loop" + (reverts
          ? ": one recipient that fails it reverts the whole loop."
          : ": each iteration spends gas on an outside contract, which can exhaust the transaction."));
    }
  }

  /** The call sits in a require/assert, so its failure reverts the loop. */
  private static boolean failureReverts(AstNode call) {
    AstNode p = call.parent();
    return p != null && p.is("FunctionCall") && Program.isRequireOrAssert(p)
        || p != null && p.is("UnaryOperation") && p.parent() != null && p.parent().is("IfStatement");
  }
}
