package io.mintline.deploy;

import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.Signer;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.time.Duration;
import java.util.List;

/** A devnet with instant rounds on a free port, and gateways to it with test-sized budgets. */
public final class DevnetFixture implements AutoCloseable {
  public static final MintlineSettings.Retry FAST_RETRY = new MintlineSettings.Retry(3, Duration.ofMillis(50), Duration.ofMillis(200));

  public final Devnet devnet;

  public DevnetFixture() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO));
  }

  public AlgodGateway gateway() {
    return gateway(List.of(devnet.url()));
  }

  public AlgodGateway gateway(List<String> urls) {
    return new AlgodGateway(urls, devnet.apiToken(), Duration.ofSeconds(2), Duration.ofSeconds(15), FAST_RETRY, 10_000);
  }

  /** A fresh key funded from the devnet's faucet. */
  public Signer fundedKey(String role, long microAlgos) {
    Ed25519Signer key = Ed25519Signer.generate(role);
    devnet.fund(key.address().toString(), microAlgos);
    return key;
  }

  @Override
  public void close() {
    devnet.close();
  }
}
