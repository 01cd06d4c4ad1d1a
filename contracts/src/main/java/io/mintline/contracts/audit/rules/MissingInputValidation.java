package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.StateWrite;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An address parameter stored as-is, with no condition on it: {@code address(0)} or a wrong address
 * becomes the owner, the treasury or the token, often irrecoverably. MEDIUM when the variable
 * authorises callers (a zero owner locks every privileged function for good), LOW otherwise.
 */
final class MissingInputValidation extends Rule {
  MissingInputValidation() {
    super("missing-input-validation", null, Category.OTHER, Severity.LOW,
        "An address parameter stored without a check can set the zero address as owner, treasury or token, often for good.",
        "Check address parameters before storing them (require(account != address(0))).");
  }

  @Override
  public void check(Program program, Findings findings) {
    Set<AstNode> authority = UnprotectedInitializer.authorityVariables(program);
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn) && !Program.isConstructor(fn)) continue;
      Set<Long> addressParams = new HashSet<>();
      for (AstNode p : Program.parameters(fn)) if (p.typeString().startsWith("address")) addressParams.add(p.id());
      if (addressParams.isEmpty()) continue;
      List<AstNode> conds = new java.util.ArrayList<>(Program.conditions(fn));
      program.modifiers(fn).forEach(m -> conds.addAll(Program.conditions(m.getValue())));
      for (StateWrite w : program.stateWrites(fn)) {
        if (!w.node().is("Assignment") || !w.variable().typeString().startsWith("address")) continue;
        AstNode rhs = w.node().child("rightHandSide").orElseThrow();
        AstNode value = rhs.is("FunctionCall") && "typeConversion".equals(rhs.text("kind")) && rhs.list("arguments").size() == 1
            ? rhs.list("arguments").get(0) : rhs;
        if (!value.is("Identifier") || !addressParams.contains(value.referencedDeclaration())) continue;
        long param = value.referencedDeclaration();
        boolean checked = conds.stream().anyMatch(c -> c.contains(n -> n.is("Identifier") && n.referencedDeclaration() == param));
        if (checked) continue;
        findings.report(this, w.node(), authority.contains(w.variable()) ? Severity.MEDIUM : Severity.LOW,
            "The address passed in is stored in " + w.variable().name() + " unchecked; the zero address or a typo is accepted.");
      }
    }
  }
}
