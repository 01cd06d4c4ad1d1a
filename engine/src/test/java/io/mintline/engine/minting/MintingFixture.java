package io.mintline.engine.minting;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.algorand.algosdk.util.Encoder;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandBlock;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.testing.TestSystems;
import io.mintline.engine.wallet.WalletEntity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A devnet, a funded minting key and nodes (actor systems) running the real pipeline on a test
 * database, plus the listener's side of the protocol: tips delivered with bounded parallelism,
 * each waiting for its wallet's acknowledgement.
 */
final class MintingFixture implements AutoCloseable {
  /** Test bounds: short validity so crash recovery (wait for lastValid) is quick; fast sweeps. */
  static final Config MINTING = ConfigFactory.parseString("""
      mintline.minting {
        validity-rounds = 20
        sweep-interval = 1s
        drain-timeout = 1ms
        retry { min-backoff = 50ms, max-backoff = 500ms }
        golden-basis-points = 1000
      }
      """);

  record Tip(String txId, long round, byte[] seed, String fan, String creator) {}

  final Devnet devnet;
  final Ed25519Signer mintKey = Ed25519Signer.generate("mint");
  final MintingSettings settings;
  final List<String> fans = new ArrayList<>();
  final String creator = Ed25519Signer.generate("creator").address().toString();

  /** One node: its actor system, gateway and pipeline. */
  record Node(ActorSystem<Void> system, AlgodGateway gateway, MintingPipeline pipeline, StickerReadSide readSide) {
    void stop() throws Exception {
      gateway.close();
      TestSystems.stop(system);
    }
  }

  MintingFixture(int fanCount, Duration blockInterval) {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(blockInterval));
    // Each sticker raises the account's minimum balance by 0.1 Algo: enough for the full-size runs (10,000 per test).
    devnet.fund(mintKey.address().toString(), 10_000_000_000L);
    settings = MintingSettings.load(MINTING.withFallback(ConfigFactory.load()));
    for (int i = 0; i < fanCount; i++) fans.add(Ed25519Signer.generate("fan").address().toString());
  }

  Node start(Config db, Config overrides) throws Exception {
    MintlineSettings mintline = MintlineSettings.load(ConfigFactory.load("engine-test.conf"));
    AlgodGateway gateway = AlgodGateway.create(mintline.algod(), devnet.url(), devnet.apiToken());
    MintingSettings nodeSettings = MintingSettings.load(overrides.withFallback(MINTING).withFallback(ConfigFactory.load()));
    MintingPipeline[] pipeline = new MintingPipeline[1];
    ActorSystem<Void> system = TestSystems.start(overrides.withFallback(db), s -> {
      pipeline[0] = MintingPipeline.start(s, nodeSettings, new StickerMinter(mintKey, nodeSettings, SignatureLog.NONE), gateway);
      WalletEntity.init(s, pipeline[0]);
      StickerProjection.init(s);
    });
    StickerReadSide readSide = new StickerReadSide(system);
    UnfinishedMints.start(system, readSide, nodeSettings.sweepInterval());
    return new Node(system, gateway, pipeline[0], readSide);
  }

  /** {@code n} tips from the fans (round robin) with random txids and block seeds. */
  List<Tip> tips(int n, long seed) {
    Random random = new Random(seed);
    List<Tip> tips = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] txid = new byte[32];
      byte[] blockSeed = new byte[32];
      random.nextBytes(txid);
      random.nextBytes(blockSeed);
      tips.add(new Tip(Encoder.encodeToBase32StripPad(txid), 1000 + i / 10, blockSeed, fans.get(i % fans.size()), creator));
    }
    return tips;
  }

  /**
   * Delivers tips as the listener does: {@code parallelism} at a time, each waiting for its wallet's
   * acknowledgement (retried while the pipeline says "not now"); answers the acknowledged txids.
   */
  static List<String> deliver(Node node, List<Tip> tips, int parallelism, Duration timeout) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(node.system());
    return Source.from(tips)
        .mapAsyncUnordered(parallelism, tip -> askUntilAccepted(sharding, node.system(), tip, timeout))
        .runWith(Sink.seq(), node.system())
        .toCompletableFuture().get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.CompletionStage<String> askUntilAccepted(
      ClusterSharding sharding, ActorSystem<?> system, Tip tip, Duration timeout) {
    return sharding.entityRefFor(StickerBook.ENTITY_KEY, tip.fan())
        .<StickerBook.MintAck>ask(replyTo -> new StickerBook.RequestMint(tip.txId(), tip.round(), tip.seed(), tip.creator(), replyTo), timeout)
        .thenCompose(ack -> {
          if (ack.accepted()) return java.util.concurrent.CompletableFuture.completedFuture(tip.txId());
          return akka.pattern.Patterns.after(Duration.ofMillis(50), system.classicSystem().scheduler(), system.executionContext(),
              () -> askUntilAccepted(sharding, system, tip, timeout));
        });
  }

  /** Waits until the read side shows {@code n} minted stickers. */
  static void awaitMinted(Node node, long n, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long minted = -1;
    while (System.nanoTime() < deadline) {
      minted = node.readSide().count("minted").toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (minted >= n) return;
      Thread.sleep(200);
    }
    fail("read side shows " + minted + " minted stickers, expected " + n + "; pipeline " + node.pipeline().status());
  }

  /** Sticker creations on chain by the minting account with the mint note, per tip txid. */
  Map<String, Integer> stickersOnChain(AlgodGateway gateway) throws Exception {
    Map<String, Integer> perTip = new HashMap<>();
    long last = gateway.lastRound().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String mint = mintKey.address().toString();
    for (long r = 1; r <= last; r++) {
      AlgorandBlock block = gateway.block(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (AlgorandBlock.Txn t : block.txns()) {
        if (!"acfg".equals(t.type()) || !mint.equals(t.sender()) || t.createdAssetId() == null || t.note() == null) continue;
        String note = new String(t.note(), StandardCharsets.US_ASCII);
        if (note.startsWith(StickerMinter.NOTE_PREFIX)) perTip.merge(note.substring(StickerMinter.NOTE_PREFIX.length()), 1, Integer::sum);
      }
    }
    return perTip;
  }

  @Override
  public void close() {
    devnet.close();
  }
}
