package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;

/**
 * Before 0.5 the ABI decoder pads short calldata with zeros: a client that drops the last byte of a
 * recipient address shifts the amount left by 8 bits, moving 256 times the tokens. ERC-20-shaped
 * functions (an address, then an amount, booking the amount under that address) are exposed unless
 * they check {@code msg.data.length}. solc 0.5+ reverts on short calldata.
 */
final class ShortAddress extends Rule {
  ShortAddress() {
    super("short-address", null, Category.SHORT_ADDRESSES, Severity.MEDIUM,
        "Before solc 0.5, short calldata is zero-padded, so a truncated address multiplies the amount of a token transfer.",
        "Compile with solc >= 0.5 (which rejects short calldata) or check msg.data.length in transfer-like functions.");
  }

  @Override
  public void check(Program program, Findings findings) {
    if (!program.version().before(0, 5, 0)) return;
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn)) continue;
      List<AstNode> params = Program.parameters(fn);
      int address = -1;
      for (int i = 0; i < params.size(); i++) {
        if (params.get(i).typeString().startsWith("address") && address < 0) address = i;
        if (address >= 0 && i > address && params.get(i).typeString().startsWith("uint") && booksAmount(program, fn, params.get(address), params.get(i))) {
          if (checksCalldataLength(program, fn)) break;
          findings.report(this, fn, "'" + fn.name() + "' takes an address then an amount and compiles with solc "
              + program.version() + ": a truncated address shifts the amount (short address attack).");
          break;
        }
      }
    }
  }

  /** A state mapping indexed by the address parameter is updated with the amount parameter. */
  private static boolean booksAmount(Program program, AstNode fn, AstNode address, AstNode amount) {
    for (var w : program.stateWrites(fn)) {
      AstNode node = w.node();
      if (!node.is("Assignment")) continue;
      AstNode lhs = node.child("leftHandSide").orElseThrow();
      boolean byAddress = lhs.contains(n -> n.is("Identifier") && n.referencedDeclaration() == address.id());
      boolean withAmount = node.contains(n -> n.is("Identifier") && n.referencedDeclaration() == amount.id());
      if (byAddress && withAmount) return true;
    }
    return false;
  }

  private static boolean checksCalldataLength(Program program, AstNode fn) {
    List<AstNode> conds = new java.util.ArrayList<>(Program.conditions(fn));
    program.modifiers(fn).forEach(m -> conds.addAll(Program.conditions(m.getValue())));
    return conds.stream().anyMatch(c -> c.contains(n -> n.is("MemberAccess") && n.text("memberName").equals("length")
        && n.child("expression").map(d -> d.is("MemberAccess") && d.text("memberName").equals("data")).orElse(false)));
  }
}
