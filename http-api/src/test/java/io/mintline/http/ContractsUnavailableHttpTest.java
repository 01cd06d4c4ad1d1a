package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started where the npm packages are missing: contract routes 503, everything else works. */
class ContractsUnavailableHttpTest {
  @TempDir Path dataDir;
  @TempDir Path noPackages;

  @Test
  void theContractRoutesAnswer503AndTheRestOfTheNodeWorks() throws Exception {
    try (TestNode node = TestNode.start(ConfigFactory.parseMap(Map.of(
            "mintline.contracts.node-modules", noPackages.toString(),
            "mintline.devnet.block-interval", "0s"))
        .withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      ContractHttpTest.node = node;
      String token = Creators.login(node, new Account());
      for (String path : java.util.List.of("/api/v1/contracts/generate", "/api/v1/contracts/compile", "/api/v1/contracts/audit")) {
        var answer = ContractHttpTest.post(token, path, "{\"template\":\"erc20\",\"name\":\"T\"}");
        NodeHttpTest.assertErrorJson(answer, 503, "compiler_unavailable");
        assertTrue(answer.body().contains("@openzeppelin/contracts"), answer.body());
      }
      assertEquals(200, Creators.get(node, token, "/api/v1/jobs").statusCode());
      assertEquals(200, node.get("/health").statusCode());
    } finally {
      ContractHttpTest.node = null;
    }
  }
}
