package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.Set;

/**
 * Block values (timestamp, number, blockhash, difficulty/prevrandao, coinbase, gas limit) are known
 * to every contract in the same block and partly chosen by the proposer: a lottery seeded by them is
 * won by a contract that computes the same number first. Reported where a block value, or a hash of
 * one, is used as a number (converted to an integer, reduced modulo, ordered) or matched against
 * the caller's guess. A hash of block values used as a key or identifier is not randomness.
 */
final class WeakRandomness extends Rule {
  private static final Set<String> HASHES = Set.of("keccak256", "sha3", "sha256", "ripemd160");
  private static final Set<String> NUMERIC_OPERATORS = Set.of("%", "<", ">", "<=", ">=", "^", "/", "&");

  WeakRandomness() {
    super("weak-randomness", "SWC-120", Category.BAD_RANDOMNESS, Severity.HIGH,
        "Randomness from block values is predictable by any contract in the same block and biasable by the proposer.",
        "Use a verifiable randomness source (e.g. a VRF oracle) or commit-reveal with a later block.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode call : program.all("FunctionCall")) {
      AstNode callee = call.child("expression").orElse(null);
      if (callee == null) continue;
      boolean hash = callee.is("Identifier") && HASHES.contains(callee.name()) && program.isBuiltin(callee);
      boolean blockhash = program.isBlockValue(call);
      if (!hash && !blockhash) continue;
      if (hash && call.list("arguments").stream().noneMatch(a -> program.dependsOnBlockValue(a, 3))) continue;
      if (usedAsChance(program, call, 2)) {
        findings.report(this, call, (hash ? "A hash of block values" : "A block hash")
            + " serves as a random number: anyone can compute it in the same block.");
      }
    }
    for (AstNode op : program.all("BinaryOperation")) {
      if (!op.text("operator").equals("%")) continue;
      AstNode left = op.child("leftExpression").orElse(null);
      if (left == null || !left.contains(program::isBlockValue)) continue;
      if (left.contains(n -> n.is("FunctionCall") && n.child("expression").map(x -> HASHES.contains(x.name())).orElse(false))) continue;
      if (left.contains(n -> n.is("FunctionCall") && program.isBlockValue(n))) continue; // reported as a block hash
      findings.report(this, op, "A block value reduced modulo picks an outcome: the block proposer or a contract in the same block knows it.");
    }
  }

  /** The value is converted to an integer, reduced, ordered, or compared with the caller's input. */
  private static boolean usedAsChance(Program program, AstNode value, int depth) {
    AstNode e = value;
    while (e.parent() != null) {
      AstNode p = e.parent();
      if (p.is("TupleExpression")) {
        e = p;
        continue;
      }
      if (p.is("FunctionCall") && "typeConversion".equals(p.text("kind"))) {
        String t = p.typeString();
        if (t.startsWith("uint") || t.startsWith("int")) return true;
        e = p;
        continue;
      }
      if (p.is("BinaryOperation")) {
        String op = p.text("operator");
        if (NUMERIC_OPERATORS.contains(op)) return true;
        if (op.equals("==") || op.equals("!=")) {
          AstNode other = p.child("leftExpression").orElseThrow() == e ? p.child("rightExpression").orElseThrow()
              : p.child("leftExpression").orElseThrow();
          return program.dependsOnInput(other);
        }
        return false;
      }
      if (depth > 0 && p.is("VariableDeclarationStatement")) {
        AstNode local = p.list("declarations").stream().findFirst().orElse(null);
        if (local == null) return false;
        if (local.typeString().startsWith("uint") || local.typeString().startsWith("int")) return true;
        return usesOfLocal(program, local, depth);
      }
      if (depth > 0 && p.is("Assignment") && "rightHandSide".equals(e.field())) {
        AstNode lhs = p.child("leftHandSide").orElseThrow();
        if (lhs.typeString().startsWith("uint") || lhs.typeString().startsWith("int")) return true;
        if (lhs.is("Identifier")) return program.declarationOf(lhs).map(d -> usesOfLocal(program, d, depth)).orElse(false);
        return false;
      }
      return false;
    }
    return false;
  }

  private static boolean usesOfLocal(Program program, AstNode local, int depth) {
    AstNode fn = Program.enclosingCallable(local).orElse(null);
    if (fn == null) return false;
    for (AstNode ref : fn.findAll("Identifier")) {
      if (ref.referencedDeclaration() == local.id() && !"leftHandSide".equals(ref.field()) && usedAsChance(program, ref, depth - 1)) {
        return true;
      }
    }
    return false;
  }
}
