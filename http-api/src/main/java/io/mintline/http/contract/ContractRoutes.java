package io.mintline.http.contract;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.config.ContractSettings;
import io.mintline.contracts.solidity.ContractTemplates;
import io.mintline.contracts.solidity.SolidityInput;
import io.mintline.contracts.solidity.SolidityInputException;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code POST /api/v1/contracts/generate}, {@code /compile} and {@code /audit}, for any logged-in
 * wallet (access token or API key). Compile and audit run as jobs: the answer is {@code 200} with
 * the job (and its result) when it ends within {@code ?wait=} seconds, else {@code 202
 * {"jobId","status"}}. Every route first asks the {@link ContractQuota}; on a node without a
 * compiler every route answers {@code 503 compiler_unavailable}.
 */
public final class ContractRoutes {
  private static final Set<String> GENERATE_FIELDS = Set.of("template", "name", "options");
  /** Room for JSON's escaping around the sources, beyond their own size limit. */
  private static final long BODY_OVERHEAD_FACTOR = 2;
  private static final long BODY_OVERHEAD_BYTES = 64 * 1024;

  /** Answer of a job not finished within {@code ?wait}. */
  public record Accepted(String jobId, String status) {}

  /** Answer of {@code generate}: sources in the compile request's shape. */
  public record GeneratedView(ObjectNode sources, String mainContract, String compilerVersion) {}

  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final SolidityToolchain toolchain;
  private final ContractSettings settings;
  private final ContractQuota quota;
  private final JobClient jobs;

  public ContractRoutes(BiFunction<String, Function<Principal, Route>, Route> authenticated, SolidityToolchain toolchain,
      ContractSettings settings, ContractQuota quota, JobClient jobs) {
    this.authenticated = authenticated;
    this.toolchain = toolchain;
    this.settings = settings;
    this.quota = quota;
    this.jobs = jobs;
  }

  public Route route(String requestId) {
    long bodyLimit = settings.maxSourceBytes() * BODY_OVERHEAD_FACTOR + BODY_OVERHEAD_BYTES;
    return pathPrefix("contracts", () -> concat(
        path("generate", () -> post(() -> authenticated.apply(requestId, p ->
            quota.check(p, ContractQuota.Operation.GENERATE, requestId, this::generate)))),
        path("compile", () -> post(() -> authenticated.apply(requestId, p ->
            quota.check(p, ContractQuota.Operation.COMPILE, requestId, () -> withSizeLimit(bodyLimit, () -> job(p, ContractJobs.COMPILE)))))),
        path("audit", () -> post(() -> authenticated.apply(requestId, p ->
            quota.check(p, ContractQuota.Operation.AUDIT, requestId, () -> withSizeLimit(bodyLimit, () -> job(p, ContractJobs.AUDIT))))))));
  }

  private Route generate() {
    requireCompiler();
    return entity(Json.body(JsonNode.class), body -> {
      if (!body.isObject()) throw new ApiException(ApiError.INVALID_PARAMETER, "the body must be {\"template\", \"name\", \"options\"}");
      for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!GENERATE_FIELDS.contains(field)) {
          throw new ApiException(ApiError.INVALID_PARAMETER, "unknown field \"" + field + "\"; expected template, name, options");
        }
      }
      ContractTemplates.Generated generated;
      try {
        generated = ContractTemplates.generate(text(body, "template"), text(body, "name"), body.get("options"));
      } catch (SolidityInputException e) {
        throw refused(e);
      }
      ObjectNode sources = Json.MAPPER.createObjectNode();
      generated.sources().forEach((file, content) -> sources.putObject(file).put("content", content));
      return complete(Json.response(StatusCodes.OK,
          new GeneratedView(sources, generated.mainContract(), toolchain.newestVersion())));
    });
  }

  private Route job(Principal principal, String type) {
    requireCompiler();
    return parameterOptional("wait", waitParam -> {
      Duration wait = waitParam.map(this::waitSeconds).orElse(settings.defaultWait());
      return extractRequest(request -> entity(Json.body(JsonNode.class), body -> {
        SolidityInput input;
        try {
          input = SolidityInput.parse(body, settings.maxSourceBytes(), settings.maxFiles());
          toolchain.checkVersion(input.compilerVersion());
        } catch (SolidityInputException e) {
          throw refused(e);
        }
        String owner = WalletAddress.parse(principal.subject()).value();
        String jobId = JobEntity.newId();
        // The answer may take up to ?wait plus the submit itself; the server's request timeout must not cut it.
        return withRequestTimeout(scala.concurrent.duration.Duration.fromNanos(wait.plus(Duration.ofSeconds(15)).toNanos()), () -> onSuccess(
            jobs.submit(jobId, type, owner, input.sourceHash(), input.toJson()).thenCompose(s -> jobs.awaitEnd(s, wait)),
            summary -> complete(answer(request, summary))));
      }));
    });
  }

  private static akka.http.javadsl.model.HttpResponse answer(HttpRequest request, JobEntity.Summary summary) {
    if (!summary.status().terminal()) {
      return Json.response(StatusCodes.ACCEPTED, new Accepted(summary.id(), summary.status().wire()));
    }
    return JobRoutes.answer(request, summary);
  }

  private Duration waitSeconds(String text) {
    long max = settings.maxWait().toSeconds();
    try {
      long seconds = Long.parseLong(text);
      if (seconds >= 0 && seconds <= max) return Duration.ofSeconds(seconds);
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new ApiException(ApiError.INVALID_PARAMETER, "wait must be a whole number of seconds from 0 to " + max);
  }

  private void requireCompiler() {
    if (!toolchain.available()) {
      throw new ApiException(ApiError.COMPILER_UNAVAILABLE,
          "this node has no Solidity compiler: " + toolchain.unavailableReason());
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) return null;
    if (!value.isTextual()) throw new ApiException(ApiError.INVALID_PARAMETER, "\"" + field + "\" must be a string");
    return value.asText();
  }

  private static ApiException refused(SolidityInputException e) {
    return new ApiException(e.kind() == SolidityInputException.Kind.TOO_LARGE ? ApiError.PAYLOAD_TOO_LARGE
        : ApiError.INVALID_PARAMETER, e.getMessage());
  }
}
