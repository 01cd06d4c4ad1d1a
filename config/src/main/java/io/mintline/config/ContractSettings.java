package io.mintline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The Solidity toolchain's settings, read once at start from {@code mintline.contracts} (every key
 * is explained in reference.conf). Fails fast with the key's name like {@link MintlineSettings}.
 *
 * @param nodeModules the npm {@code node_modules} directory holding solc-js and OpenZeppelin
 *     (relative paths are resolved against the working directory)
 * @param node the Node.js executable that runs the solc-js workers
 * @param nativeSolc a native {@code solc} executable to prefer when it is present; empty = never
 * @param workers long-lived solc-js worker processes per node
 * @param warmUp load the newest compiler into every worker at start
 * @param maxSourceBytes largest total size of a request's sources (UTF-8 bytes)
 * @param maxFiles most source files in one request
 * @param defaultWait how long a compile or audit request waits for its job when {@code ?wait} is absent
 * @param maxWait the largest {@code ?wait} accepted
 */
public record ContractSettings(
    String nodeModules,
    String node,
    String nativeSolc,
    int workers,
    boolean warmUp,
    long maxSourceBytes,
    int maxFiles,
    Duration defaultWait,
    Duration maxWait) {

  public static ContractSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.contracts.";
    Duration defaultWait = r.nonNegativeDuration(p + "default-wait");
    Duration maxWait = r.nonNegativeDuration(p + "max-wait");
    if (defaultWait.compareTo(maxWait) > 0) {
      throw new SettingsException(p + "default-wait", "at most " + p + "max-wait", defaultWait);
    }
    return new ContractSettings(
        r.nonEmptyString(p + "node-modules"),
        r.nonEmptyString(p + "node"),
        r.string(p + "native-solc").trim(),
        r.intInRange(p + "workers", 1, 64),
        r.bool(p + "warm-up"),
        bytes(config, p + "max-source-bytes", 1, 1L << 30),
        r.intInRange(p + "max-files", 1, 10_000),
        defaultWait,
        maxWait);
  }

  static long bytes(Config config, String key, long min, long max) {
    long value;
    try {
      value = config.getBytes(key);
    } catch (ConfigException.Missing e) {
      throw new SettingsException(key, "a size in bytes", null);
    } catch (ConfigException e) {
      throw new SettingsException(key, "a size in bytes (e.g. 10485760 or 10MiB)", config.getValue(key).unwrapped());
    }
    if (value < min || value > max) throw new SettingsException(key, "a size from " + min + " to " + max + " bytes", value);
    return value;
  }
}
