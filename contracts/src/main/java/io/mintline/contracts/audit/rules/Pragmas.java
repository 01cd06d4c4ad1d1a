package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.CompilerVersion;

/** Reads {@code pragma solidity} from the AST's {@code literals} ({@code ["solidity", "^", "0.4", ".24"]}). */
final class Pragmas {
  private Pragmas() {}

  /** {@code ^0.4.24}, or null for another pragma (experimental, abicoder). */
  static String versionText(AstNode pragma) {
    var literals = pragma.json().path("literals");
    if (literals.size() < 2 || !literals.get(0).asText().equals("solidity")) return null;
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < literals.size(); i++) {
      String part = literals.get(i).asText();
      // ">=0.4.22 <0.6.0" arrives as [">=", "0.4", ".22", "<", "0.6", ".0"]: a space before each new bound.
      if (b.length() > 0 && Character.isDigit(b.charAt(b.length() - 1)) && !part.startsWith(".")) b.append(' ');
      b.append(part);
    }
    return b.toString();
  }

  /** The lowest version the pragma admits: the first version number in it. */
  static CompilerVersion lowest(String text) {
    String cleaned = text.replaceAll("[^0-9.]+", " ").trim();
    for (String token : cleaned.split(" ")) {
      String[] parts = token.split("\\.");
      if (parts.length >= 2) {
        return new CompilerVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
            parts.length > 2 && !parts[2].isEmpty() ? Integer.parseInt(parts[2]) : 0);
      }
    }
    return null;
  }
}
