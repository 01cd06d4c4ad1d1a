package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The cluster's shared key ring ({@code mintline.keys.ring}, see reference.conf).
 *
 * @param pollInterval how often each node reads the ring even without being rung
 * @param takeoverAfter how long a co-signed multisig rekey may wait for its proposing node before
 *     another node submits it
 */
public record KeyRingSettings(Duration pollInterval, Duration takeoverAfter) {

  public static KeyRingSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    return new KeyRingSettings(r.positiveDuration("mintline.keys.ring.poll-interval"),
        r.positiveDuration("mintline.keys.ring.takeover-after"));
  }
}
