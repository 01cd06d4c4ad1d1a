package io.mintline.http.health;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import io.mintline.engine.persistence.JournalDatabase;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * akka-management readiness check: the node is ready only while its database answers and the
 * schema is migrated. Registered under {@code akka.management.health-checks.readiness-checks}.
 */
public final class DatabaseReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final HealthProbes probes;

  public DatabaseReadinessCheck(ActorSystem system) {
    this.probes = HealthProbes.get(Adapter.toTyped(system));
  }

  /** The last database check (cached: probes polling /ready cost no query each). */
  @Override
  public CompletionStage<Boolean> get() {
    return probes.database().thenApply(JournalDatabase.Check::ok);
  }
}
