package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Program;
import java.util.Optional;

/**
 * Links Yul identifiers to the Solidity declarations they name, from {@code InlineAssembly.externalReferences}
 * (0.6+ Yul AST). For 0.4/0.5, whose inline assembly is text only, nothing resolves and the rules
 * that need it stay silent.
 */
final class YulReferences {
  private YulReferences() {}

  /** The Solidity declaration this Yul identifier refers to. */
  static Optional<AstNode> declaration(Program program, AstNode asm, AstNode yulIdentifier) {
    String src = yulIdentifier.json().path("src").asText();
    for (com.fasterxml.jackson.databind.JsonNode ref : asm.json().path("externalReferences")) {
      if (ref.path("src").asText().equals(src)) return program.declaration(ref.path("declaration").asLong(-1));
    }
    return Optional.empty();
  }

  /** The Yul expression uses a parameter of the enclosing function (or a Yul variable set from one). */
  static boolean dependsOnInput(Program program, AstNode asm, AstNode yulExpr) {
    AstNode fn = Program.enclosingCallable(asm).orElse(null);
    if (fn == null) return false;
    return yulExpr.contains(n -> {
      if (n.is("YulFunctionCall") && n.child("functionName").map(f -> f.name().equals("calldataload")).orElse(false)) return true;
      if (!n.is("YulIdentifier")) return false;
      Optional<AstNode> d = declaration(program, asm, n);
      return d.isPresent() && Program.parameters(fn).contains(d.get()) && program.isInputParameter(d.get(), 6);
    });
  }
}
