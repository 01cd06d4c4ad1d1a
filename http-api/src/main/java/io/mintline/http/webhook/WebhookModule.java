package io.mintline.http.webhook;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import io.mintline.config.MintlineSettings;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.http.auth.Principal;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed webhooks on one node: the {@link WebhookProjection} (once in the cluster), this node's
 * {@link WebhookDispatcher} (when {@code mintline.webhooks.enabled}), the {@link WebhookRoutes} and the
 * operator view's {@link WebhookFailureRoutes}.
 */
public final class WebhookModule {
  private static final Logger log = LoggerFactory.getLogger(WebhookModule.class);

  private WebhookModule() {}

  /** The module's routes: the owners' webhook routes and the admins' failure list. */
  public record Routes(WebhookRoutes webhooks, WebhookFailureRoutes failures) {}

  public static Routes start(ActorSystem<?> system, Config config, MintlineSettings settings, JournalDatabase database,
      UrlGuard.Resolver resolver, BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    WebhookSettings webhooks = WebhookSettings.load(config);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    WebhookStore store = new WebhookStore(database.dataSource(), database.vendor(), webhooks, Clock.systemUTC());
    boolean devnet = settings.network() == MintlineSettings.Network.DEVNET;
    if (!devnet && !store.encryptsSecrets()) {
      log.warn("Webhook signing secrets are stored unencrypted: set mintline.webhooks.secret-encryption-key (MINTLINE_WEBHOOK_SECRET_KEY)");
    }
    UrlGuard guard = new UrlGuard(devnet, resolver);
    WebhookProjection.init(system);
    if (webhooks.enabled()) new WebhookDispatcher(system, store, webhooks, guard, blocking).start();
    return new Routes(new WebhookRoutes(store, guard, webhooks, blocking, Clock.systemUTC(), authenticated),
        new WebhookFailureRoutes(store, blocking, authenticated));
  }
}
