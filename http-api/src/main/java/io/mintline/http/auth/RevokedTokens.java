package io.mintline.http.auth;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.Done;
import io.mintline.engine.concurrent.Stages;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster-wide deny-list of logged-out access tokens: {@code jti → exp} in a Distributed Data
 * {@link LWWMap}, so every node refuses a token that any node logged out. An entry lives until its
 * token would have expired anyway, then any node prunes it. Lookups read a local copy kept up to
 * date from the replicator's change notifications, so checking a token costs no message.
 */
public final class RevokedTokens {
  private static final Key<LWWMap<String, Long>> KEY = LWWMapKey.create("auth-revoked-jti");

  private final ConcurrentHashMap<String, Long> denied = new ConcurrentHashMap<>();
  private final ActorRef<Command> actor;
  private final ActorSystem<?> system;
  private final Duration timeout;
  private final Clock clock;

  public RevokedTokens(ActorSystem<?> system, Duration timeout, Clock clock) {
    this.system = system;
    this.timeout = timeout;
    this.clock = clock;
    this.actor = system.systemActorOf(behavior(), "auth-revoked-tokens", akka.actor.typed.Props.empty());
  }

  /** Whether {@code jti} was logged out (and its token has not expired yet). */
  public boolean isRevoked(String jti) {
    Long until = denied.get(jti);
    return until != null && until > clock.millis();
  }

  /** Denies {@code jti} cluster-wide until {@code expiresAtMillis}; completes when a majority has it (or on timeout, locally). */
  public CompletionStage<Done> revoke(String jti, long expiresAtMillis) {
    denied.put(jti, expiresAtMillis);
    return Stages.direct(AskPattern.ask(actor, replyTo -> new Revoke(jti, expiresAtMillis, replyTo), timeout.plusSeconds(1), system.scheduler()));
  }

  interface Command {}

  private record Revoke(String jti, long expiresAtMillis, ActorRef<Done> replyTo) implements Command {}

  private record Prune() implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, Long>> change) implements Command {}

  private record Updated(Replicator.UpdateResponse<LWWMap<String, Long>> response, ActorRef<Done> replyTo) implements Command {}

  private Behavior<Command> behavior() {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> DistributedData.<Command, LWWMap<String, Long>>withReplicatorMessageAdapter(replicator -> {
      SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
      replicator.subscribe(KEY, Changed::new);
      timers.startTimerWithFixedDelay(new Prune(), Duration.ofMinutes(1));
      return Behaviors.receive(Command.class)
          .onMessage(Revoke.class, revoke -> {
            replicator.askUpdate(
                replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), new Replicator.WriteMajority(timeout), replyTo,
                    map -> map.put(self, revoke.jti(), revoke.expiresAtMillis())),
                response -> new Updated(response, revoke.replyTo()));
            return Behaviors.same();
          })
          .onMessage(Updated.class, updated -> {
            // A timed-out majority write is still applied locally and spreads by gossip.
            updated.replyTo().tell(Done.getInstance());
            return Behaviors.same();
          })
          .onMessage(Changed.class, changed -> {
            if (changed.change() instanceof Replicator.Changed<LWWMap<String, Long>> c) {
              Map<String, Long> entries = c.get(KEY).getEntries();
              denied.putAll(entries);
              denied.keySet().removeIf(jti -> !entries.containsKey(jti) && denied.get(jti) <= clock.millis());
            }
            return Behaviors.same();
          })
          .onMessage(Prune.class, prune -> {
            long now = clock.millis();
            denied.values().removeIf(until -> until <= now);
            replicator.askUpdate(
                replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo, map -> {
                  LWWMap<String, Long> next = map;
                  for (Map.Entry<String, Long> e : map.getEntries().entrySet()) {
                    if (e.getValue() <= now) next = next.remove(self, e.getKey());
                  }
                  return next;
                }),
                response -> new Updated(response, context.getSystem().ignoreRef()));
            return Behaviors.same();
          })
          .build();
    })));
  }
}
