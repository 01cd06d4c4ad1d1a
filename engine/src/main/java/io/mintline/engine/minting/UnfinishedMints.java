package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes sticker books whose stickers were requested but not finished. Books are not remembered
 * entities, so after a crash nothing else would start one whose tip the listener had already
 * acknowledged; started, a book hands its unfinished requests back to the pipeline (resend, look
 * up). Every node sweeps every {@code sweep-interval}; waking a book twice is harmless.
 */
public final class UnfinishedMints {
  private static final Logger log = LoggerFactory.getLogger(UnfinishedMints.class);
  /** Wallets woken per sweep: a sweep never floods sharding, the next one goes on. */
  private static final int PER_SWEEP = 1000;

  private UnfinishedMints() {}

  public static void start(ActorSystem<?> system, StickerReadSide readSide, Duration interval) {
    ClusterSharding sharding = ClusterSharding.get(system);
    system.scheduler().scheduleWithFixedDelay(interval, interval, () -> {
      Instant cutoff = Instant.now().minus(interval);
      long micros = cutoff.getEpochSecond() * 1_000_000 + cutoff.getNano() / 1_000;
      readSide.ownersWithUnfinishedMints(micros, PER_SWEEP).whenComplete((owners, error) -> {
        if (error != null) {
          log.debug("unfinished-mints sweep could not read the stickers table: {}", error.getMessage());
          return;
        }
        if (!owners.isEmpty()) log.info("waking {} sticker books with unfinished mints", owners.size());
        owners.forEach(o -> sharding.entityRefFor(StickerBook.ENTITY_KEY, o).tell(StickerBook.ResumeMints.INSTANCE));
      });
    }, system.executionContext());
  }
}
