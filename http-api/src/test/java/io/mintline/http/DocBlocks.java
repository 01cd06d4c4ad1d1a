package io.mintline.http;

import java.util.ArrayList;
import java.util.List;

/** Reads Markdown the way the docs tests need it: fenced blocks by marker, and inline code spans. */
final class DocBlocks {
  private DocBlocks() {}

  /** The body of the first fenced block of {@code language} after the line starting with {@code marker}. */
  static String after(String markdown, String marker, String language) {
    int at = markdown.indexOf("\n" + marker);
    if (at < 0) throw new AssertionError("no line starting with '" + marker + "' in the document");
    String fence = "```" + language + "\n";
    int open = markdown.indexOf(fence, at);
    if (open < 0) throw new AssertionError("no ```" + language + " block after '" + marker + "'");
    int start = open + fence.length();
    int close = markdown.indexOf("\n```", start - 1);
    if (close < 0) throw new AssertionError("the ```" + language + " block after '" + marker + "' is not closed");
    return markdown.substring(start, close + 1);
  }

  /** Every fenced block of {@code language}, in order. */
  static List<String> all(String markdown, String language) {
    List<String> blocks = new ArrayList<>();
    String fence = "```" + language + "\n";
    for (int open = markdown.indexOf(fence); open >= 0; open = markdown.indexOf(fence, open + 1)) {
      int start = open + fence.length();
      int close = markdown.indexOf("\n```", start - 1);
      if (close < 0) throw new AssertionError("a ```" + language + " block is not closed");
      blocks.add(markdown.substring(start, close + 1));
    }
    return blocks;
  }

  /** The inline code spans ({@code `x`}) of the text outside fenced blocks. */
  static List<String> codeSpans(String markdown) {
    List<String> spans = new ArrayList<>();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) continue;
      int from = 0;
      while (true) {
        int open = line.indexOf('`', from);
        if (open < 0) break;
        int close = line.indexOf('`', open + 1);
        if (close < 0) break;
        spans.add(line.substring(open + 1, close));
        from = close + 1;
      }
    }
    return spans;
  }
}
