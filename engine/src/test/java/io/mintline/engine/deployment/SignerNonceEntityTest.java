package io.mintline.engine.deployment;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The nonce manager of one signer: gapless, idempotent per deployment, gaps given back and filled, all across restarts. */
class SignerNonceEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load("engine-test.conf")));
  private EventSourcedBehaviorTestKit<SignerNonceEntity.Command, SignerNonceEntity.Event, SignerNonceEntity.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), SignerNonceEntity.create("dev~0x" + java.util.UUID.randomUUID()));
  }

  long reserve(String id, long mined, long pending) {
    return kit.<SignerNonceEntity.Reservation>runCommand(r -> new SignerNonceEntity.Reserve(id, mined, pending, r)).reply().nonce();
  }

  long release(String id) {
    return kit.<SignerNonceEntity.Reservation>runCommand(r -> new SignerNonceEntity.Release(id, r)).reply().nonce();
  }

  List<Long> gaps(long mined, long below, Duration lease) {
    return kit.<SignerNonceEntity.Gaps>runCommand(r -> new SignerNonceEntity.FillGaps(mined, below, lease, r)).reply().nonces();
  }

  @Test
  void noncesAreGaplessIdempotentPerDeploymentAndNeverBelowTheChainsPendingCount() {
    assertEquals(0, reserve("a", 0, 0));
    assertEquals(1, reserve("b", 0, 0));
    assertEquals(0, reserve("a", 0, 0), "the same deployment asking again gets its nonce");
    assertEquals(7, reserve("c", 0, 7), "another tool used nonces up to 6: re-synced from the chain");
    kit.restart();
    assertEquals(8, reserve("d", 0, 0), "after a restart the count goes on");
    assertEquals(1, reserve("b", 0, 0));
  }

  @Test
  void aNonceGivenBackIsTakenByTheNextDeploymentWhileTheChainHasNotUsedIt() {
    reserve("a", 0, 0);
    reserve("b", 0, 0);
    reserve("c", 0, 0);
    assertEquals(1, release("b"));
    assertEquals(-1, release("nobody"), "a deployment without a nonce gives nothing back");
    kit.restart();
    assertEquals(1, reserve("d", 0, 3), "the gap at 1 comes first, though the chain's pending count is 3");
    assertEquals(3, reserve("e", 0, 3));
    assertEquals(0, release("a"));
    assertEquals(4, reserve("f", 1, 4), "nonce 0 is below the chain's mined count: used since, not reused");
  }

  @Test
  void aGapBelowAWaitingNonceIsHandedOutToBeFilledOncePerLease() {
    reserve("a", 0, 0);
    reserve("b", 0, 0);
    reserve("c", 0, 0);
    assertEquals(List.of(), gaps(0, 2, Duration.ofMinutes(1)), "nonce 0 is held by a live deployment: no gap");
    release("a");
    assertEquals(List.of(), gaps(0, 0, Duration.ofMinutes(1)), "nothing below nonce 0");
    assertEquals(List.of(0L), gaps(0, 2, Duration.ofMinutes(1)));
    assertEquals(List.of(), gaps(0, 2, Duration.ofMinutes(1)), "handed out: not again within the lease");
    kit.restart();
    assertEquals(List.of(0L), gaps(0, 2, Duration.ZERO), "after the lease (its filler may be lost) it is handed again");
    assertEquals(3, reserve("d", 0, 0), "a gap being filled is not given to a deployment");
    assertEquals(List.of(), gaps(1, 3, Duration.ZERO), "the chain mined nonce 0: no gap any more");
  }
}
