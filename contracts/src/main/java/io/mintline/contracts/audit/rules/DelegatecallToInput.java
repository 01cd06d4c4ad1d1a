package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;
import java.util.Optional;

/**
 * {@code delegatecall} runs foreign code with this contract's storage and balance. When the target
 * address comes from the caller (a parameter, {@code msg.data}) of a function anyone can reach, the
 * caller chooses code that overwrites the owner or self-destructs (the Parity wallet). Inline
 * assembly {@code delegatecall} is checked the same way.
 */
final class DelegatecallToInput extends Rule {
  DelegatecallToInput() {
    super("delegatecall-to-input", "SWC-112", Category.ACCESS_CONTROL, Severity.CRITICAL,
        "delegatecall into an address the caller chooses runs the caller's code on this contract's storage and ether.",
        "Delegate only to a fixed or owner-set implementation; never to an address taken from the call.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode node : program.all("FunctionCall")) {
      Optional<ExternalCall> call = program.externalCall(node);
      if (call.isEmpty() || !(call.get().member().equals("delegatecall") || call.get().member().equals("callcode"))) continue;
      Optional<AstNode> target = Program.callTarget(call.get());
      if (target.isEmpty() || !program.dependsOnInput(target.get())) continue;
      report(program, findings, node);
    }
    for (AstNode yul : program.all("YulFunctionCall")) {
      AstNode name = yul.child("functionName").orElse(null);
      if (name == null || !name.name().equals("delegatecall") && !name.name().equals("callcode")) continue;
      List<AstNode> args = yul.list("arguments");
      if (args.size() < 2) continue;
      AstNode asm = yul.ancestor("InlineAssembly").orElse(null);
      if (asm != null && YulReferences.dependsOnInput(program, asm, args.get(1))) report(program, findings, yul);
    }
  }

  private void report(Program program, Findings findings, AstNode at) {
    AstNode fn = Program.enclosingCallable(at).orElse(null);
    if (fn == null) return;
    List<AstNode> entries = program.unguardedEntryPoints(fn);
    if (entries.isEmpty()) {
      // Proxies, upgrades and smart accounts delegate to an address an authorised caller picks: by design.
      findings.report(this, at, Severity.LOW, "delegatecall to an address passed in by an authorised caller; "
          + "a mistaken or stolen key runs arbitrary code on this contract.");
    } else {
      findings.report(this, at, "Anyone can call " + UnprotectedSelfdestruct.describe(entries.get(0))
          + " and delegatecall into an address they choose: their code runs with this contract's storage and ether.");
    }
  }
}
