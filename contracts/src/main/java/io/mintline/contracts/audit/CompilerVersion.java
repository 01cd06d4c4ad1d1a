package io.mintline.contracts.audit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A solc release ({@code 0.8.37+commit.f401782d...} reads as 0.8.37), ordered by number. */
public record CompilerVersion(int major, int minor, int patch) implements Comparable<CompilerVersion> {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

  /** The first x.y.z in the text, or an exception naming it. */
  public static CompilerVersion parse(String text) {
    Matcher m = NUMBER.matcher(text == null ? "" : text);
    if (!m.find()) throw new IllegalArgumentException("not a compiler version: " + text);
    return new CompilerVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  public boolean before(int maj, int min, int pat) {
    return compareTo(new CompilerVersion(maj, min, pat)) < 0;
  }

  @Override
  public int compareTo(CompilerVersion o) {
    if (major != o.major) return Integer.compare(major, o.major);
    if (minor != o.minor) return Integer.compare(minor, o.minor);
    return Integer.compare(patch, o.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
