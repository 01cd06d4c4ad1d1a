package io.mintline.bench.contracts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import io.mintline.config.ContractSettings;
import io.mintline.contracts.solidity.ContractTemplates;
import io.mintline.contracts.solidity.NativeSolc;
import io.mintline.contracts.solidity.SolcBackend;
import io.mintline.contracts.solidity.SolidityInput;
import io.mintline.contracts.solidity.SolidityToolchain;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Compile latency of one standard-JSON compilation, one at a time: solc-js in the node's
 * long-lived worker pool, solc-js in a fresh Node.js process per compilation, and a native solc
 * when one is on the PATH. Two inputs: a one-file contract and a generated ERC-20 (OpenZeppelin,
 * 9 files). CPU per compilation counts this JVM and every Node.js process it started.
 *
 * <pre>java -cp bench/target/mintline-bench.jar io.mintline.bench.contracts.CompileBench [iterations] [node_modules]</pre>
 */
public final class CompileBench {

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String nodeModules = args.length > 1 ? args[1] : "./node_modules";
    ContractSettings settings = new ContractSettings(nodeModules, "node", "solc", 1, true, 10 << 20, 100,
        Duration.ofSeconds(10), Duration.ofSeconds(60));
    try (SolidityToolchain toolchain = SolidityToolchain.start(settings)) {
      if (!toolchain.available()) throw new IllegalStateException(toolchain.unavailableReason());
      Map<String, ObjectNode> inputs = new java.util.LinkedHashMap<>();
      inputs.put("Counter (1 file)", toolchain.standardJson(new SolidityInput(new TreeMap<>(Map.of("Counter.sol",
          "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Counter {\n  uint256 public count;\n"
              + "  function increment() external { count += 1; }\n}\n")), null, null)));
      var erc20 = ContractTemplates.generate("erc20", "Bench", new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree("{\"mintable\":true,\"burnable\":true,\"pausable\":true,\"permit\":true}"));
      inputs.put("ERC-20 (OpenZeppelin)", toolchain.standardJson(new SolidityInput(new TreeMap<>(erc20.sources()), null, null)));

      System.out.printf("load average at start: %s%n", loadAverage());
      Thread.sleep(5000); // let the workers finish loading the compiler
      List<String> rows = new ArrayList<>();
      try (SolcBackend perRequest = toolchain.processPerRequest("node")) {
        for (var input : inputs.entrySet()) {
          rows.add(measure("solc-js worker pool", toolchain.workerPool(), input.getKey(), input.getValue(), iterations));
          rows.add(measure("solc-js process per request", perRequest, input.getKey(), input.getValue(), iterations));
          var nativeSolc = NativeSolc.detect("solc");
          if (nativeSolc.isPresent() && nativeSolc.get().version().equals("0.8.37")) {
            rows.add(measure("native solc", nativeSolc.get(), input.getKey(), input.getValue(), iterations));
          } else {
            rows.add("| native solc | " + input.getKey() + " | not installed on this machine | | | |");
          }
        }
      }
      System.out.println("| compiler | input | median | p90 | CPU per compile | load avg |");
      System.out.println("|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
    }
  }

  private static String measure(String name, SolcBackend backend, String inputName, ObjectNode input, int iterations)
      throws Exception {
    backend.compile("0.8.37", input, Duration.ofMinutes(5)).get(5, TimeUnit.MINUTES); // warm the JIT and the worker
    List<Long> millis = new ArrayList<>();
    long cpuBefore = cpuNanos();
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      var answer = backend.compile("0.8.37", input, Duration.ofMinutes(5)).get(5, TimeUnit.MINUTES);
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      if (!answer.output().has("contracts")) throw new IllegalStateException("no contracts compiled: " + answer.output());
    }
    long cpuPer = (cpuNanos() - cpuBefore) / iterations;
    Collections.sort(millis);
    String row = String.format("| %s | %s | %d ms | %d ms | %d ms | %s |", name, inputName, millis.get(millis.size() / 2),
        millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * 0.9) - 1)), cpuPer / 1_000_000, loadAverage());
    System.out.println(row + "   (all: " + millis + ")");
    return row;
  }

  /** This JVM's CPU time plus its live and reaped child processes'. */
  private static long cpuNanos() throws Exception {
    long own = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    long live = ProcessHandle.current().descendants()
        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    String[] stat = Files.readString(Path.of("/proc/self/stat")).replaceFirst("^.*\\) ", "").split(" ");
    long ticks = Long.parseLong(stat[13]) + Long.parseLong(stat[14]); // cutime + cstime: reaped children
    return own + live + ticks * 10_000_000L; // USER_HZ = 100
  }

  private static String loadAverage() throws Exception {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " / " + parts[1];
  }
}
