package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration inside the shaded jar, read by the jar itself ({@code --print-config}): the
 * jar concatenates every module's reference.conf, and a library default overridden there is
 * undone by whichever file lands later. This is what made every event-sourced entity of the
 * released jar fail with "Default journal plugin is not configured" while Maven's classpath, which
 * orders the files the other way, passed every test.
 */
class NodeJarConfigIT {
  @TempDir Path workDir;

  @Test
  void theJarRunsWithTheJdbcJournalSnapshotStoreAndCborBindings() throws Exception {
    JsonNode config = printConfig(
        "akka.persistence.journal.plugin",
        "akka.persistence.snapshot-store.plugin",
        "akka.actor.serializers",
        "akka.actor.serialization-bindings",
        "jdbc-read-journal.refresh-interval",
        "mintline.db.password");
    JsonNode persistence = config.path("akka").path("persistence");
    assertEquals("jdbc-journal", persistence.path("journal").path("plugin").asText(), config.toPrettyString());
    assertEquals("jdbc-snapshot-store", persistence.path("snapshot-store").path("plugin").asText(), config.toPrettyString());
    JsonNode actor = config.path("akka").path("actor");
    assertEquals("jackson-cbor", actor.path("serialization-bindings").path("io.mintline.serialization.CborSerializable").asText(),
        "Mintline's messages and events are bound to jackson-cbor: " + actor.toPrettyString());
    assertEquals("akka.serialization.jackson.JacksonCborSerializer", actor.path("serializers").path("jackson-cbor").asText());
    assertEquals("java", actor.path("serialization-bindings").path("java.io.Serializable").asText(),
        "akka's own bindings are still there next to Mintline's");
    assertEquals("200ms", config.path("jdbc-read-journal").path("refresh-interval").asText());
    // Kamon's JDBC instrumentation, attached before the journal's pool starts, breaks every PostgreSQL
    // connection (ClassCastException to its pool-telemetry mixin): it stays off in the jar.
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(Path.of("target", "mintline-node.jar").toFile())) {
      String application = new String(jar.getInputStream(jar.getEntry("application.conf")).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertFalse(com.typesafe.config.ConfigFactory.parseString(application).getBoolean("kanela.modules.jdbc.enabled"),
          "the jar's application.conf switches Kamon's JDBC module off");
    }
  }

  @Test
  void secretsAreNeverPrinted() throws Exception {
    JsonNode config = printConfig(List.of("MINTLINE_DB_PASSWORD=s3cret-value"), "mintline.db");
    assertEquals("<redacted>", config.path("mintline").path("db").path("password").asText(), config.toString());
    assertFalse(config.toString().contains("s3cret-value"));
  }

  private JsonNode printConfig(String... paths) throws Exception {
    return printConfig(List.of(), paths);
  }

  private JsonNode printConfig(List<String> env, String... paths) throws Exception {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "--print-config"));
    command.addAll(List.of(paths));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(workDir.resolve("out.json").toFile())
        .redirectError(workDir.resolve("err.log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    for (String pair : env) builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "--print-config did not finish");
    String out = Files.readString(workDir.resolve("out.json"));
    assertEquals(0, process.exitValue(), out + Files.readString(workDir.resolve("err.log")));
    return Json.MAPPER.readTree(out);
  }
}
