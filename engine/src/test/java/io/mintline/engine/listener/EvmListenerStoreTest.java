package io.mintline.engine.listener;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the EVM tip listener persists about reorganisations, on PostgreSQL, read back by a listener
 * of a later node (another actor system on the same database): the tips each remembered block held,
 * and the tips of replaced blocks — pending until found again or withdrawn — so a restart between a
 * reorganisation and its settling neither forgets nor double-counts them.
 */
class EvmListenerStoreTest {
  private static final String NETWORK = "evm:dev";

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void blockTipsAndOrphansOfAReorganisationSurviveARestart() throws Exception {
    Config db = TestDatabases.postgres();
    ActorSystem<Void> first = TestSystems.start(db);
    try {
      ListenerStore store = new ListenerStore(first);
      await(store.initialize(new ListenerStore.Watermark(NETWORK, new byte[32], 9)));
      // Blocks 10..12 handled: 11 held two tips, 12 one.
      await(store.handledBlocks(NETWORK, List.of(new ListenerStore.BlockHash(10, "0xa", List.of()),
          new ListenerStore.BlockHash(11, "0xb", List.of("t1", "t2")), new ListenerStore.BlockHash(12, "0xc", List.of("t3"))), 0, 12,
          List.of()));
      assertEquals(List.of(List.of(), List.of("t1", "t2"), List.of("t3")),
          await(store.recentBlocks(NETWORK, 12)).stream().map(b -> b.tips().stream().sorted().toList()).toList());
      // A reorganisation replaced 11 and 12: back to 10, their tips pending.
      await(store.backTo(NETWORK, 10, Set.of("t1", "t2", "t3"), 12));
    } finally {
      TestSystems.stop(first);
    }

    ActorSystem<Void> second = TestSystems.start(db);
    try {
      ListenerStore store = new ListenerStore(second);
      assertEquals(10, await(store.watermark(NETWORK)).orElseThrow().round(), "the rewind is persisted");
      assertEquals(List.of(10L), await(store.recentBlocks(NETWORK, 10)).stream().map(ListenerStore.BlockHash::number).toList());
      ListenerStore.Orphans orphans = await(store.orphans(NETWORK));
      assertEquals(Set.of("t1", "t2", "t3"), orphans.pending(), "the replaced blocks' tips are still to check after a restart");
      assertEquals(12, orphans.upTo());
      assertEquals(0, orphans.withdrawn());
      // The new chain has t2 again (in block 13): it is no longer pending; t1 and t3 are withdrawn.
      await(store.handledBlocks(NETWORK, List.of(new ListenerStore.BlockHash(11, "0xb2", List.of()),
          new ListenerStore.BlockHash(12, "0xc2", List.of()), new ListenerStore.BlockHash(13, "0xd2", List.of("t2"))), 0, 13,
          List.of("t2")));
      assertEquals(Set.of("t1", "t3"), await(store.orphans(NETWORK)).pending());
      await(store.withdraw(NETWORK, Set.of("t1", "t3")));
      ListenerStore.Orphans settled = await(store.orphans(NETWORK));
      assertEquals(Set.of(), settled.pending());
      assertEquals(2, settled.withdrawn(), "withdrawn tips are counted across restarts");
      assertEquals(List.of("0xa", "0xb2", "0xc2", "0xd2"),
          await(store.recentBlocks(NETWORK, 13)).stream().map(ListenerStore.BlockHash::hash).toList());
    } finally {
      TestSystems.stop(second);
    }
  }

  /**
   * The tips' wallets are kept with the blocks, so a reorganisation noticed after a restart can tell
   * them; an orphan is untold until {@code told}, and stays pending after it.
   */
  @Test
  void theWalletsOfReplacedTipsAreKeptUntilTheyAreTold() throws Exception {
    Config db = TestDatabases.postgres();
    ActorSystem<Void> system = TestSystems.start(db);
    try {
      ListenerStore store = new ListenerStore(system);
      await(store.initialize(new ListenerStore.Watermark(NETWORK, new byte[32], 9)));
      var parties = new ListenerStore.TipParties("0xfan", "0xcreator");
      await(store.handledBlocks(NETWORK, List.of(new ListenerStore.BlockHash(10, "0xa", List.of()),
          new ListenerStore.BlockHash(11, "0xb", List.of("t1"), java.util.Map.of("t1", parties))), 0, 11, List.of()));
      var remembered = await(store.recentBlocks(NETWORK, 11));
      assertEquals(parties, remembered.get(1).parties().get("t1"), "the wallets of a remembered block's tip");
      await(store.backTo(NETWORK, 10, java.util.Map.of("t1", remembered.get(1).parties().get("t1")), 11));
      ListenerStore.Orphans orphans = await(store.orphans(NETWORK));
      assertEquals(Set.of("t1"), orphans.pending());
      assertEquals(java.util.Map.of("t1", parties), orphans.untold(), "to withdraw from these wallets");
      await(store.told(NETWORK, Set.of("t1")));
      ListenerStore.Orphans told = await(store.orphans(NETWORK));
      assertEquals(Set.of("t1"), told.pending(), "still pending: the new chain may have it again");
      assertEquals(java.util.Map.of(), told.untold());
    } finally {
      TestSystems.stop(system);
    }
  }
}
