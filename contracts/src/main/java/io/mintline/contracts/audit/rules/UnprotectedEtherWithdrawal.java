package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;

/**
 * Ether leaves the contract from a function anyone can call, to the caller or to an address the
 * caller picks, and nothing ties the amount to what the caller is owed: no check of the caller, no
 * bookkeeping keyed by {@code msg.sender}, not a forward of the caller's own {@code msg.value}.
 * Payments to a stored account (owner, beneficiary) and calls that carry data (executors) are not
 * withdrawals. Paying out the whole balance or a caller-chosen
 * amount is CRITICAL (anyone drains the contract).
 */
final class UnprotectedEtherWithdrawal extends Rule {
  UnprotectedEtherWithdrawal() {
    super("unprotected-ether-withdrawal", "SWC-105", Category.ACCESS_CONTROL, Severity.HIGH,
        "A payout anyone can trigger, not bounded by what the caller is owed, lets anyone withdraw the contract's ether.",
        "Restrict the payout to authorised accounts, or pay only from a per-caller balance that is reduced first.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode node : program.all("FunctionCall")) {
      ExternalCall call = program.externalCall(node).orElse(null);
      if (call == null || !call.sendsEther()) continue;
      AstNode amount = Program.callValue(call).orElse(null);
      if (amount == null || isZero(amount) || readsMsgValue(amount)) continue;
      if (carriesData(call)) continue; // an arbitrary call with a payload is an execution, not a withdrawal
      AstNode recipient = Program.callTarget(call).orElse(null);
      if (recipient == null || !(program.isSender(recipient, java.util.Set.of(), 3) || program.dependsOnInput(recipient)
          || recipient.contains(n -> program.isSender(n, java.util.Set.of(), 3)))) {
        continue; // paid to a stored account (owner, beneficiary): the caller cannot gain
      }
      AstNode fn = Program.enclosingCallable(node).orElse(null);
      if (fn == null) continue;
      List<AstNode> entries = program.unguardedEntryPoints(fn);
      if (entries.isEmpty()) continue;
      AstNode entry = entries.get(0);
      if (Program.isPayable(entry) && !program.dependsOnInput(amount) && !readsBalance(amount)) continue;
      if (scopedToCaller(program, entry) || scopedToCaller(program, fn) || scopedToRecipient(program, fn, recipient)) continue;
      boolean drain = readsBalance(amount) || program.dependsOnInput(amount);
      findings.report(this, node, drain ? Severity.CRITICAL : severity(), "Anyone can call "
          + UnprotectedSelfdestruct.describe(entry) + " and have the contract pay out "
          + (readsBalance(amount) ? "its whole balance." : program.dependsOnInput(amount) ? "an amount they choose." : "ether."));
    }
  }

  /** A low-level call with call data (not {@code ""}): a generic execution rather than a payment. */
  private static boolean carriesData(ExternalCall call) {
    if (call.kind() != Program.CallKind.LOW_LEVEL) return false;
    List<AstNode> args = call.call().list("arguments");
    if (args.isEmpty()) return false;
    AstNode data = args.get(0);
    return !(data.is("Literal") && data.text("value").isEmpty());
  }

  private static boolean isZero(AstNode e) {
    return e.is("Literal") && e.text("value").equals("0");
  }

  static boolean readsMsgValue(AstNode e) {
    return e.contains(x -> x.is("MemberAccess") && x.text("memberName").equals("value")
        && x.child("expression").map(m -> m.is("Identifier") && m.name().equals("msg")).orElse(false));
  }

  static boolean readsBalance(AstNode e) {
    return e.contains(x -> x.is("MemberAccess") && x.text("memberName").equals("balance")
        && x.child("expression").map(m -> m.is("Identifier") && m.name().equals("this")
            || m.is("FunctionCall") && m.list("arguments").stream().anyMatch(a -> a.is("Identifier") && a.name().equals("this"))).orElse(false));
  }

  /** The function keeps books keyed by the recipient ({@code owed[worker]}): it pays what it recorded. */
  static boolean scopedToRecipient(Program program, AstNode fn, AstNode recipient) {
    AstNode r = recipient;
    while (r.is("FunctionCall") && "typeConversion".equals(r.text("kind")) && r.list("arguments").size() == 1) r = r.list("arguments").get(0);
    String key = r.canonical();
    return fn.contains(n -> n.is("IndexAccess") && n.child("indexExpression").map(i -> i.canonical().equals(key)).orElse(false)
        && n.child("baseExpression").flatMap(program::rootStateVariable).isPresent());
  }

  /** The function reads or writes storage keyed by the caller ({@code balances[msg.sender]}). */
  static boolean scopedToCaller(Program program, AstNode fn) {
    return fn.contains(n -> n.is("IndexAccess") && n.child("indexExpression").map(i -> program.isSender(i, java.util.Set.of(), 2)).orElse(false));
  }
}
