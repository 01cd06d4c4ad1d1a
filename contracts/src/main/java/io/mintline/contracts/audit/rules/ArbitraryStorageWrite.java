package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.List;
import java.util.Optional;

/**
 * Writes whose storage slot the caller controls can overwrite any variable, the owner included.
 * Two shapes: (1) before 0.6 a dynamic array's {@code length} is writable; {@code arr.length--} on
 * an empty array wraps to 2^256-1 and then {@code arr[i] = v} reaches every slot; (2) inline
 * assembly {@code sstore(slot, v)} with a slot taken from the call. CRITICAL when anyone can reach it.
 */
final class ArbitraryStorageWrite extends Rule {
  ArbitraryStorageWrite() {
    super("arbitrary-storage-write", "SWC-124", Category.ACCESS_CONTROL, Severity.HIGH,
        "A storage write whose slot the caller controls can overwrite any variable, including the owner.",
        "Never set array length directly (use push/pop, solc >= 0.6) and never sstore to a slot derived from input.");
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode unit : program.units()) {
      unit.walk(n -> {
        AstNode target = null;
        if (n.is("Assignment")) target = n.child("leftHandSide").orElse(null);
        else if (n.is("UnaryOperation") && (n.text("operator").equals("--") || n.text("operator").equals("++"))) {
          target = n.child("subExpression").orElse(null);
        }
        if (target == null || !target.is("MemberAccess") || !target.text("memberName").equals("length")) return;
        // Only a dynamic storage array's length (writable before 0.6), not a struct field named length.
        AstNode base = target.child("expression").orElse(null);
        if (base == null || !base.typeString().contains("[] storage") || !program.version().before(0, 6, 0)) return;
        Optional<AstNode> array = program.rootStateVariable(base);
        if (array.isEmpty()) return;
        boolean anyone = program.reachableByAnyone(n);
        findings.report(this, n, anyone ? Severity.CRITICAL : severity(), "The length of " + array.get().name()
            + " is set directly; once it wraps below zero, an index write reaches any storage slot"
            + (anyone ? ", and anyone can do it." : "."));
      });
    }
    for (AstNode yul : program.all("YulFunctionCall")) {
      if (!yul.child("functionName").map(f -> f.name().equals("sstore")).orElse(false)) continue;
      List<AstNode> args = yul.list("arguments");
      AstNode asm = yul.ancestor("InlineAssembly").orElse(null);
      if (args.isEmpty() || asm == null || !YulReferences.dependsOnInput(program, asm, args.get(0))) continue;
      boolean anyone = program.reachableByAnyone(asm);
      findings.report(this, yul, anyone ? Severity.CRITICAL : severity(), "sstore to a slot taken from the call"
          + (anyone ? ": anyone can overwrite any storage variable." : "."));
    }
  }
}
