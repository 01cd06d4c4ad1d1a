package io.mintline.contracts.solidity;

import io.mintline.config.ContractSettings;
import io.mintline.devnet.testing.NodeToolchain;
import java.time.Duration;

/** One warm solc-js toolchain for the whole test run (its workers stay up across test classes). */
final class Toolchains {
  private static SolidityToolchain shared;

  private Toolchains() {}

  static ContractSettings settings(String nodeModules, int workers) {
    return new ContractSettings(nodeModules, "node", "", workers, true, 10L << 20, 100, Duration.ofSeconds(10),
        Duration.ofSeconds(60));
  }

  static synchronized SolidityToolchain shared() {
    if (shared == null) {
      var root = NodeToolchain.require("solc", "@openzeppelin/contracts");
      shared = SolidityToolchain.start(settings(root.resolve("node_modules").toString(), 2));
      if (!shared.available()) throw new IllegalStateException(shared.unavailableReason());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }
}
