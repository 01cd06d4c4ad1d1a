package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.CallKind;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;
import java.util.Set;

/**
 * {@code call}, {@code send}, {@code delegatecall} return false instead of reverting; a result that is
 * thrown away (an expression statement) or stored in a variable nobody reads lets a failed payment
 * or call pass as done.
 */
final class UncheckedCallReturn extends Rule {
  UncheckedCallReturn() {
    super("unchecked-call-return", "SWC-104", Category.UNCHECKED_LOW_LEVEL_CALLS, Severity.MEDIUM,
        "A low-level call or send returns false on failure instead of reverting; ignoring it lets a failed transfer pass as done.",
        "Check the returned bool (require(ok)) or use transfer / OpenZeppelin's Address.sendValue and functionCall.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode stmt : program.all("ExpressionStatement")) {
      // x.call.value(v); without the final (): the call is configured, never made.
      AstNode e = stmt.child("expression").orElse(null);
      if (e == null || !e.is("FunctionCall")) continue;
      AstNode callee = e.child("expression").orElse(null);
      if (callee != null && callee.is("MemberAccess") && (callee.text("memberName").equals("value") || callee.text("memberName").equals("gas"))
          && callee.child("expression").map(m -> m.is("MemberAccess") && m.typeString().startsWith("function")
              && Set.of("call", "delegatecall", "callcode").contains(m.text("memberName"))).orElse(false)) {
        findings.report(this, e, Severity.HIGH, "This " + callee.child("expression").get().text("memberName")
            + " is never made (the final () is missing) and nothing checks that it happened.");
      }
    }
    for (AstNode node : program.all("FunctionCall")) {
      ExternalCall call = program.externalCall(node).orElse(null);
      if (call == null || (call.kind() != CallKind.LOW_LEVEL && call.kind() != CallKind.SEND)) continue;
      if (resultUsed(program, node)) continue;
      Severity severity = call.sendsEther() ? Severity.HIGH : Severity.MEDIUM;
      findings.report(this, node, severity, "The result of " + call.member() + " is not checked"
          + (call.sendsEther() ? "; the ether may never arrive while the contract books it as paid." : "."));
    }
  }

  private static boolean resultUsed(Program program, AstNode call) {
    AstNode parent = call.parent();
    if (parent == null) return true;
    if (parent.is("ExpressionStatement")) return false;
    if (parent.is("VariableDeclarationStatement")) {
      // (bool ok, bytes memory data) = x.call(...): the first declaration is the success flag.
      List<AstNode> declared = parent.list("declarations");
      if (declared.isEmpty()) return false;
      AstNode ok = declared.get(0);
      return Program.enclosingCallable(call).map(fn -> readsVariable(fn, ok.id(), call)).orElse(true);
    }
    if (parent.is("Assignment") && "rightHandSide".equals(call.field())) {
      AstNode lhs = parent.child("leftHandSide").orElse(null);
      if (lhs != null && lhs.is("TupleExpression")) lhs = lhs.list("components").stream().findFirst().orElse(null);
      if (lhs == null) return false;
      if (!lhs.is("Identifier")) return true;
      long target = lhs.referencedDeclaration();
      boolean state = program.declaration(target).map(program::isStateVariable).orElse(false);
      if (state) return true;
      AstNode stmt = parent;
      return Program.enclosingCallable(call).map(fn -> readsVariable(fn, target, stmt)).orElse(true);
    }
    return true;
  }

  /** Some identifier after this point reads the variable. */
  private static boolean readsVariable(AstNode fn, long declaration, AstNode after) {
    return fn.contains(n -> n.is("Identifier") && n.referencedDeclaration() == declaration && n.offset() >= after.end()
        && !("leftHandSide".equals(n.field()) && n.parent().is("Assignment")));
  }
}
