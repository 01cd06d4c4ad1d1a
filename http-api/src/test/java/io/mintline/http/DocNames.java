package io.mintline.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that the names a guide mentions in inline code still exist, against a source tree on
 * disk (not this test's compiled classes, so a renamed file is caught before anything compiles):
 *
 * <ul>
 *   <li>a CamelCase name ({@code WalletEntity}, {@code WalletEntity.MintRequested}) must be declared
 *       as a class, record, interface or enum in some module's {@code src/main/java} or
 *       {@code src/test/java} (test helpers such as {@code TestNode}) — or, for
 *       library names such as {@code ClusterSingleton}, be a class of one of {@link #LIBRARY_PACKAGES}
 *       on the classpath;
 *   <li>{@code Class.method} must name a method that the class's source file declares or calls on itself;
 *   <li>{@code io.mintline.x.y} must be a package directory or a class file;
 *   <li>{@code mintline.*} keys must be in a module's {@code reference.conf} or the node's
 *       {@code application.conf}; {@code akka.*} and {@code jdbc-*} keys there or in the libraries'
 *       own reference configuration;
 *   <li>a {@code MINTLINE_*} environment variable must be read somewhere: main or test code or
 *       config, a {@code pom.xml} or {@code .ci/run};
 *   <li>a path whose first segment is a top-level entry of the repository must exist, and a bare
 *       file name ({@code README.md}) must be the name of some file in it.
 * </ul>
 * CamelCase words in a Mermaid diagram are checked as class names too (except {@link #DOMAIN_WORDS}).
 * Anything else in backticks (routes, JSON, shell commands, error names) is not a name it checks.
 */
final class DocNames {
  /** Library packages whose classes a guide may name by their simple name. */
  static final List<String> LIBRARY_PACKAGES = List.of(
      "akka.cluster.typed", "akka.cluster.sharding.typed.javadsl", "akka.cluster.sharding.typed",
      "akka.persistence.typed.javadsl", "akka.persistence.typed", "akka.projection", "akka.projection.javadsl",
      "akka.projection.jdbc.javadsl", "akka.projection.eventsourced.javadsl", "akka.stream.javadsl", "akka.stream",
      "akka.actor.typed.pubsub", "akka.actor.typed", "akka.actor", "akka.cluster.ddata", "akka.cluster.ddata.typed.javadsl",
      "akka.pattern", "akka.management.javadsl", "akka.management.cluster.bootstrap", "akka.http.javadsl.server",
      "com.zaxxer.hikari", "org.flywaydb.core", "com.algorand.algosdk.v2.client.common", "com.nimbusds.jose.jwk");

  /** CamelCase words a diagram may use that are not class names. */
  static final Set<String> DOMAIN_WORDS = Set.of("TipProxy", "WebSocket", "PostgreSQL", "JavaScript");

  private static final Pattern CLASS_NAME = Pattern.compile("^[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*(\\.[A-Z][A-Za-z0-9]*)*$");
  private static final Pattern QUALIFIED_MEMBER = Pattern.compile("^([A-Z][A-Za-z0-9]*(?:\\.[A-Z][A-Za-z0-9]*)*)\\.([a-z][A-Za-z0-9]*)(\\(\\))?$");
  private static final Pattern MINTLINE_NAME = Pattern.compile("^io\\.mintline(\\.[a-z][a-z0-9]*)*(\\.[A-Z][A-Za-z0-9]*)?$");
  private static final Pattern CONFIG_KEY = Pattern.compile("^(mintline|akka|jdbc-journal|jdbc-snapshot-store|jdbc-read-journal)(\\.[A-Za-z0-9-]+)+$");
  private static final Pattern PATH = Pattern.compile("^\\.?[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)+/?$");
  private static final Pattern FILE_NAME = Pattern.compile("^[A-Za-z0-9_.-]+\\.(md|xml|json|conf|yml|yaml|sql|java|mjs|js|sh|teal)$");
  private static final Pattern ENV_VAR = Pattern.compile("^(MINTLINE_[A-Z0-9_]+)(=\\S*)?$");
  private static final Pattern ENV_USE = Pattern.compile("MINTLINE_[A-Z0-9_]+");
  private static final Pattern DECLARATION = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z][A-Za-z0-9]*)");

  private final Path root;
  private final Map<String, List<Path>> declaredIn = new HashMap<>();
  private final Config treeConfig;
  private final Set<String> topLevel = new HashSet<>();
  private final Set<String> fileNames = new HashSet<>();
  /** MINTLINE_* variables the code, config, build or CI read. */
  private final Set<String> envVars = new HashSet<>();

  DocNames(Path root) {
    this.root = root;
    Config merged = ConfigFactory.empty();
    try (Stream<Path> entries = Files.list(root)) {
      entries.forEach(p -> topLevel.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(file).toString().replace('\\', '/');
        if (rel.contains("node_modules/") || rel.contains("/target/") || rel.startsWith(".git/")) continue;
        fileNames.add(file.getFileName().toString());
        if ((rel.matches("[^/]+/src/(main|test)/.+\\.(java|conf|xml)") && !rel.endsWith("/DocNames.java"))
            || rel.endsWith("pom.xml") || rel.equals(".ci/run")) {
          Matcher env = ENV_USE.matcher(Files.readString(file));
          while (env.find()) envVars.add(env.group());
        }
        if (rel.matches("[^/]+/src/(main|test)/java/.+\\.java")) {
          Matcher m = DECLARATION.matcher(Files.readString(file));
          while (m.find()) declaredIn.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(file);
        } else if (rel.matches("[^/]+/src/main/resources/(reference|application)\\.conf")) {
          merged = merged.withFallback(ConfigFactory.parseFile(file.toFile()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.treeConfig = merged;
  }

  /**
   * The names of {@code markdown} this tree does not have, each with why. Text between
   * {@code <!-- names:planned -->} and {@code <!-- /names:planned -->} (a design not landed yet)
   * is left out.
   */
  List<String> missing(String markdown) {
    List<String> missing = new ArrayList<>();
    for (String span : new LinkedHashSet<>(DocBlocks.codeSpans(withoutPlanned(markdown)))) {
      String problem = check(span.strip());
      if (problem != null) missing.add("`" + span + "`: " + problem);
    }
    for (String diagram : DocBlocks.all(withoutPlanned(markdown), "mermaid")) {
      Matcher word = Pattern.compile("[A-Za-z][A-Za-z0-9]*").matcher(diagram);
      Set<String> seen = new HashSet<>();
      while (word.find()) {
        String w = word.group();
        if (!CLASS_NAME.matcher(w).matches() || DOMAIN_WORDS.contains(w) || !seen.add(w)) continue;
        String problem = checkClass(w);
        if (problem != null) missing.add("diagram " + w + ": " + problem);
      }
    }
    return missing;
  }

  /** How many spans of {@code markdown} this checker recognises as names (so a test sees it checked something). */
  long checked(String markdown) {
    return new LinkedHashSet<>(DocBlocks.codeSpans(withoutPlanned(markdown))).stream().map(String::strip).filter(this::isName).count();
  }

  static String withoutPlanned(String markdown) {
    return markdown.replaceAll("(?s)<!-- names:planned -->.*?<!-- /names:planned -->", "");
  }

  private boolean isName(String s) {
    return ENV_VAR.matcher(s).matches() || FILE_NAME.matcher(s).matches() || CLASS_NAME.matcher(s).matches() || QUALIFIED_MEMBER.matcher(s).matches() || MINTLINE_NAME.matcher(s).matches()
        || (CONFIG_KEY.matcher(s).matches() && !s.contains("..")) || isRepoPath(s);
  }

  private String check(String s) {
    Matcher env = ENV_VAR.matcher(s);
    if (env.matches()) return envVars.contains(env.group(1)) ? null : "no code, config, build file or .ci/run reads this variable";
    if (MINTLINE_NAME.matcher(s).matches()) return checkMintlineName(s);
    if (CONFIG_KEY.matcher(s).matches()) return checkKey(s);
    if (FILE_NAME.matcher(s).matches()) return fileNames.contains(s) ? null : "no file of that name in the repository";
    Matcher member = QUALIFIED_MEMBER.matcher(s);
    if (member.matches()) return checkMember(member.group(1), member.group(2));
    if (CLASS_NAME.matcher(s).matches()) return checkClass(s);
    if (isRepoPath(s)) return Files.exists(root.resolve(s)) ? null : "no such file or directory in the repository";
    return null;
  }

  private boolean isRepoPath(String s) {
    return PATH.matcher(s).matches() && topLevel.contains(s.substring(0, s.indexOf('/')));
  }

  /** {@code Outer.Inner}: every part declared, the inner ones in the outer's file. */
  private String checkClass(String name) {
    String[] parts = name.split("\\.");
    List<Path> files = declaredIn.get(parts[0]);
    if (files == null) return onClasspath(name) ? null : "no class, record, interface or enum of that name in any src/main/java or src/test/java";
    for (int i = 1; i < parts.length; i++) {
      String inner = parts[i];
      List<Path> innerFiles = declaredIn.getOrDefault(inner, List.of());
      files = files.stream().filter(innerFiles::contains).toList();
      if (files.isEmpty()) return parts[i] + " is not declared inside " + parts[i - 1];
    }
    return null;
  }

  private String checkMember(String type, String method) {
    String problem = checkClass(type);
    if (problem != null) return problem;
    String outer = type.split("\\.")[0];
    List<Path> files = declaredIn.get(outer);
    if (files == null) return null; // a library class: its methods are the library's business
    Pattern use = Pattern.compile("\\b" + Pattern.quote(method) + "\\s*\\(");
    for (Path file : files) {
      try {
        if (use.matcher(Files.readString(file)).find()) return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return "no method " + method + " in " + type;
  }

  private String checkMintlineName(String name) {
    String[] parts = name.split("\\.");
    boolean isClass = Character.isUpperCase(parts[parts.length - 1].charAt(0));
    String rel = String.join("/", parts) + (isClass ? ".java" : "");
    try (Stream<Path> modules = Files.list(root)) {
      boolean found = modules.anyMatch(m -> Files.exists(m.resolve("src/main/java").resolve(rel)));
      return found ? null : (isClass ? "no such class file" : "no such package") + " in any module";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String checkKey(String key) {
    if (treeConfig.hasPathOrNull(key)) return null;
    if (key.startsWith("mintline.")) return "not in any module's reference.conf nor in application.conf";
    return ConfigFactory.defaultReference().hasPathOrNull(key) ? null : "not a key of this tree or of the libraries' reference.conf";
  }

  private static boolean onClasspath(String name) {
    String simple = name.replace('.', '$');
    for (String pkg : LIBRARY_PACKAGES) {
      try {
        Class.forName(pkg + "." + simple, false, DocNames.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError notHere) {
        // try the next package
      }
    }
    return false;
  }
}
