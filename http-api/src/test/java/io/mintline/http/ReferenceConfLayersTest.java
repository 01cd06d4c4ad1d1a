package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A module's reference.conf may define Mintline's own keys, and may add entries to Akka's
 * serializer maps (objects merge, whatever the order), but must not override another library's
 * scalar default: in the shaded jar every reference.conf is concatenated and the later file wins,
 * so such an override works under Maven and is silently undone in the jar people run.
 */
class ReferenceConfLayersTest {
  private static final Set<String> MERGED_MAPS = Set.of("akka.actor.serialization-bindings", "akka.actor.serializers");

  @Test
  void noModuleReferenceConfOverridesAnotherLibrarysDefault() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> files;
    try (Stream<Path> found = Files.walk(root, 5)) {
      files = found.filter(p -> p.endsWith(Path.of("src", "main", "resources", "reference.conf")))
          .filter(p -> !p.toString().contains("node_modules")).toList();
    }
    assertTrue(files.size() >= 2, "found the modules' reference.conf files: " + files);
    List<String> offending = new ArrayList<>();
    for (Path file : files) {
      Config conf = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      for (Map.Entry<String, ConfigValue> entry : conf.entrySet()) {
        String key = entry.getKey();
        boolean own = key.startsWith("mintline.");
        boolean mergedMap = MERGED_MAPS.stream().anyMatch(map -> key.startsWith(map + "."));
        if (!own && !mergedMap) offending.add(root.relativize(file) + ": " + key);
      }
    }
    assertEquals(List.of(), offending,
        "put these in http-api's application.conf or a layer the node builds (JournalDatabase.akkaConfig)");
  }
}
