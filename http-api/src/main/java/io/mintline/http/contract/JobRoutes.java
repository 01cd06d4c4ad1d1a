package io.mintline.http.contract;

import static akka.http.javadsl.server.Directives.*;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.ws.Message;
import akka.http.javadsl.model.ws.TextMessage;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.job.JobReadSide;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/jobs} (keyset pages from the read side, newest first), {@code GET
 * /api/v1/jobs/{id}} (from the job itself; a wallet sees its own jobs, admins all) and {@code WS
 * /api/v1/jobs/{id}/updates} (the current state, then a frame per transition; closed after the
 * last). An audit job answers SARIF 2.1.0 to {@code Accept: application/sarif+json}.
 */
public final class JobRoutes {
  static final ContentType SARIF = MediaTypes.customWithFixedCharset("application", "sarif+json", HttpCharsets.UTF_8, java.util.Map.of(), false)
      .toContentType();
  private static final Pattern TYPE = Pattern.compile("[a-z]{1,16}");
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** A list page: {@code {"items": [...], "next": cursor-or-null}}. */
  public record JobPage(List<JobView> items, String next) {}

  private final ActorSystem<?> system;
  private final JobClient jobs;
  private final JobReadSide readSide;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public JobRoutes(ActorSystem<?> system, JobClient jobs, BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.system = system;
    this.jobs = jobs;
    this.readSide = new JobReadSide(system);
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("jobs", () -> concat(
        pathEnd(() -> get(() -> authenticated.apply(requestId, this::list))),
        path(PathMatchers.segment(), id -> get(() -> authenticated.apply(requestId, p -> one(p, id)))),
        path(PathMatchers.segment().slash("updates"), id -> authenticated.apply(requestId, p -> updates(p, id)))));
  }

  private Route list(Principal principal) {
    return parameterOptional("type", type -> parameterOptional("status", status -> parameterOptional("owner", owner ->
        parameterOptional("limit", limit -> parameterOptional("after", after -> {
          Optional<WalletAddress> ownerFilter = owner.map(WalletAddress::parse);
          if (!admin(principal)) {
            WalletAddress self = WalletAddress.parse(principal.subject());
            if (ownerFilter.isPresent() && !ownerFilter.get().equals(self)) {
              throw new ApiException(ApiError.FORBIDDEN, "a wallet may list only its own jobs");
            }
            ownerFilter = Optional.of(self);
          }
          type.ifPresent(t -> {
            if (!TYPE.matcher(t).matches()) throw new ApiException(ApiError.INVALID_PARAMETER, "type must be compile, audit or deploy");
          });
          Optional<JobEntity.Status> statusFilter = status.map(JobRoutes::status);
          int pageSize = limit.map(JobRoutes::limit).orElse(DEFAULT_LIMIT);
          Optional<Cursor> cursor;
          try {
            cursor = after.map(Cursor::decode);
          } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
          }
          return onSuccess(readSide.list(ownerFilter, type, statusFilter, pageSize, cursor), page -> complete(Json.response(
              StatusCodes.OK, new JobPage(page.items().stream().map(JobView::of).toList(), page.next()))));
        })))));
  }

  private Route one(Principal principal, String id) {
    return extractRequest(request -> onSuccess(current(principal, id), summary -> complete(answer(request, summary))));
  }

  /** The job as JSON, or its SARIF log when asked for and it is a finished audit. */
  static HttpResponse answer(HttpRequest request, JobEntity.Summary summary) {
    if (wantsSarif(request) && ContractJobs.AUDIT.equals(summary.type()) && summary.result() != null
        && summary.result().has("sarif")) {
      return sarif(summary.result().get("sarif"));
    }
    return Json.response(StatusCodes.OK, JobView.of(summary));
  }

  static boolean wantsSarif(HttpRequest request) {
    return request.getHeader("Accept").map(h -> h.value().toLowerCase(Locale.ROOT).contains("application/sarif+json"))
        .orElse(false);
  }

  static HttpResponse sarif(JsonNode log) {
    try {
      return HttpResponse.create().withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(SARIF, Json.MAPPER.writeValueAsBytes(log)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The job's current state from its entity; 404 for an unknown id or another wallet's job. */
  private CompletionStage<JobEntity.Summary> current(Principal principal, String id) {
    if (!JobEntity.validId(id)) throw new ApiException(ApiError.NOT_FOUND, "no job " + id);
    return jobs.get(id).thenApply(summary -> {
      boolean visible = summary.status() != JobEntity.Status.NEW
          && (admin(principal) || summary.owner().equals(WalletAddress.parse(principal.subject()).value()));
      if (!visible) throw new ApiException(ApiError.NOT_FOUND, "no job " + id);
      return summary;
    });
  }

  /**
   * The current state, then every later transition from the job's journal, as JSON text frames;
   * closed after the job ends.
   */
  private Route updates(Principal principal, String id) {
    if (!JobEntity.validId(id)) throw new ApiException(ApiError.NOT_FOUND, "no job " + id);
    return onSuccess(current(principal, id), now -> {
      Source<Message, NotUsed> frames = Source.single(now)
          .concat(JobEntity.journalStates(system, id).dropWhile(update -> !newer(update, now)))
          .takeWhile(update -> !update.status().terminal(), true)
          .map(update -> (Message) TextMessage.create(Json.MAPPER.writeValueAsString(JobView.of(update))));
      return handleWebSocketMessages(Flow.fromSinkAndSourceCoupled(Sink.ignore(), frames));
    });
  }

  private static boolean newer(JobEntity.Summary update, JobEntity.Summary than) {
    if (update.updatedAt() == null || than.updatedAt() == null) return false;
    // Two transitions can share a clock tick; the attempt count and status order them then.
    return update.updatedAt().isAfter(than.updatedAt())
        || update.updatedAt().equals(than.updatedAt()) && update.status().ordinal() > than.status().ordinal();
  }

  static boolean admin(Principal principal) {
    return principal.roles() != null && principal.roles().contains("admin");
  }

  private static JobEntity.Status status(String text) {
    try {
      JobEntity.Status status = JobEntity.Status.valueOf(text.toUpperCase(Locale.ROOT));
      if (status == JobEntity.Status.NEW) throw new IllegalArgumentException();
      return status;
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "status must be one of queued, running, succeeded, failed");
    }
  }

  private static int limit(String text) {
    try {
      int value = Integer.parseInt(text);
      if (value >= 1 && value <= MAX_LIMIT) return value;
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new ApiException(ApiError.INVALID_PARAMETER, "limit must be an integer from 1 to " + MAX_LIMIT);
  }
}
