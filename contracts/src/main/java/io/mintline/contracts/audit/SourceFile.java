package io.mintline.contracts.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One source file as the compiler saw it. solc's {@code src} offsets count UTF-8 bytes; this turns
 * them into 1-based lines and columns (columns in characters, as editors and SARIF count them).
 */
public final class SourceFile {
  private final String name;
  private final byte[] bytes;
  private final int[] lineStarts;

  public SourceFile(String name, String content) {
    this.name = name;
    this.bytes = content.getBytes(StandardCharsets.UTF_8);
    int[] starts = new int[16];
    int count = 0;
    starts[count++] = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        if (count == starts.length) starts = Arrays.copyOf(starts, count * 2);
        starts[count++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, count);
  }

  public String name() {
    return name;
  }

  /** 1-based line of a byte offset (clamped to the file). */
  public int line(int byteOffset) {
    int offset = Math.max(0, Math.min(byteOffset, bytes.length));
    int i = Arrays.binarySearch(lineStarts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** 1-based column, in characters, of a byte offset. */
  public int column(int byteOffset) {
    int offset = Math.max(0, Math.min(byteOffset, bytes.length));
    int start = lineStarts[line(offset) - 1];
    return new String(bytes, start, offset - start, StandardCharsets.UTF_8).length() + 1;
  }
}
