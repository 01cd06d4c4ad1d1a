package io.mintline.devnet;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a devnet on its own: {@code java -jar devnet/target/mintline-devnet.jar [--port N]
 * [--block-interval-ms N] [--token T] [--host H]}. Prints the URL, token, genesis hash and the
 * funded accounts' addresses; their mnemonics are only served by {@code GET /devnet/accounts}.
 */
public final class DevnetMain {

  private DevnetMain() {}

  public static void main(String[] args) throws InterruptedException {
    DevnetSettings settings;
    try {
      settings = parse(args, DevnetSettings.defaults());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: java -jar mintline-devnet.jar [--port N] [--block-interval-ms N]"
          + " [--token T] [--host H]");
      System.exit(2);
      return;
    }
    quietLogging();
    Devnet devnet = Devnet.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      devnet.close();
      stopped.countDown();
    }, "devnet-shutdown"));
    System.out.println("Mintline devnet (test chain only, never real funds)");
    System.out.println("algod URL:     " + devnet.url());
    System.out.println("API token:     " + devnet.apiToken());
    System.out.println("genesis id:    " + devnet.genesisId());
    System.out.println("genesis hash:  " + devnet.genesisHashBase64());
    System.out.println("funded accounts (mnemonics: GET " + devnet.url() + "/devnet/accounts):");
    for (GenesisAccount a : devnet.accounts()) {
      System.out.println("  " + a.address());
    }
    stopped.await();
  }

  /** Without a logback configuration, logback logs DEBUG; standalone, INFO is what a user wants. */
  private static void quietLogging() {
    if (System.getProperty("logback.configurationFile") == null
        && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.INFO);
    }
  }

  static DevnetSettings parse(String[] args, DevnetSettings settings) {
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag);
      }
      String value = args[++i];
      try {
        settings = switch (flag) {
          case "--port" -> settings.withPort(Integer.parseInt(value));
          case "--block-interval-ms" -> settings.withBlockInterval(
              Duration.ofMillis(Long.parseLong(value)));
          case "--token" -> settings.withApiToken(value);
          case "--host" -> settings.withHost(value);
          default -> throw new IllegalArgumentException("unknown option " + flag);
        };
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number for " + flag + ": " + value);
      }
    }
    return settings;
  }
}
