package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One address's nonces: single use, bounded, bound to domain, network and message. */
class NonceEntityTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final NonceEntity.Binding BINDING = new NonceEntity.Binding("localhost", "algorand:abc", "hash");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static NonceEntity.Outcome consume(ActorRef<NonceEntity.Command> entity, String nonce, NonceEntity.Binding binding, long now) {
    TestProbe<NonceEntity.Verdict> probe = testKit.createTestProbe();
    entity.tell(new NonceEntity.Consume(nonce, binding, now, probe.getRef()));
    return probe.receiveMessage().outcome();
  }

  private static void issue(ActorRef<NonceEntity.Command> entity, String nonce, long expires) {
    TestProbe<NonceEntity.Issued> probe = testKit.createTestProbe();
    entity.tell(new NonceEntity.Issue(nonce, BINDING, expires, probe.getRef()));
    probe.receiveMessage();
  }

  @Test
  void aNonceIsUsableOnceThenReportedAsReplayed() {
    ActorRef<NonceEntity.Command> entity = testKit.spawn(NonceEntity.create(3));
    issue(entity, "n1", 1_000);
    assertEquals(NonceEntity.Outcome.ACCEPTED, consume(entity, "n1", BINDING, 10));
    assertEquals(NonceEntity.Outcome.REPLAYED, consume(entity, "n1", BINDING, 11));
    assertEquals(NonceEntity.Outcome.UNKNOWN, consume(entity, "never", BINDING, 11));
  }

  @Test
  void theOldestNoncesAreEvictedBeyondTheBound() {
    ActorRef<NonceEntity.Command> entity = testKit.spawn(NonceEntity.create(3));
    for (int i = 1; i <= 5; i++) issue(entity, "n" + i, 1_000);
    assertEquals(NonceEntity.Outcome.UNKNOWN, consume(entity, "n1", BINDING, 10));
    assertEquals(NonceEntity.Outcome.UNKNOWN, consume(entity, "n2", BINDING, 10));
    for (int i = 3; i <= 5; i++) assertEquals(NonceEntity.Outcome.ACCEPTED, consume(entity, "n" + i, BINDING, 10));
  }

  @Test
  void expiryDomainNetworkAndMessageAreChecked() {
    ActorRef<NonceEntity.Command> entity = testKit.spawn(NonceEntity.create(5));
    issue(entity, "a", 100);
    issue(entity, "b", 1_000);
    issue(entity, "c", 1_000);
    issue(entity, "d", 1_000);
    assertEquals(NonceEntity.Outcome.EXPIRED, consume(entity, "a", BINDING, 100));
    assertEquals(NonceEntity.Outcome.MISMATCH, consume(entity, "b", new NonceEntity.Binding("evil.example", "algorand:abc", "hash"), 10));
    assertEquals(NonceEntity.Outcome.MISMATCH, consume(entity, "c", new NonceEntity.Binding("localhost", "eip155:1", "hash"), 10));
    assertEquals(NonceEntity.Outcome.TAMPERED, consume(entity, "d", new NonceEntity.Binding("localhost", "algorand:abc", "other"), 10));
    // Every verdict spends the nonce.
    assertEquals(NonceEntity.Outcome.REPLAYED, consume(entity, "d", BINDING, 10));
  }
}
