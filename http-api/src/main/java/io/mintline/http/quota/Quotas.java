package io.mintline.http.quota;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import io.mintline.config.EdgeSettings;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import io.mintline.http.errors.ErrorHandling;
import io.mintline.http.tier.TierStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code quota(kind, ...)} directive for the routes that start expensive work: it charges
 * one unit of the caller's daily quota for {@code kind} (compilations, deployments, audits), on
 * the caller's tier, and runs the route; when the day's quota is used up it answers
 * {@code 429 quota_exceeded} with {@code Retry-After} (seconds until the next UTC midnight) and
 * says when it resets. Every answer carries {@code RateLimit-Policy: "kind";q=N;w=86400} and
 * {@code RateLimit: "kind";r=left;t=seconds-until-reset}.
 *
 * <p>Use inside {@code authenticated}: {@code authenticated(id, p -> quotas.quota("compilations", p, id, () -> ...))}.
 */
public final class Quotas {
  public static final String COMPILATIONS = "compilations";
  public static final String DEPLOYMENTS = "deployments";
  public static final String AUDITS = "audits";

  private final QuotaService service;
  private final TierStore tiers;
  private final Executor blockingIo;
  private final Clock clock;

  public Quotas(QuotaService service, TierStore tiers, Executor blockingIo, Clock clock) {
    this.service = service;
    this.tiers = tiers;
    this.blockingIo = blockingIo;
    this.clock = clock;
  }

  public Route quota(String kind, Principal principal, String requestId, Supplier<Route> inner) {
    if (!EdgeSettings.QUOTA_KINDS.contains(kind)) throw new IllegalArgumentException("no quota kind " + kind);
    return onSuccess(CompletableFuture.supplyAsync(() -> {
      try {
        return service.charge(principal.subject(), tiers.tierOf(principal.subject()), kind);
      } catch (SQLException e) {
        throw new ApiException(ApiError.NOT_READY, "the database is unavailable; try again");
      }
    }, blockingIo), charge -> {
      long reset = Math.max(1, Duration.between(clock.instant(), charge.resetsAt()).toSeconds());
      List<HttpHeader> headers = List.of(
          RawHeader.create("RateLimit-Policy", "\"" + kind + "\";q=" + charge.limit() + ";w=86400"),
          RawHeader.create("RateLimit", "\"" + kind + "\";r=" + charge.remaining() + ";t=" + reset));
      if (charge.allowed()) return respondWithHeaders(headers, inner);
      return complete(ErrorHandling.response(ApiError.QUOTA_EXCEEDED,
              "daily quota of " + charge.limit() + " " + kind + " on the " + charge.tier() + " tier is used up; it resets at "
                  + charge.resetsAt(), requestId)
          .addHeaders(headers)
          .addHeader(RawHeader.create("Retry-After", Long.toString(reset))));
    });
  }
}
