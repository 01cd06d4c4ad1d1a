package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * One compiler error or warning, located by file, line and column (1-based) as an editor shows it.
 * solc reports byte offsets into the UTF-8 source; they are turned into lines and columns here.
 *
 * @param severity {@code error}, {@code warning} or {@code info}
 * @param type solc's kind ({@code ParserError}, {@code TypeError}, {@code Warning}...), or {@code ImportError}
 * @param errorCode solc's numeric code when it gave one
 */
public record Diagnostic(
    String severity, String type, String errorCode, String message, String file, Integer line, Integer column,
    Integer endLine, Integer endColumn, String formattedMessage) {

  public boolean isError() {
    return "error".equals(severity);
  }

  /** One entry of solc's {@code errors} array, located in {@code sources} (file name → content). */
  static Diagnostic fromSolc(JsonNode error, Map<String, String> sources) {
    JsonNode location = error.path("sourceLocation");
    String file = location.path("file").isTextual() ? location.path("file").asText() : null;
    Integer line = null, column = null, endLine = null, endColumn = null;
    String content = file == null ? null : sources.get(file);
    if (content != null && location.has("start") && location.path("start").asInt(-1) >= 0) {
      LineIndex index = new LineIndex(content);
      int[] start = index.locate(location.path("start").asInt());
      int[] end = index.locate(Math.max(location.path("start").asInt(), location.path("end").asInt()));
      line = start[0];
      column = start[1];
      endLine = end[0];
      endColumn = end[1];
    }
    return new Diagnostic(
        error.path("severity").asText("error"),
        error.path("type").asText(""),
        error.path("errorCode").isMissingNode() || error.path("errorCode").isNull() ? null : error.path("errorCode").asText(),
        error.path("message").asText(""),
        file, line, column, endLine, endColumn,
        error.path("formattedMessage").isTextual() ? error.path("formattedMessage").asText() : null);
  }

  /** Line starts of a text in UTF-8 bytes; columns are counted in characters. */
  static final class LineIndex {
    private final byte[] bytes;
    private final int[] starts;

    LineIndex(String content) {
      this.bytes = content.getBytes(StandardCharsets.UTF_8);
      int[] s = new int[16];
      int count = 1;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          if (count == s.length) s = Arrays.copyOf(s, count * 2);
          s[count++] = i + 1;
        }
      }
      this.starts = Arrays.copyOf(s, count);
    }

    /** {line, column} of a byte offset, both from 1. */
    int[] locate(int byteOffset) {
      int offset = Math.min(Math.max(byteOffset, 0), bytes.length);
      int found = Arrays.binarySearch(starts, offset);
      int lineIndex = found >= 0 ? found : -found - 2;
      int lineStart = starts[lineIndex];
      int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
      return new int[] {lineIndex + 1, column};
    }

    /** {line, column} of a char offset into the original string, both from 1. */
    static int[] locateChars(String content, int charOffset) {
      int line = 1, lineStart = 0;
      for (int i = 0; i < charOffset && i < content.length(); i++) {
        if (content.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      return new int[] {line, charOffset - lineStart + 1};
    }
  }
}
