package io.mintline.contracts.solidity;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code pragma solidity} version expression, as solc reads it (npm semver syntax): alternatives
 * joined by {@code ||}, each a set of comparators ({@code ^ ~ >= > <= < =}, partial versions such as
 * {@code 0.8} or {@code 0.8.x}) or a hyphen range {@code a - b}, all of which must hold.
 */
final class VersionRange {
  private static final Pattern COMPARATOR = Pattern.compile("(\\^|~|>=|<=|>|<|=)?\\s*v?([0-9xX*]+)(?:\\.([0-9xX*]+))?(?:\\.([0-9xX*]+))?");

  /** lower ≤ v (inclusive or not) and v < upper (inclusive or not); nulls are unbounded. */
  private record Bound(int[] lower, boolean lowerInclusive, int[] upper, boolean upperInclusive) {
    boolean contains(int[] v) {
      if (lower != null) {
        int c = compare(v, lower);
        if (c < 0 || (c == 0 && !lowerInclusive)) return false;
      }
      if (upper != null) {
        int c = compare(v, upper);
        if (c > 0 || (c == 0 && !upperInclusive)) return false;
      }
      return true;
    }
  }

  private final List<List<Bound>> alternatives;
  private final String text;

  private VersionRange(String text, List<List<Bound>> alternatives) {
    this.text = text;
    this.alternatives = alternatives;
  }

  /** @throws IllegalArgumentException when the expression is not a version range */
  static VersionRange parse(String expression) {
    List<List<Bound>> alternatives = new ArrayList<>();
    for (String alternative : expression.trim().split("\\|\\|")) {
      String a = alternative.trim();
      List<Bound> all = new ArrayList<>();
      int hyphen = a.indexOf(" - ");
      if (hyphen > 0) {
        int[] from = full(a.substring(0, hyphen).trim());
        int[] to = full(a.substring(hyphen + 3).trim());
        all.add(new Bound(from, true, to, true));
      } else {
        Matcher m = COMPARATOR.matcher(a);
        int at = 0;
        while (at < a.length()) {
          while (at < a.length() && Character.isWhitespace(a.charAt(at))) at++;
          if (at >= a.length()) break;
          if (!m.find(at) || m.start() != at) throw new IllegalArgumentException("not a version range: " + expression);
          all.add(bound(m));
          at = m.end();
        }
      }
      if (all.isEmpty()) throw new IllegalArgumentException("not a version range: " + expression);
      alternatives.add(all);
    }
    return new VersionRange(expression.trim(), alternatives);
  }

  boolean contains(String version) {
    int[] v = full(version);
    for (List<Bound> all : alternatives) {
      if (all.stream().allMatch(b -> b.contains(v))) return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }

  private static Bound bound(Matcher m) {
    String op = m.group(1) == null ? "=" : m.group(1);
    Integer major = part(m.group(2)), minor = part(m.group(3)), patch = part(m.group(4));
    if (major == null) return new Bound(null, true, null, true); // "*"
    int mi = minor == null ? 0 : minor, pa = patch == null ? 0 : patch;
    int[] base = {major, mi, pa};
    // The first version past a partial one: 0.8 → 0.9.0, 0.8.1 → 0.8.2.
    int[] pastPartial = minor == null ? new int[] {major + 1, 0, 0}
        : patch == null ? new int[] {major, mi + 1, 0} : new int[] {major, mi, pa + 1};
    return switch (op) {
      case "^" -> new Bound(base, true, major > 0 ? new int[] {major + 1, 0, 0}
          : minor == null ? new int[] {1, 0, 0}
          : mi > 0 || patch == null ? new int[] {0, mi + 1, 0} : new int[] {0, 0, pa + 1}, false);
      case "~" -> new Bound(base, true, minor == null ? new int[] {major + 1, 0, 0} : new int[] {major, mi + 1, 0}, false);
      case ">=" -> new Bound(base, true, null, true);
      case ">" -> new Bound(pastPartial, true, null, true);
      case "<" -> new Bound(null, true, base, false);
      case "<=" -> new Bound(null, true, pastPartial, false);
      default -> new Bound(base, true, pastPartial, false);
    };
  }

  private static Integer part(String text) {
    if (text == null || text.equals("x") || text.equals("X") || text.equals("*")) return null;
    return Integer.parseInt(text);
  }

  private static int[] full(String version) {
    String[] parts = version.replaceFirst("^v", "").split("[.+-]");
    if (parts.length < 3) throw new IllegalArgumentException("not a full version: " + version);
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
  }

  static int compare(int[] a, int[] b) {
    for (int i = 0; i < 3; i++) {
      if (a[i] != b[i]) return Integer.compare(a[i], b[i]);
    }
    return 0;
  }

  static int compareVersions(String a, String b) {
    return compare(full(a), full(b));
  }
}
