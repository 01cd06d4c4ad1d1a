package io.mintline.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is generated from this module's reference.conf: every key, its
 * default, its environment variable and its comment. This test fails when the two drift apart;
 * run it with {@code -Dmintline.update-readme=true} to rewrite the table.
 */
class ConfigurationTableTest {
  private static final String START = "<!-- config-table:start (generated from config/src/main/resources/reference.conf) -->";
  private static final String END = "<!-- config-table:end -->";
  private static final Pattern OPEN = Pattern.compile("^([A-Za-z0-9.-]+)\\s*\\{$");
  private static final Pattern ENV = Pattern.compile("^([A-Za-z0-9.-]+)\\s*=\\s*\\$\\{\\?([A-Z0-9_]+)}$");
  private static final Pattern VALUE = Pattern.compile("^([A-Za-z0-9.-]+)\\s*=\\s*(.+)$");

  record Row(String key, String defaultValue, String env, String description) {}

  static List<Row> rows() throws IOException {
    String text;
    try (InputStream in = ConfigurationTableTest.class.getResourceAsStream("/reference.conf")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, Row> rows = new LinkedHashMap<>();
    Deque<String> path = new ArrayDeque<>();
    List<String> comment = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.trim();
      if (line.startsWith("#")) {
        comment.add(line.replaceFirst("^#\\s?", ""));
        continue;
      }
      if (line.isEmpty()) {
        comment.clear();
        continue;
      }
      Matcher open = OPEN.matcher(line);
      if (open.matches()) {
        path.addLast(open.group(1));
        comment.clear();
        continue;
      }
      if (line.equals("}")) {
        path.pollLast();
        continue;
      }
      String prefix = String.join(".", path);
      if (!prefix.equals("mintline") && !prefix.startsWith("mintline.")) {
        comment.clear();
        continue;
      }
      Matcher env = ENV.matcher(line);
      if (env.matches()) {
        String key = prefix + "." + env.group(1);
        Row row = rows.get(key);
        rows.put(key, new Row(key, row.defaultValue(), env.group(2), row.description()));
        continue;
      }
      Matcher value = VALUE.matcher(line);
      if (value.matches()) {
        String key = prefix + "." + value.group(1);
        rows.put(key, new Row(key, value.group(2).trim(), "", String.join(" ", comment)));
        comment.clear();
      }
    }
    return new ArrayList<>(rows.values());
  }

  static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder(START).append("\n");
    out.append("| key | default | environment | meaning |\n|---|---|---|---|\n");
    for (Row row : rows) {
      out.append("| `").append(row.key()).append("` | `").append(row.defaultValue()).append("` | ")
          .append(row.env().isEmpty() ? "" : "`" + row.env() + "`").append(" | ")
          .append(row.description().replace("|", "\\|")).append(" |\n");
    }
    return out.append(END).toString();
  }

  @Test
  void everyKeyOfReferenceConfIsDocumentedWithAComment() throws IOException {
    List<Row> rows = rows();
    assertTrue(rows.size() >= 15, "parsed too few keys: " + rows);
    for (Row row : rows) assertFalse(row.description().isBlank(), "no comment for " + row.key());
    assertTrue(rows.stream().anyMatch(r -> r.key().equals("mintline.db.url") && r.env().equals("MINTLINE_DB_URL")));
    assertTrue(rows.stream().anyMatch(r -> r.key().equals("mintline.http.port") && r.env().equals("MINTLINE_HTTP_PORT")));
  }

  @Test
  void readmeTableMatchesReferenceConf() throws IOException {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme);
    String expected = table(rows());
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertTrue(start >= 0 && end > start, "README.md has no generated configuration table markers");
    String actual = text.substring(start, end + END.length());
    if (!expected.equals(actual) && Boolean.getBoolean("mintline.update-readme")) {
      Files.writeString(readme, text.substring(0, start) + expected + text.substring(end + END.length()));
      return;
    }
    assertEquals(expected, actual,
        "README.md's configuration table is out of date; regenerate with "
            + "mvn -pl config test -Dtest=ConfigurationTableTest -Dmintline.update-readme=true");
  }
}
