package io.mintline.devnet;

import java.time.Duration;
import java.util.Objects;

/**
 * How a devnet runs: where it listens, its API token, how often it makes rounds and how it is funded
 * at genesis.
 *
 * @param host              interface to bind; 127.0.0.1 by default so the devnet is never reachable
 *                          from other machines unless asked
 * @param port              TCP port; 0 picks a free ephemeral port (tests always use 0)
 * @param apiToken          value expected in the {@code X-Algo-API-Token} header
 * @param blockInterval     time between rounds; {@link Duration#ZERO} means "instant": a round is
 *                          made as soon as a transaction group has been accepted
 * @param maxTxnsPerBlock   most transactions in one round (26,000 ≈ a 5 MiB algod block)
 * @param genesisId         genesis id every transaction must carry
 * @param genesisAccounts   how many funded accounts genesis creates (their mnemonics are served by
 *                          {@code GET /devnet/accounts})
 * @param genesisMicroAlgos balance of each genesis account
 */
public record DevnetSettings(
    String host,
    int port,
    String apiToken,
    Duration blockInterval,
    int maxTxnsPerBlock,
    String genesisId,
    int genesisAccounts,
    long genesisMicroAlgos) {

  /** Algorand's sandbox token, so existing scripts work unchanged. */
  public static final String SANDBOX_TOKEN = "a".repeat(64);

  public DevnetSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(apiToken, "apiToken");
    Objects.requireNonNull(blockInterval, "blockInterval");
    Objects.requireNonNull(genesisId, "genesisId");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (apiToken.isEmpty()) {
      throw new IllegalArgumentException("apiToken must not be empty");
    }
    if (blockInterval.isNegative()) {
      throw new IllegalArgumentException("blockInterval must not be negative, was " + blockInterval);
    }
    if (maxTxnsPerBlock < 1) {
      throw new IllegalArgumentException("maxTxnsPerBlock must be at least 1, was " + maxTxnsPerBlock);
    }
    if (genesisId.isEmpty() || genesisId.length() > 64) {
      throw new IllegalArgumentException("genesisId must be 1..64 characters");
    }
    if (genesisAccounts < 0 || genesisAccounts > 1000) {
      throw new IllegalArgumentException("genesisAccounts must be 0..1000, was " + genesisAccounts);
    }
    if (genesisMicroAlgos < 100_000 || genesisMicroAlgos > 1_000_000_000_000_000_000L) {
      throw new IllegalArgumentException("genesisMicroAlgos must be 100000..1e18, was " + genesisMicroAlgos);
    }
  }

  /** 127.0.0.1:4001, sandbox token, 1 s rounds, five accounts of 1,000,000,000 Algo each. */
  public static DevnetSettings defaults() {
    return new DevnetSettings("127.0.0.1", 4001, SANDBOX_TOKEN, Duration.ofSeconds(1), 26_000,
        "mintline-devnet-v1", 5, 1_000_000_000_000_000L);
  }

  public DevnetSettings withHost(String value) {
    return new DevnetSettings(value, port, apiToken, blockInterval, maxTxnsPerBlock, genesisId,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withPort(int value) {
    return new DevnetSettings(host, value, apiToken, blockInterval, maxTxnsPerBlock, genesisId,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withApiToken(String value) {
    return new DevnetSettings(host, port, value, blockInterval, maxTxnsPerBlock, genesisId,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withBlockInterval(Duration value) {
    return new DevnetSettings(host, port, apiToken, value, maxTxnsPerBlock, genesisId,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withMaxTxnsPerBlock(int value) {
    return new DevnetSettings(host, port, apiToken, blockInterval, value, genesisId,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withGenesisId(String value) {
    return new DevnetSettings(host, port, apiToken, blockInterval, maxTxnsPerBlock, value,
        genesisAccounts, genesisMicroAlgos);
  }

  public DevnetSettings withGenesisAccounts(int value) {
    return new DevnetSettings(host, port, apiToken, blockInterval, maxTxnsPerBlock, genesisId,
        value, genesisMicroAlgos);
  }

  public DevnetSettings withGenesisMicroAlgos(long value) {
    return new DevnetSettings(host, port, apiToken, blockInterval, maxTxnsPerBlock, genesisId,
        genesisAccounts, value);
  }

  /** True when rounds are made on demand rather than on a clock. */
  public boolean instant() {
    return blockInterval.isZero();
  }
}
