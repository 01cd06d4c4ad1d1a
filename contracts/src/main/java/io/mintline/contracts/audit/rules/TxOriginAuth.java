package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.Set;

/**
 * {@code tx.origin} is the account that signed the transaction, not the caller: a contract the owner
 * is tricked into calling passes a {@code tx.origin == owner} check. {@code tx.origin == msg.sender}
 * (a "no contracts" check) is not authorisation and is left alone.
 */
final class TxOriginAuth extends Rule {
  TxOriginAuth() {
    super("tx-origin-auth", "SWC-115", Category.ACCESS_CONTROL, Severity.HIGH,
        "Authorising by tx.origin lets any contract the owner calls act as the owner (phishing).",
        "Compare msg.sender with the authorised account instead of tx.origin.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode cmp : program.all("BinaryOperation")) {
      String op = cmp.text("operator");
      if (!op.equals("==") && !op.equals("!=")) continue;
      AstNode left = cmp.child("leftExpression").orElse(null);
      AstNode right = cmp.child("rightExpression").orElse(null);
      if (left == null || right == null) continue;
      AstNode other;
      if (Program.isOrigin(left)) other = right;
      else if (Program.isOrigin(right)) other = left;
      else continue;
      if (program.isSender(other, Set.of(), 2)) continue;
      boolean decides = Program.conditions(Program.enclosingCallable(cmp).orElse(cmp)).stream()
          .anyMatch(c -> cmp.within(c));
      if (!decides) continue;
      findings.report(this, cmp, "Access is decided by tx.origin; a contract the authorised account calls passes this check.");
    }
  }
}
