package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.mintline.engine.testing.TestDatabases;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The node starts even when PostgreSQL is unreachable, says so in /health and /ready, and recovers
 * by itself once the database is back.
 */
class DatabaseOutageTest {

  @Test
  void nodeStartsWithTheDatabaseDownReportsItAndRecoversWithoutARestart() throws Exception {
    Config postgres = TestDatabases.postgres();
    String realUrl = postgres.getString("mintline.db.url");
    int realPort = Integer.parseInt(realUrl.replaceFirst("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
    try (TcpGate gate = new TcpGate(realPort)) {
      // The gate's port is closed: nothing listens there yet.
      Config closedPort = postgres
          .withValue("mintline.db.url", ConfigValueFactory.fromAnyRef(realUrl.replace(":" + realPort + "/", ":" + gate.port() + "/")))
          .withFallback(ConfigFactory.parseString(
              "mintline.db.migration-retry { min-backoff = 200ms, max-backoff = 1s }\n"
                  + "mintline.db.connection-timeout = 1s\n mintline.health.database-timeout = 1500ms"));
      try (TestNode node = TestNode.start(closedPort)) {
        JsonNode down = Json.MAPPER.readTree(node.get("/health").body());
        assertEquals("down", down.path("status").asText(), down.toString());
        assertFalse(down.path("checks").path("database").path("ok").asBoolean(), down.toString());
        assertTrue(down.path("checks").path("database").has("error"), down.toString());

        HttpResponse<String> ready = node.get("/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        assertEquals("not_ready", Json.MAPPER.readTree(ready.body()).path("error").asText());
        assertEquals(200, node.get("/alive").statusCode(), "a node without its database is alive, just not ready");

        gate.open();

        JsonNode healthy = NodeHttpTest.awaitHealthy(node);
        assertTrue(healthy.path("checks").path("database").path("migrated").asBoolean(), healthy.toString());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (node.get("/ready").statusCode() != 200) {
          assertTrue(System.nanoTime() < deadline, "not ready 30 s after the database came back");
          Thread.sleep(200);
        }
      }
    }
  }
}
