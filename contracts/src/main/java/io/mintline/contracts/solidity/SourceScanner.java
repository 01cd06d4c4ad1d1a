package io.mintline.contracts.solidity;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds a Solidity file's {@code import} paths and {@code pragma solidity} expressions with a small
 * lexer that skips comments and string literals, so an "import" inside a comment or a string is
 * not taken for one. Only the toolchain's import closure and compiler choice use it; what the
 * code means is left to solc.
 */
final class SourceScanner {
  /** An import directive's path and where the directive starts (char offset). */
  record Import(String path, int offset) {}

  /** A {@code pragma solidity} expression (the text between the keyword and ';') and its offset. */
  record Pragma(String expression, int offset) {}

  record Result(List<Import> imports, List<Pragma> pragmas) {}

  private SourceScanner() {}

  static Result scan(String text) {
    List<Import> imports = new ArrayList<>();
    List<Pragma> pragmas = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
        i = lineEnd(text, i);
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '"' || c == '\'') {
        i = stringEnd(text, i);
      } else if (Character.isJavaIdentifierStart(c)) {
        int start = i;
        while (i < n && Character.isJavaIdentifierPart(text.charAt(i))) i++;
        String word = text.substring(start, i);
        if (word.equals("import")) {
          int[] end = new int[1];
          String path = importPath(text, i, end);
          if (path != null) imports.add(new Import(path, start));
          i = end[0];
        } else if (word.equals("pragma")) {
          int semicolon = text.indexOf(';', i);
          if (semicolon < 0) break;
          String body = text.substring(i, semicolon).trim();
          if (body.startsWith("solidity") && (body.length() == 8 || !Character.isJavaIdentifierPart(body.charAt(8)))) {
            pragmas.add(new Pragma(body.substring(8).trim(), start));
          }
          i = semicolon + 1;
        }
      } else {
        i++;
      }
    }
    return new Result(imports, pragmas);
  }

  /** The first string literal of the directive starting at {@code from}, up to its ';'. */
  private static String importPath(String text, int from, int[] end) {
    int n = text.length();
    int i = from;
    String path = null;
    while (i < n) {
      char c = text.charAt(i);
      if (c == ';') {
        end[0] = i + 1;
        return path;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
        i = lineEnd(text, i);
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int close = text.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else if (c == '"' || c == '\'') {
        int close = stringEnd(text, i);
        if (path == null) path = unescape(text.substring(i + 1, Math.max(i + 1, close - 1)));
        i = close;
      } else {
        i++;
      }
    }
    end[0] = n;
    return path;
  }

  private static int lineEnd(String text, int from) {
    int nl = text.indexOf('\n', from);
    return nl < 0 ? text.length() : nl + 1;
  }

  private static int stringEnd(String text, int open) {
    char quote = text.charAt(open);
    int i = open + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote || c == '\n') {
        return i + 1;
      } else {
        i++;
      }
    }
    return text.length();
  }

  private static String unescape(String raw) {
    if (raw.indexOf('\\') < 0) return raw;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        out.append(raw.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
