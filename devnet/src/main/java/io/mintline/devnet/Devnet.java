package io.mintline.devnet;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import io.mintline.devnet.ledger.Block;
import io.mintline.devnet.ledger.Ledger;
import io.mintline.devnet.ledger.TxnRecord;
import io.mintline.devnet.wire.Hashes;
import io.mintline.devnet.wire.Rejection;
import io.mintline.devnet.wire.TxnDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory, algod-compatible Algorand chain behind an HTTP server: the Mintline test chain and
 * the node's embedded default. Real clients (Java and JavaScript algosdk) talk to {@link #url()}
 * with {@link #apiToken()} unchanged. It is never a path to real funds: its genesis hash is fresh
 * on every start, so nothing signed for it is valid anywhere else.
 *
 * <p>Rounds are made by one thread, every {@link DevnetSettings#blockInterval()} or, in instant
 * mode, as soon as a group has been accepted. While {@linkplain #pause() paused} no rounds are
 * made and submissions are refused with 503, as algod refuses them while it cannot make progress
 * (catchup); reads keep working.
 *
 * <p>Application calls are recorded with their arguments and app ids, but TEAL is not executed:
 * no approval program ever runs, and logic signatures are refused. See devnet/README.md for the
 * endpoints and the ledger rules.
 */
public final class Devnet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Devnet.class);

  /** The hidden faucet behind {@code POST /devnet/fund}: 2^61 µAlgo, more than any test spends. */
  private static final long FAUCET_MICROALGOS = 1L << 61;

  private final DevnetSettings settings;
  private final Ledger ledger;
  private final List<GenesisAccount> accounts;
  private final Account faucet;
  private final String genesisHashBase64;
  private final AlgodHttpApi http;
  private final Thread roundMaker;
  private final Object roundSignal = new Object();
  private final SecureRandom random = new SecureRandom();
  private volatile boolean paused;
  private volatile boolean closed;

  /** Thrown for a submission while the devnet is paused; answered with HTTP 503. */
  static final class PausedException extends RuntimeException {
    PausedException() {
      super("devnet is paused: no rounds are being made and submissions are refused", null, false,
          false);
    }
  }

  private Devnet(DevnetSettings settings) throws IOException, GeneralSecurityException {
    this.settings = settings;
    List<GenesisAccount> genesis = new ArrayList<>();
    Map<String, Long> allocations = new LinkedHashMap<>();
    for (int i = 0; i < settings.genesisAccounts(); i++) {
      Account a = new Account();
      genesis.add(new GenesisAccount(a.getAddress().toString(), a.toMnemonic()));
      allocations.put(a.getAddress().toString(), settings.genesisMicroAlgos());
    }
    this.accounts = List.copyOf(genesis);
    this.faucet = new Account();
    allocations.put(faucet.getAddress().toString(), FAUCET_MICROALGOS);
    // Fees go to an address nobody holds a key for.
    String feeSink = new Address(Hashes.sha512_256(Hashes.ascii("mintline-devnet-fee-sink")))
        .toString();
    allocations.put(feeSink, Ledger.MIN_BALANCE);
    byte[] entropy = new byte[32];
    random.nextBytes(entropy);
    byte[] genesisHash = Hashes.sha512_256(Hashes.ascii("mintline-devnet-genesis"), entropy,
        settings.genesisId().getBytes(StandardCharsets.UTF_8));
    this.genesisHashBase64 = Base64.getEncoder().encodeToString(genesisHash);
    this.ledger = new Ledger(settings.genesisId(), genesisHash, allocations, feeSink,
        settings.maxTxnsPerBlock(), nowSeconds());
    this.http = new AlgodHttpApi(this, ledger, settings);
    this.roundMaker = new Thread(this::makeRounds, "devnet-rounds");
    this.roundMaker.setDaemon(true);
  }

  /** Starts a devnet: genesis, the HTTP server and the round maker. */
  public static Devnet start(DevnetSettings settings) {
    try {
      Devnet devnet = new Devnet(settings);
      devnet.http.start();
      devnet.roundMaker.start();
      log.info("devnet {} listening on {} (genesis hash {}, block interval {})",
          settings.genesisId(), devnet.url(), devnet.genesisHashBase64,
          settings.instant() ? "instant" : settings.blockInterval());
      return devnet;
    } catch (IOException e) {
      throw new UncheckedIOException("devnet could not start on " + settings.host() + ":"
          + settings.port(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("devnet could not generate its keys", e);
    }
  }

  public String url() {
    return "http://" + settings.host() + ":" + port();
  }

  public int port() {
    return http.port();
  }

  public String apiToken() {
    return settings.apiToken();
  }

  public String genesisId() {
    return settings.genesisId();
  }

  public String genesisHashBase64() {
    return genesisHashBase64;
  }

  public DevnetSettings settings() {
    return settings;
  }

  public long currentRound() {
    return ledger.lastRound();
  }

  /** The accounts funded at genesis, with their mnemonics. */
  public List<GenesisAccount> accounts() {
    return accounts;
  }

  public boolean paused() {
    return paused;
  }

  /** Stops making rounds; submissions get 503 until {@link #resume()}. */
  /**
   * Test hook, in process only (no HTTP route): the pending endpoint forgets every transaction it
   * knows, as real algod forgets pending transactions; blocks keep the confirmed ones.
   */
  public void forgetPendingTransactions() {
    ledger.forgetPending();
  }

  public void pause() {
    paused = true;
    log.info("devnet paused at round {}", ledger.lastRound());
  }

  public void resume() {
    paused = false;
    synchronized (roundSignal) {
      roundSignal.notifyAll();
    }
    log.info("devnet resumed at round {}", ledger.lastRound());
  }

  /**
   * Pays {@code microAlgos} from the devnet's faucet to {@code address}, through the same checks as
   * any submission (so less than the 0.1 Algo minimum balance to a new account is refused).
   *
   * @return the payment's txid
   */
  public String fund(String address, long microAlgos) {
    if (microAlgos < 0) {
      throw new Rejection("microAlgos must not be negative");
    }
    Address receiver;
    try {
      receiver = new Address(address);
    } catch (Exception e) {
      throw new Rejection("failed to parse the address " + address);
    }
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    long round = ledger.lastRound();
    try {
      Transaction tx = Transaction.PaymentTransactionBuilder()
          .sender(faucet.getAddress())
          .receiver(receiver)
          .amount(microAlgos)
          .flatFee(Ledger.MIN_FEE)
          .firstValid(round)
          .lastValid(round + Ledger.MAX_TXN_LIFE)
          .genesisID(settings.genesisId())
          .genesisHash(new Digest(ledger.genesisHash()))
          .note(("mintline-devnet-fund:" + Base64.getEncoder().encodeToString(nonce))
              .getBytes(StandardCharsets.UTF_8))
          .build();
      SignedTransaction signed = faucet.signTransaction(tx);
      return submit(Encoder.encodeToMsgPack(signed)).get(0).txid();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("devnet could not sign a faucet payment", e);
    }
  }

  /**
   * Decodes, verifies and applies one signed transaction or a concatenated group.
   *
   * @throws Rejection        for anything algod would refuse (HTTP 400)
   * @throws PausedException while paused (HTTP 503)
   */
  List<TxnRecord> submit(byte[] body) {
    if (paused) {
      throw new PausedException();
    }
    List<TxnRecord> records = ledger.submit(TxnDecoder.decodeGroup(body));
    if (settings.instant()) {
      synchronized (roundSignal) {
        roundSignal.notifyAll();
      }
    }
    return records;
  }

  private void makeRounds() {
    long intervalNanos = settings.blockInterval().toNanos();
    long next = System.nanoTime() + intervalNanos;
    while (!closed) {
      try {
        if (settings.instant()) {
          synchronized (roundSignal) {
            while (!closed && (paused || !ledger.hasPooledTxns())) {
              roundSignal.wait(1_000);
            }
          }
        } else {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          long now = System.nanoTime();
          next = now - next > intervalNanos ? now + intervalNanos : next + intervalNanos;
          if (paused) {
            continue;
          }
        }
        if (closed) {
          return;
        }
        Block block = ledger.makeRound(nowSeconds());
        http.roundMade(block.round());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("devnet failed to make a round", e);
      }
    }
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    roundMaker.interrupt();
    http.stop();
    try {
      roundMaker.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("devnet on port {} stopped at round {}", port(), ledger.lastRound());
  }
}
