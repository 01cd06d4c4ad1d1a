package io.mintline.http.health;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.mintline.config.MintlineSettings;
import io.mintline.engine.persistence.JournalDatabase;
import java.util.concurrent.CompletionStage;

/**
 * The node's one cached database probe, shared by {@code /health}, {@code /ready} and the
 * management port's readiness check (which akka-management instantiates by class name, so it
 * finds the probe through this extension).
 */
public final class HealthProbes implements Extension {
  private final CachedProbe<JournalDatabase.Check> database;

  private HealthProbes(ActorSystem<?> system) {
    MintlineSettings settings = MintlineSettings.load(system.settings().config());
    JournalDatabase journal = JournalDatabase.get(system);
    this.database = new CachedProbe<>(journal::check, settings.health().checkInterval());
  }

  private static final ExtensionId<HealthProbes> ID = new ExtensionId<>() {
    @Override
    public HealthProbes createExtension(ActorSystem<?> system) {
      return new HealthProbes(system);
    }
  };

  public static HealthProbes get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The database's last check (at most mintline.health.check-interval old, plus one check). */
  public CompletionStage<JournalDatabase.Check> database() {
    return database.get();
  }
}
