package io.mintline.contracts.solidity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every source a compilation needs: the request's own files plus the files of the pinned
 * OpenZeppelin package they import (transitively). An import may name only one of the request's
 * files or a {@code .sol} file inside {@code @openzeppelin/contracts/}; anything else — an
 * absolute path, a {@code ../} escaping the sources, another package — is refused with a located
 * error, and the compiler is then never started. The compilers get this closed set and no import
 * callback, so a compilation cannot read any other file of the server.
 */
final class ImportClosure {
  static final String OPENZEPPELIN = "@openzeppelin/contracts/";

  /** The sources to compile, the refused imports, and the pragmas seen (file → expressions). */
  record Result(SortedMap<String, String> sources, List<Diagnostic> refused, SortedMap<String, List<String>> pragmas) {}

  private final Path openZeppelin;
  private final Path openZeppelinReal;

  /** {@code openZeppelin} is {@code node_modules/@openzeppelin/contracts}. */
  ImportClosure(Path openZeppelin) throws IOException {
    this.openZeppelin = openZeppelin.toAbsolutePath().normalize();
    this.openZeppelinReal = this.openZeppelin.toRealPath();
  }

  Result resolve(SortedMap<String, String> requestSources) {
    SortedMap<String, String> all = new TreeMap<>(requestSources);
    SortedMap<String, List<String>> pragmas = new TreeMap<>();
    List<Diagnostic> refused = new ArrayList<>();
    Deque<String> pending = new ArrayDeque<>(requestSources.keySet());
    while (!pending.isEmpty()) {
      String file = pending.pop();
      String content = all.get(file);
      SourceScanner.Result scan = SourceScanner.scan(content);
      pragmas.put(file, scan.pragmas().stream().map(SourceScanner.Pragma::expression).toList());
      for (SourceScanner.Import imp : scan.imports()) {
        String target = unitName(file, imp.path());
        if (target != null && all.containsKey(target)) continue;
        String loaded = target == null ? null : loadOpenZeppelin(target);
        if (loaded != null) {
          all.put(target, loaded);
          pending.push(target);
          continue;
        }
        int[] at = Diagnostic.LineIndex.locateChars(content, imp.offset());
        refused.add(new Diagnostic("error", "ImportError", null,
            "Source \"" + imp.path() + "\" not found: an import may name only a file of this request or a .sol file of "
                + OPENZEPPELIN + " (the pinned package); nothing else is read",
            file, at[0], at[1], at[0], at[1], null));
      }
    }
    return new Result(all, refused, pragmas);
  }

  /**
   * The source unit name solc gives an import: relative to the importing file for {@code ./} and
   * {@code ../}, the path itself otherwise. Null for a path that leaves the sources' root.
   */
  static String unitName(String importer, String path) {
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) return null;
    String joined;
    if (path.startsWith("./") || path.startsWith("../")) {
      int slash = importer.lastIndexOf('/');
      joined = (slash < 0 ? "" : importer.substring(0, slash + 1)) + path;
    } else {
      joined = path;
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String segment : joined.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) continue;
      if (segment.equals("..")) {
        if (parts.isEmpty()) return null;
        parts.removeLast();
      } else {
        parts.addLast(segment);
      }
    }
    return parts.isEmpty() ? null : String.join("/", parts);
  }

  /** The content of an OpenZeppelin file named by its unit name, or null when it is not one. */
  private String loadOpenZeppelin(String unitName) {
    if (!unitName.startsWith(OPENZEPPELIN) || !unitName.endsWith(".sol")) return null;
    Path file = openZeppelin.resolve(unitName.substring(OPENZEPPELIN.length())).normalize();
    if (!file.startsWith(openZeppelin)) return null;
    try {
      if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(openZeppelinReal)) return null;
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
