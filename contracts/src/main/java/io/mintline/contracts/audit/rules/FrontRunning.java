package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Transactions wait in a public pool, so whoever sees one can send their own first (with more gas).
 * Three shapes: (1) a reward for revealing the preimage of a stored hash, when the hash does not
 * bind the sender — the answer is copied from the pool (HIGH); (2) a payout whose amount a
 * privileged function can change, so the owner can change it under a pending claim (MEDIUM); (3)
 * ERC-20 {@code approve} that overwrites a non-zero allowance, letting the spender use old and new
 * allowance (LOW: it is the standard's own behaviour).
 */
final class FrontRunning extends Rule {
  private static final Set<String> HASHES = Set.of("keccak256", "sha3", "sha256", "ripemd160");

  FrontRunning() {
    super("front-running", "SWC-114", Category.FRONT_RUNNING, Severity.MEDIUM,
        "Pending transactions are public; one whose outcome depends on order can be overtaken by a copy or a counter-move.",
        "Use commit-reveal with the sender bound into the commitment, fix prices/rewards per claim, and change allowances via increase/decrease or from zero.");
  }

  @Override
  public void check(Program program, Findings findings) {
    Set<AstNode> writtenByPrivileged = new HashSet<>();
    for (AstNode other : program.all("FunctionDefinition")) {
      if (Program.isEntryPoint(other) && program.unguardedReach(other).isEmpty()) {
        program.stateWrites(other).forEach(w -> writtenByPrivileged.add(w.variable()));
      }
    }
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn) || program.unguardedReach(fn).isEmpty()) continue;
      preimageReward(program, fn, findings);
      changeableReward(program, fn, writtenByPrivileged, findings);
      approveOverwrite(program, fn, findings);
    }
  }

  private void preimageReward(Program program, AstNode fn, Findings findings) {
    boolean pays = !program.externalCalls(fn).stream().filter(ExternalCall::sendsEther).toList().isEmpty();
    if (!pays) return;
    // Commit-reveal: another check in the function matches a commitment that binds the sender.
    boolean committed = Program.conditions(fn).stream().flatMap(c -> c.findAll("FunctionCall").stream())
        .anyMatch(call -> HASHES.contains(call.child("expression").map(AstNode::name).orElse(""))
            && call.contains(n -> program.isSender(n, Set.of(), 2)));
    if (committed) return;
    for (AstNode c : Program.conditions(fn)) {
      for (AstNode call : c.findAll("FunctionCall")) {
        AstNode callee = call.child("expression").orElse(null);
        if (callee == null || !HASHES.contains(callee.name()) || !program.isBuiltin(callee)) continue;
        boolean input = call.list("arguments").stream().anyMatch(program::dependsOnInput);
        boolean bindsSender = call.contains(n -> program.isSender(n, Set.of(), 2));
        if (input && !bindsSender) {
          findings.report(this, call, Severity.HIGH, "The caller is paid for a value whose hash is checked here; "
              + "anyone who sees the transaction pending can send the same value first.");
        }
      }
    }
  }

  private void changeableReward(Program program, AstNode fn, Set<AstNode> writtenByPrivileged, Findings findings) {
    for (ExternalCall call : program.externalCalls(fn)) {
      if (!call.sendsEther()) continue;
      Optional<AstNode> amount = Program.callValue(call);
      if (amount.isEmpty() || !amount.get().is("Identifier")) continue;
      Optional<AstNode> v = program.declarationOf(amount.get()).filter(program::isStateVariable);
      if (v.isPresent() && writtenByPrivileged.contains(v.get())) {
        findings.report(this, call.call(), "The payout " + v.get().name() + " can be changed by a privileged transaction "
            + "sent ahead of this one: the caller cannot know what they will receive.");
      }
    }
  }

  private void approveOverwrite(Program program, AstNode fn, Findings findings) {
    if (!fn.name().equals("approve") || Program.parameters(fn).size() != 2) return;
    for (var w : program.stateWrites(fn)) {
      if (!w.node().is("Assignment") || !w.node().text("operator").equals("=")) continue;
      if (!w.variable().typeString().startsWith("mapping(address => mapping(address")) continue;
      boolean checksZero = Program.conditions(fn).stream().anyMatch(c -> c.contains(n -> n.is("Literal") && n.text("value").equals("0")));
      if (!checksZero) {
        findings.report(this, w.node(), Severity.LOW, "approve overwrites the allowance: a spender watching the pool can spend "
            + "the old allowance before the new one lands, then the new one.");
      }
    }
  }
}
