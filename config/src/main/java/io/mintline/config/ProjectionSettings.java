package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the read-side projections batch their work, read once at start from
 * {@code mintline.projections} (every key is explained in reference.conf). Fails fast with the key's name.
 *
 * @param groupSize most events a grouped projection applies in one transaction
 * @param groupWindow longest a grouped projection waits to fill a group before it commits a smaller one
 */
public record ProjectionSettings(int groupSize, Duration groupWindow) {

  public static ProjectionSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String p = "mintline.projections.";
    return new ProjectionSettings(r.intInRange(p + "group-size", 1, 100_000), r.positiveDuration(p + "group-window"));
  }
}
