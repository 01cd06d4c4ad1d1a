package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A name that hides another makes code read one variable and mean another: a derived contract's
 * state variable that shadows a base's (before 0.6; the base's functions keep using theirs —
 * MEDIUM), a local or parameter hiding a state variable, or a declaration named like a builtin
 * ({@code now}, {@code msg}, {@code require}, ...) (LOW).
 */
final class Shadowing extends Rule {
  private static final Set<String> BUILTINS = Set.of("now", "msg", "tx", "block", "this", "super", "require", "assert",
      "revert", "keccak256", "sha3", "sha256", "ripemd160", "ecrecover", "addmod", "mulmod", "selfdestruct", "suicide",
      "blockhash", "gasleft", "abi");

  Shadowing() {
    super("shadowing", "SWC-119", Category.OTHER, Severity.LOW,
        "A declaration that hides a state variable or a builtin makes the code use a different value than it reads as.",
        "Rename the inner declaration; never reuse a base contract's state variable names or builtin names.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode contract : program.all("ContractDefinition")) {
      Map<String, AstNode> inherited = new HashMap<>();
      List<Long> bases = ids(contract);
      for (int i = bases.size() - 1; i >= 1; i--) {
        program.declaration(bases.get(i)).ifPresent(base -> {
          // A private variable is invisible to the derived contract: a same-named one there hides nothing.
          for (AstNode n : base.list("nodes")) {
            if (program.isStateVariable(n) && !n.text("visibility").equals("private")) inherited.put(n.name(), n);
          }
        });
      }
      Map<String, AstNode> own = new HashMap<>(inherited);
      for (AstNode n : contract.list("nodes")) {
        if (!program.isStateVariable(n)) continue;
        AstNode hidden = inherited.get(n.name());
        if (hidden != null) {
          findings.report(this, n, Severity.MEDIUM, "State variable " + n.name() + " shadows the one declared in "
              + Program.enclosingContract(hidden).map(AstNode::name).orElse("a base contract")
              + "; the base's functions keep using theirs.");
        }
        own.put(n.name(), n);
      }
      for (AstNode callable : contract.list("nodes")) {
        if (!callable.is("FunctionDefinition") && !callable.is("ModifierDefinition")) continue;
        for (AstNode decl : callable.findAll("VariableDeclaration")) {
          if (decl.name().isEmpty() || decl.ancestor("EventDefinition").isPresent()) continue;
          AstNode state = own.get(decl.name());
          if (state != null) {
            findings.report(this, decl, "'" + decl.name() + "' hides the state variable of the same name.");
          }
        }
      }
    }
    for (String type : new String[] {"VariableDeclaration", "FunctionDefinition", "ModifierDefinition", "EventDefinition"}) {
      for (AstNode decl : program.all(type)) {
        if (BUILTINS.contains(decl.name())) {
          findings.report(this, decl, "'" + decl.name() + "' shadows the builtin of the same name.");
        }
      }
    }
  }

  private static List<Long> ids(AstNode contract) {
    List<Long> out = new java.util.ArrayList<>();
    for (var v : contract.json().path("linearizedBaseContracts")) out.add(v.asLong());
    return out;
  }
}
