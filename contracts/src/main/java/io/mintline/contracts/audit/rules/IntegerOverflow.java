package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;
import java.util.Set;

/**
 * Before solc 0.8 integer arithmetic wraps silently; from 0.8 it does so inside {@code unchecked}.
 * A balance that underflows becomes huge (the batchOverflow tokens). Reported for {@code + - *}
 * (and their assignments, {@code ++}/{@code --}) on integers when no earlier condition of the
 * function compares the operands, and the operation is not itself that check. HIGH when anyone can
 * drive it with their input into storage; an {@code unchecked} block is a deliberate opt-out, so
 * what it holds is reported LOW, for review.
 */
final class IntegerOverflow extends Rule {
  private static final Set<String> OPERATORS = Set.of("+", "-", "*", "+=", "-=", "*=", "++", "--");

  IntegerOverflow() {
    super("integer-overflow", "SWC-101", Category.ARITHMETIC, Severity.MEDIUM,
        "Integer arithmetic without overflow checks (solc < 0.8, or unchecked blocks) wraps around silently.",
        "Compile with solc 0.8+ and keep arithmetic out of unchecked blocks, or check operands first (require(a >= b)) / use SafeMath.");
  }

  @Override
  public void check(Program program, Findings findings) {
    boolean wraps = program.version().before(0, 8, 0);
    for (AstNode unit : program.units()) {
      unit.walk(n -> {
        String op = n.text("operator");
        if (!OPERATORS.contains(op) || !(n.is("BinaryOperation") || n.is("Assignment") || n.is("UnaryOperation"))) return;
        if (!isInteger(n)) return;
        boolean unchecked = n.ancestor("UncheckedBlock").isPresent();
        if (!wraps && !unchecked) return;
        AstNode fn = Program.enclosingCallable(n).orElse(null);
        if (fn == null || n.flag("isPure") && n.is("BinaryOperation")) return;
        if (isLoopCounter(n) || insideCondition(n)) return;
        List<AstNode> operands = operands(n);
        if (operands.size() == 2 && isSmallIncrement(op, operands.get(1), n)) return;
        if (operands.size() == 1 && (op.equals("++")) && n.typeString().equals("uint256")) return;
        // All the ether there is fits in 2^256 many times over: adding msg.value to a uint256 cannot wrap.
        if ((op.equals("+") || op.equals("+=")) && n.typeString().equals("uint256") && operands.stream().anyMatch(IntegerOverflow::readsValue)) return;
        if (guarded(program, fn, n, operands)) return;
        boolean input = operands.stream().anyMatch(program::dependsOnInput) || operands.stream().anyMatch(o -> readsValue(o));
        boolean intoState = writesState(program, n);
        Severity severity;
        if (unchecked && !wraps) severity = Severity.LOW; // an explicit opt-out, reported for review
        else if (input && intoState && program.reachableByAnyone(n)) severity = Severity.HIGH;
        else if (intoState || input) severity = Severity.MEDIUM;
        else severity = Severity.LOW;
        findings.report(this, n, severity, "'" + op + "' on " + n.typeString() + " can " + (op.contains("-") ? "underflow" : "overflow")
            + (unchecked && !wraps ? " inside unchecked" : " (solc " + program.version() + " does not check)")
            + (intoState ? " and the result is stored." : "."));
      });
    }
  }

  private static boolean isInteger(AstNode n) {
    String t = n.typeString();
    return t.startsWith("uint") || t.startsWith("int");
  }

  static List<AstNode> operands(AstNode n) {
    if (n.is("BinaryOperation")) return List.of(n.child("leftExpression").orElseThrow(), n.child("rightExpression").orElseThrow());
    if (n.is("Assignment")) return List.of(n.child("leftHandSide").orElseThrow(), n.child("rightHandSide").orElseThrow());
    return List.of(n.child("subExpression").orElseThrow());
  }

