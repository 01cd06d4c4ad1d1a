package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.v2.client.model.BlockResponse;
import com.algorand.algosdk.v2.client.model.NodeStatusResponse;
import io.mintline.devnet.wire.Hashes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rounds on a clock: seeds, timestamps, block size limit, pause and resume. */
class RoundsTest {

  private static final Duration INTERVAL = Duration.ofMillis(100);

  private static TestChain clocked(int maxTxnsPerBlock) {
    return new TestChain(DevnetSettings.defaults().withPort(0).withBlockInterval(INTERVAL)
        .withMaxTxnsPerBlock(maxTxnsPerBlock));
  }

  private static byte[] seedFormula(byte[] previous, long round) {
    byte[] prefix = "mintline-devnet-seed".getBytes(StandardCharsets.US_ASCII);
    return Hashes.sha512_256(prefix, previous, ByteBuffer.allocate(8).putLong(round).array());
  }

  @Test
  void roundsAdvanceOnTheClockWithChainedSeedsAndTimestamps() throws Exception {
    try (TestChain chain = clocked(26_000)) {
      NodeStatusResponse s = chain.algod.WaitForBlock(3L).execute().body();
      assertTrue(s.lastRound >= 4);

      Map<String, Object> genesis = chain.algod.GetBlock(0L).execute().body().block;
      byte[] genesisHash = Base64.getDecoder().decode(chain.devnet.genesisHashBase64());
      assertArrayEquals(Hashes.sha512_256("mintline-devnet-seed".getBytes(StandardCharsets.US_ASCII),
          genesisHash), (byte[]) genesis.get("seed"));

      byte[] previousSeed = (byte[]) genesis.get("seed");
      long previousTs = ((Number) genesis.get("ts")).longValue();
      for (long r = 1; r <= 4; r++) {
        Map<String, Object> block = chain.algod.GetBlock(r).execute().body().block;
        assertArrayEquals(seedFormula(previousSeed, r), (byte[]) block.get("seed"), "seed of round " + r);
        assertEquals(chain.algod.GetBlockHash(r - 1).execute().body().blockHash,
            com.algorand.algosdk.util.Encoder.encodeToBase32StripPad((byte[]) block.get("prev")),
            "prev of round " + r + " is the hash of round " + (r - 1));
        long ts = ((Number) block.get("ts")).longValue();
        assertTrue(ts >= previousTs);
        previousSeed = (byte[]) block.get("seed");
        previousTs = ts;
      }
    }
  }

  @Test
  void blocksHoldAtMostMaxTxnsPerBlock() throws Exception {
    try (TestChain chain = clocked(3)) {
      Account from = chain.genesis(0);
      List<SignedTransaction> sent = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        SignedTransaction stx = from.signTransaction(chain.pay(from, new Account().getAddress(), 100_000)
            .build());
        assertTrue(chain.send(TestChain.bytes(stx)).isSuccessful());
        sent.add(stx);
      }
      long last = 0;
      for (SignedTransaction stx : sent) {
        last = Math.max(last, chain.waitConfirmed(stx.transactionID).confirmedRound);
      }
      int total = 0;
      for (long r = 1; r <= last; r++) {
        BlockResponse b = chain.algod.GetBlock(r).execute().body();
        List<?> txns = (List<?>) b.block.get("txns");
        int n = txns == null ? 0 : txns.size();
        assertTrue(n <= 3, "round " + r + " has " + n + " transactions");
        total += n;
      }
      assertEquals(8, total);
    }
  }

  @Test
  void pauseStopsRoundsAndResumeRestartsThem() throws Exception {
    try (TestChain chain = clocked(26_000)) {
      chain.algod.WaitForBlock(1L).execute();
      chain.devnet.pause();
      long paused = chain.devnet.currentRound();
      Thread.sleep(INTERVAL.toMillis() * 4);
      assertEquals(paused, chain.algod.GetStatus().execute().body().lastRound);

      Account from = chain.genesis(0);
      Address to = new Account().getAddress();
      SignedTransaction stx = from.signTransaction(chain.pay(from, to, 100_000).build());
      assertEquals(503, chain.send(TestChain.bytes(stx)).code());

      chain.devnet.resume();
      assertTrue(chain.algod.WaitForBlock(paused).execute().body().lastRound > paused);
      chain.confirm(stx);
      assertEquals(100_000L, chain.balance(to));
    }
  }

  @Test
  void everyStartHasAFreshGenesisHash() {
    try (TestChain a = TestChain.instant(); TestChain b = TestChain.instant()) {
      assertNotEquals(a.devnet.genesisHashBase64(), b.devnet.genesisHashBase64());
      assertNotEquals(a.devnet.port(), b.devnet.port());
    }
  }
}
