package io.mintline.http.ops;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.ExtendedActorSystem;
import akka.cluster.Cluster;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.Route;
import akka.management.cluster.javadsl.ClusterHttpManagementRoutes;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import io.mintline.http.RequestIds;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ErrorHandling;
import java.util.Map;

/**
 * akka-management's cluster routes ({@code /cluster/members}, {@code /cluster/shards/{name}}, ...)
 * for admins only, replacing the library's open provider (application.conf sets
 * {@code cluster-management = ""}). Read-only unless {@code mintline.management.allow-cluster-changes};
 * then a change (PUT/DELETE/POST: leave, down) is written to the audit log before it runs. The
 * health checks, {@code /metrics} and cluster bootstrap's routes are other providers and stay open.
 */
public final class AdminClusterRoutes implements ManagementRouteProvider {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdminClusterRoutes.class);
  private final ExtendedActorSystem system;

  public AdminClusterRoutes(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings providerSettings) {
    ManagementAccess access = ManagementAccess.get(system);
    Cluster cluster = Cluster.get(system);
    Route readOnly = ClusterHttpManagementRoutes.readOnly(cluster);
    Route all = ClusterHttpManagementRoutes.all(cluster);
    return pathPrefixTest("cluster", () -> extractRequest(request -> {
      String requestId = request.getHeader(RequestIds.HEADER).map(HttpHeader::value).filter(RequestIds::valid)
          .orElseGet(RequestIds::generate);
      String authorization = request.getHeader("Authorization").map(HttpHeader::value).orElse(null);
      ManagementAccess.Decision decision = access.decide(authorization, requestId);
      if (decision instanceof ManagementAccess.Refused refused) {
        var response = ErrorHandling.response(ApiError.forStatus(refused.status()), refused.message(), requestId);
        if (refused.status() == 401) {
          response = response.addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "mintline-management")));
        }
        return complete(response);
      }
      ManagementAccess.Admin admin = (ManagementAccess.Admin) decision;
      boolean change = !request.method().equals(HttpMethods.GET) && !request.method().equals(HttpMethods.HEAD);
      if (!change) return readOnly;
      if (!access.settings().allowClusterChanges()) {
        return complete(ErrorHandling.response(ApiError.FORBIDDEN,
            "cluster changes (leave, down) are off; set mintline.management.allow-cluster-changes = true to enable them",
            requestId));
      }
      return toStrictEntity(scala.concurrent.duration.FiniteDuration.apply(5, java.util.concurrent.TimeUnit.SECONDS), () -> entity(akka.http.javadsl.unmarshalling.Unmarshaller.entityToString(), body -> {
        String path = request.getUri().path();
        log.warn("Cluster change by {} ({}): {} {} {}", admin.actor(), admin.via(), request.method().name(), path, body);
        AuditLog audit = access.audit();
        // Written before the change runs: a change is never made without its audit row being attempted.
        return onComplete(audit.record(new AuditLog.Entry(admin.actor(), "management.cluster." + request.method().name().toLowerCase(),
            path, Map.of("via", admin.via(), "form", body.length() > 256 ? body.substring(0, 256) : body), requestId)),
            done -> all);
      }));
    }));
  }
}