  /** {@code x + 1} on a 256-bit counter cannot realistically wrap. */
  private static boolean isSmallIncrement(String op, AstNode right, AstNode n) {
    return (op.equals("+") || op.equals("+=")) && right.is("Literal") && n.typeString().equals("uint256")
        && right.text("value").length() <= 6;
  }

  private static boolean readsValue(AstNode e) {
    return e.contains(x -> x.is("MemberAccess") && x.text("memberName").equals("value")
        && x.child("expression").map(m -> m.is("Identifier") && m.name().equals("msg")).orElse(false));
  }

  /** The {@code i++} of a for loop, bounded by its condition. */
  private static boolean isLoopCounter(AstNode n) {
    for (AstNode p = n; p.parent() != null; p = p.parent()) {
      if (p.parent().is("ForStatement") && "loopExpression".equals(p.field())) return true;
      if (p.is("Block") || p.is("FunctionDefinition")) return false;
    }
    return false;
  }

  /** The operation is part of a require/if condition: the overflow check itself. */
  private static boolean insideCondition(AstNode n) {
    for (AstNode p = n; p.parent() != null; p = p.parent()) {
      AstNode parent = p.parent();
      if (parent.is("FunctionCall") && Program.isRequireOrAssert(parent)) return true;
      if ((parent.is("IfStatement") || parent.is("WhileStatement") || parent.is("Conditional")) && "condition".equals(p.field())) return true;
      if (parent.is("ExpressionStatement") || parent.is("Block")) return false;
    }
    return false;
  }

  /**
   * An earlier condition in the function (or its modifiers) compares expressions that read the
   * operands: {@code require(balance >= amount)} guards {@code balance - amount}; for {@code a + b}
   * a later {@code require(c >= a)} on the result counts too.
   */
  private static boolean guarded(Program program, AstNode fn, AstNode n, List<AstNode> operands) {
    List<String> keys = operands.stream().filter(o -> !o.is("Literal")).map(AstNode::canonical).toList();
    if (keys.isEmpty()) return true;
    List<AstNode> conds = new java.util.ArrayList<>(Program.conditions(fn));
    if (fn.is("FunctionDefinition")) {
      for (var m : program.modifiers(fn)) conds.addAll(Program.conditions(m.getValue()));
    }
    for (AstNode c : conds) {
      if (c.offset() > n.offset() && !(n.text("operator").startsWith("+") || n.text("operator").startsWith("*"))) continue;
      for (AstNode cmp : c.find(x -> x.is("BinaryOperation") && Set.of("<", ">", "<=", ">=", "==", "!=").contains(x.text("operator")))) {
        String text = cmp.canonical();
        if (keys.stream().allMatch(text::contains) || c.offset() > n.offset() && comparesResult(cmp, n)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The comparison reads where the result went ({@code uint c = a + b; require(c >= a);}). */
  private static boolean comparesResult(AstNode cmp, AstNode n) {
    AstNode p = n.parent();
    if (p != null && p.is("VariableDeclarationStatement")) {
      long id = p.list("declarations").stream().findFirst().map(AstNode::id).orElse(-1L);
      return cmp.contains(x -> x.is("Identifier") && x.referencedDeclaration() == id);
    }
    AstNode target = n.is("Assignment") ? n.child("leftHandSide").orElse(null)
        : p != null && p.is("Assignment") ? p.child("leftHandSide").orElse(null) : null;
    if (target == null) return false;
    String key = target.canonical();
    return cmp.canonical().contains(key);
  }

  private static boolean writesState(Program program, AstNode n) {
    if (n.is("Assignment") || n.is("UnaryOperation")) {
      AstNode target = n.is("Assignment") ? n.child("leftHandSide").orElseThrow() : n.child("subExpression").orElseThrow();
      return program.rootStateVariable(target).isPresent();
    }
    AstNode p = n.parent();
    while (p != null && (p.is("BinaryOperation") || p.is("TupleExpression"))) p = p.parent();
    return p != null && p.is("Assignment") && p.child("leftHandSide").flatMap(program::rootStateVariable).isPresent();
  }
}

