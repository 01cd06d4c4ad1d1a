package io.mintline.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code java -jar mintline-node.jar --print-config [path ...]}: the configuration the node would
 * run with, as JSON, for operators checking what a deployment really got (the packaged jar merges
 * every module's defaults, so the effective value can differ from what one file says). Values of
 * keys that name secrets are replaced by {@code "<redacted>"}.
 */
final class EffectiveConfig {
  private static final Pattern SECRET = Pattern.compile("password|passphrase|mnemonic|secret|token|jwks|private");

  private EffectiveConfig() {}

  static String render(Config config, List<String> paths) {
    Config shown = paths.isEmpty() ? config.withOnlyPath("akka").withFallback(config.withOnlyPath("mintline")) : only(config, paths);
    for (Map.Entry<String, ConfigValue> entry : shown.entrySet()) {
      if (SECRET.matcher(entry.getKey().toLowerCase(Locale.ROOT)).find() && !entry.getValue().unwrapped().toString().isEmpty()) {
        shown = shown.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef("<redacted>"));
      }
    }
    return shown.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(true));
  }

  private static Config only(Config config, List<String> paths) {
    Config shown = com.typesafe.config.ConfigFactory.empty();
    for (String path : paths) {
      if (config.hasPathOrNull(path)) shown = shown.withValue(path, config.getValue(path));
    }
    return shown;
  }
}
