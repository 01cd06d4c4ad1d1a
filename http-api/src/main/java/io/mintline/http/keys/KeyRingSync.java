package io.mintline.http.keys;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.GCounter;
import akka.cluster.ddata.GCounterKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import io.mintline.config.KeyRingSettings;
import io.mintline.deploy.algorand.AlgorandAccounts;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.keys.KeyChanges;
import io.mintline.deploy.keys.KeyRing;
import io.mintline.deploy.keys.KeyRole;
import io.mintline.deploy.keys.RotatingSigner;
import io.mintline.deploy.keys.Signer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's role keys in step with the cluster's shared key ring ({@link KeyRingStore}):
 * a rotation or revocation on any node is signed with the new key on every node.
 *
 * <p>The node that changes a key keeps it in the ring before the rekey is sent ({@link #coming}),
 * marks it as algod takes, confirms or fails the rekey, and each time rings the other nodes: a
 * Distributed Data {@link GCounter} ({@code key-ring-changes}) incremented with a write to all
 * nodes. Every node reads the ring when the counter changes — which also reaches a node that was
 * unreachable, by gossip, once it is back — every {@code mintline.keys.ring.poll-interval}, at start
 * (before its first signature), and when the chain refuses a signature because the account wants a
 * key this node does not hold ({@link RotatingSigner#isOrBecomes}, the minting path's cue).
 *
 * <p>Reading the ring, a node switches a role to the key whose authority the chain's auth-addr of
 * the role's account names (an algod account lookup, made only when the ring and the node differ),
 * or to the newest change that algod took but that is not in a block yet. A change still pending
 * after its rekey's last valid round is marked failed; a multisig rekey that has its co-signatures
 * but was left unsubmitted for {@code takeover-after} (its proposing node is gone) is submitted by
 * the node that reads it, so a multisig rotation survives the loss of the node that proposed it.
 * Persists nothing of its own: the ring is in the database, the counter only says "read it".
 */
public final class KeyRingSync implements KeyChanges {
  private static final Logger log = LoggerFactory.getLogger(KeyRingSync.class);
  private static final Key<GCounter> KEY = GCounterKey.create("key-ring-changes");
  /** Changes read per role: rotations are rare, and only the newest few can be in force. */
  private static final int HISTORY = 20;

  private final KeyRing ring;
  private final KeyRingStore store;
  private final AlgorandAccounts accounts;
  private final AlgorandGateway gateway;
  private final Proposals proposals;
  private final Executor blockingIo;
  private final KeyRingSettings settings;
  private final Duration timeout;
  private final Clock clock;
  private final Map<KeyRole, Signer> started = new EnumMap<>(KeyRole.class);
  private volatile ActorRef<Command> doorbell;
  /** Whether the ring was read for every role once (at start its table may still be migrating). */
  private volatile boolean readOnce;
  private boolean toldNotReadable;

  private KeyRingSync(KeyRing ring, KeyRingStore store, AlgorandAccounts accounts, AlgorandGateway gateway, Proposals proposals,
      Executor blockingIo, KeyRingSettings settings, Duration timeout, Clock clock) {
    this.ring = ring;
    this.store = store;
    this.accounts = accounts;
    this.gateway = gateway;
    this.proposals = proposals;
    this.blockingIo = blockingIo;
    this.settings = settings;
    this.timeout = timeout;
    this.clock = clock;
    for (KeyRole role : KeyRole.values()) started.put(role, ring.signer(role).current());
  }

  /**
   * Reads the ring once (a node started after a rotation signs with the new key from its first
   * signature), then follows it; {@code timeout} bounds each database, algod and replicator call.
   */
  public static KeyRingSync start(ActorSystem<?> system, KeyRing ring, KeyRingStore store, AlgorandAccounts accounts,
      AlgorandGateway gateway, Proposals proposals, Executor blockingIo, KeyRingSettings settings, Duration timeout) {
    KeyRingSync sync = new KeyRingSync(ring, store, accounts, gateway, proposals, blockingIo, settings, timeout, Clock.systemUTC());
    sync.reload();
    for (KeyRole role : KeyRole.values()) {
      ring.rotating(role).catchUpWith(authority -> sync.catchUp(role, authority.toString()));
    }
    sync.doorbell = system.systemActorOf(sync.behavior(), "key-ring-sync", Props.empty());
    return sync;
  }

  // ---- the changing node's side (KeyRotation, KeyCustody) ----

  @Override
  public CompletionStage<Long> coming(KeyRole role, Signer next, String purpose, String txId, long lastValid) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        long version = store.add(role, next, purpose, txId, lastValid);
        log.info("Key ring change {}: the {} account {} is about to answer to {} ({})", version, role.id(), next.address(),
            KeyRingStore.authority(next), purpose);
        return version;
      } catch (SQLException e) {
        throw new KeyCustody.Refused("the key ring (key_ring_changes) is not available, so the new " + role.id()
            + " key could not be kept; nothing was rekeyed: " + e.getMessage());
      }
    }, blockingIo);
  }

  @Override
  public void tookEffect(long change) {
    mark(change, KeyRingStore.Status.ACTIVE);
  }

  @Override
  public void confirmed(long change) {
    mark(change, KeyRingStore.Status.CONFIRMED);
  }

  @Override
  public void failed(long change) {
    mark(change, KeyRingStore.Status.FAILED);
  }

  private void mark(long change, KeyRingStore.Status status) {
    CompletableFuture.runAsync(() -> {
      try {
        if (store.mark(change, status)) ringOthers();
      } catch (SQLException e) {
        // The others still find the change by reading the chain's auth-addr on their next poll.
        log.warn("Key ring change {} could not be marked {}: {}", change, status.wire(), e.getMessage());
      }
    }, blockingIo);
  }

  /** Tells every node to read the ring now. */
  private void ringOthers() {
    ActorRef<Command> actor = doorbell;
    if (actor != null) actor.tell(Ring.INSTANCE);
  }

  // ---- every node's side ----

  /** Reads the ring and switches the roles whose key the cluster changed; answers how many switched. */
  synchronized int reload() {
    int switched = 0;
    String failure = null;
    for (KeyRole role : KeyRole.values()) {
      try {
        if (reload(role)) switched++;
      } catch (Exception e) {
        if (failure == null) failure = "the " + role.id() + " role: " + e.getMessage();
      }
    }
    if (failure == null) {
      readOnce = true;
    } else if (readOnce) {
      log.warn("The key ring could not be read for {} (read again in {})", failure, settings.pollInterval());
    } else {
      // At start the database may be away or still migrating: tried every second, said once.
      if (!toldNotReadable) log.info("The key ring is not readable yet, trying every second: {}", failure);
      toldNotReadable = true;
    }
    return switched;
  }

  private boolean reload(KeyRole role) throws SQLException {
    Signer current = ring.signer(role).current();
    String account = current.address().toString();
    List<KeyRingStore.Change> changes = store.changes(role, account, HISTORY);
    if (changes.isEmpty()) return false;
    String held = KeyRingStore.authority(current);
    Optional<KeyRingStore.Change> newest = changes.stream().filter(KeyRingStore.Change::live).findFirst();
    KeyRingStore.Status status = newest.map(KeyRingStore.Change::status).orElse(null);
    boolean underWay = status == KeyRingStore.Status.PENDING || status == KeyRingStore.Status.ACTIVE;
    boolean inStep = newest.isPresent() ? newest.get().authority().equals(held) : held.equals(KeyRingStore.authority(started.get(role)));
    if (inStep) {
      // Never away from the newest change on the chain's word alone: account lookups lag the pool by a block.
      if (underWay) settle(newest.get(), authorityOnChain(account));
      return false;
    }
    String onChain = authorityOnChain(account);
    KeyRingStore.Change change = null;
    Signer target = null;
    if (status == KeyRingStore.Status.ACTIVE
        || (status == KeyRingStore.Status.CONFIRMED && (onChain == null || onChain.equals(newest.get().authority())))) {
      change = newest.get(); // algod took the rekey (its block may be on the way)
    } else if (onChain != null) {
      // The chain decides, even over a change marked failed (a confirmation that was awaited in vain, yet came).
      change = changes.stream().filter(c -> c.authority().equals(onChain)).findFirst().orElse(null);
      if (change == null && KeyRingStore.authority(started.get(role)).equals(onChain)) target = started.get(role);
    }
    // Opened (PBKDF2, a fifth of a second) only when it is another key than the one held.
    if (change != null) target = change.authority().equals(held) ? current : store.open(change);
    boolean switched = false;
    if (target != null && !KeyRingStore.authority(target).equals(held)) {
      ring.rotate(role, target);
      switched = true;
      log.warn("Key ring{}: the {} account {} answers to {}; this node signs with key {} from now on",
          change == null ? "" : " change " + change.version(), role.id(), account, KeyRingStore.authority(target), target.keyAddress());
    } else if (target == null && onChain != null && !onChain.equals(held)) {
      log.error("The {} account {} answers to {} on chain, which is no key of this node or of the key ring: its signatures "
          + "are refused until an operator sets the key (docs/runbooks/key-compromise.md)", role.id(), account, onChain);
    }
    if (underWay) settle(newest.get(), onChain);
    return switched;
  }

  /** Confirms, fails or (a co-signed multisig rekey left alone) submits a change still under way. */
  private void settle(KeyRingStore.Change change, String onChain) throws SQLException {
    if (onChain == null) return;
    if (onChain.equals(change.authority())) {
      if (store.mark(change.version(), KeyRingStore.Status.CONFIRMED)) ringOthers();
      return;
    }
    long lastRound = await(gateway.params()).lastRound();
    if (lastRound > change.lastValid()) {
      if (store.mark(change.version(), KeyRingStore.Status.FAILED)) {
        log.warn("Key ring change {} ({}): its rekey {} was not in a block by round {}; it failed", change.version(), change.purpose(),
            change.txId(), change.lastValid());
        ringOthers();
      }
      return;
    }
    if (change.threshold() == null || change.status() != KeyRingStore.Status.PENDING) return;
    Optional<Proposals.Proposal> proposal = proposals.byPurpose(change.purpose());
    if (proposal.isEmpty()) return;
    Proposals.Proposal p = proposal.get();
    boolean left = p.updatedAt().plus(settings.takeoverAfter()).isBefore(clock.instant());
    boolean mine = p.status() == Proposals.Status.SIGNED && left && proposals.take(p.id());
    boolean again = p.status() == Proposals.Status.SUBMITTED && left;
    if (!mine && !again) return;
    log.warn("Key ring change {} ({}): proposal {} has its {} signatures but its node did not submit it within {}; submitting it from here",
        change.version(), change.purpose(), p.id(), p.threshold(), settings.takeoverAfter());
    try {
      await(gateway.submit(p.signedBytes()));
    } catch (RuntimeException e) {
      // Already in the pool or in a block (the proposing node got there after all): the chain decides, read on the next poll.
      log.info("Key ring change {}: submitting {} answered {}", change.version(), p.txId(), e.getMessage());
    }
  }

  /**
   * The chain wants {@code authority} for {@code role}'s account and this node holds another key:
   * switches to the ring's key of that authority when there is one. The refusal is the proof that
   * algod took the rekey, so a change still marked pending counts.
   */
  synchronized boolean catchUp(KeyRole role, String authority) {
    Signer current = ring.signer(role).current();
    if (KeyRingStore.authority(current).equals(authority)) return true;
    try {
      for (KeyRingStore.Change c : store.changes(role, current.address().toString(), HISTORY)) {
        if (c.authority().equals(authority)) {
          ring.rotate(role, store.open(c));
          log.warn("Key ring change {}: the chain wants {} for the {} account {}; this node signs with it from now on", c.version(),
              authority, role.id(), current.address());
          return true;
        }
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("The key ring could not be read for the {} role after a refusal naming {}: {}", role.id(), authority, e.getMessage());
    }
    return false;
  }

  /** The address the chain says signs for {@code account} now (itself when not rekeyed), or null when algod does not answer. */
  private String authorityOnChain(String account) {
    try {
      return await(accounts.authAddress(account)).orElse(account);
    } catch (RuntimeException e) {
      log.debug("algod did not answer for {}: {}", account, e.getMessage());
      return null;
    }
  }

  private <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer within " + timeout, e);
    }
  }

  // ---- the doorbell ----

  interface Command {}

  private enum Ring implements Command { INSTANCE }

  private enum Read implements Command { INSTANCE }

  private record Changed(Replicator.SubscribeResponse<GCounter> change) implements Command {}

  private record Updated(Replicator.UpdateResponse<GCounter> response) implements Command {}

  private Behavior<Command> behavior() {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> DistributedData.<Command, GCounter>withReplicatorMessageAdapter(replicator -> {
      SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
      replicator.subscribe(KEY, Changed::new);
      timers.startTimerWithFixedDelay("poll", Read.INSTANCE, settings.pollInterval());
      // Not read at start (the database away, or its migrations still running): try every second until it is.
      if (!readOnce) timers.startTimerWithFixedDelay("first-read", Read.INSTANCE, Duration.ofSeconds(1));
      return Behaviors.receive(Command.class)
          .onMessage(Ring.class, r -> {
            // A write to all that times out (a node away) is still applied here and reaches it by gossip.
            replicator.askUpdate(
                replyTo -> new Replicator.Update<>(KEY, GCounter.create(), new Replicator.WriteAll(timeout), replyTo,
                    counter -> counter.increment(self, 1L)),
                Updated::new);
            return Behaviors.same();
          })
          .onMessage(Updated.class, u -> Behaviors.same())
          .onMessage(Changed.class, c -> {
            if (c.change() instanceof Replicator.Changed<GCounter>) readSoon();
            return Behaviors.same();
          })
          .onMessage(Read.class, r -> {
            if (readOnce) timers.cancel("first-read");
            readSoon();
            return Behaviors.same();
          })
          .build();
    })));
  }

  /** Reads the ring off the actor's thread (database and algod calls block). */
  private void readSoon() {
    CompletableFuture.runAsync(this::reload, blockingIo);
  }
}
