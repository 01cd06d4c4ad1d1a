package io.mintline.http.contract;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.config.ContractSettings;
import io.mintline.contracts.solidity.ContractTemplates;
import io.mintline.contracts.solidity.SolidityInput;
import io.mintline.contracts.solidity.SolidityInputException;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.deploy.evm.ConstructorArguments;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentId;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/contracts/deploy} (Idempotency-Key): deploys a contract of a succeeded compile
 * job ({@code jobId}, the caller's own) or of a template ({@code template}, {@code name},
 * {@code options}: generated and compiled for Shanghai here) to an EVM network, through the
 * {@link DeploymentEntity}. The constructor arguments are typed from the contract's ABI and checked
 * ({@code 400} naming the argument); the {@link DeployGate} refuses sources whose audit has CRITICAL
 * findings unless the request acknowledges them. Answers {@code 202 {"deploymentId","status"}}
 * (200 for a repeated request); progress is {@code GET /api/v1/deployments/{id}} and its WebSocket.
 * A network whose RPC does not answer makes the answer {@code 503 chain_unavailable} (retry: true):
 * the deployment is recorded and resumes by itself when the chain is back.
 */
public final class ContractDeployRoutes {
  private static final Set<String> FIELDS =
      Set.of("jobId", "template", "name", "options", "contract", "network", "constructorArgs", "acknowledge");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern CONTRACT = Pattern.compile("[A-Za-z0-9_@./-]{1,200}\\.sol:[A-Za-z_][A-Za-z0-9_]{0,63}");
  /** The newest EVM the local dev chain (ganache 7.9) runs: templates are compiled for it. */
  static final String TEMPLATE_EVM_VERSION = "shanghai";
  /** How long the chain probe after a request may take before the chain counts as unavailable. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** The contract name creators' tip jars are generated with. */
  public static final String TIP_JAR_NAME = "MintlineTipJar";
  /** The contract name of the platform's sticker collections. */
  public static final String STICKER_COLLECTION_NAME = "MintlineStickers";

  /** Answer of the deploy. */
  public record DeployAccepted(String deploymentId, String status) {}

  private final ActorSystem<?> system;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final SolidityToolchain toolchain;
  private final ContractSettings settings;
  private final ContractQuota quota;
  private final JobClient jobs;
  private final DeployGate gate;
  private final EvmNetworks networks;
  private final Duration askTimeout;
  private final Executor blockingIo;
  /** Platform templates compiled on this node, by template: the same sources compile to the same bytecode. */
  private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Compiled>> platformTemplates =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ContractDeployRoutes(ActorSystem<?> system, BiFunction<String, Function<Principal, Route>, Route> authenticated,
      SolidityToolchain toolchain, ContractSettings settings, ContractQuota quota, JobClient jobs, DeployGate gate,
      EvmNetworks networks, Duration askTimeout, Executor blockingIo) {
    this.system = system;
    this.authenticated = authenticated;
    this.toolchain = toolchain;
    this.settings = settings;
    this.quota = quota;
    this.jobs = jobs;
    this.gate = gate;
    this.networks = networks;
    this.askTimeout = askTimeout;
    this.blockingIo = blockingIo;
  }

  public Route route(String requestId) {
    return pathPrefix("contracts", () -> path("deploy", () -> post(() -> authenticated.apply(requestId, p ->
        quota.check(p, ContractQuota.Operation.DEPLOY, requestId, () -> deploy(p, requestId))))));
  }

  /** A validated request. */
  private record Request(String network, String jobId, String template, String name, JsonNode options, String contract,
      JsonNode constructorArgs, List<String> acknowledge) {}

  private Route deploy(Principal principal, String requestId) {
    return optionalHeaderValueByName("Idempotency-Key", key -> entity(Json.body(JsonNode.class), body -> {
      String idempotencyKey = key.orElseThrow(() -> new ApiException(ApiError.INVALID_PARAMETER,
          "header Idempotency-Key is required: 1 to 64 characters of A-Z a-z 0-9 . _ : -"));
      if (!IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "header Idempotency-Key must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
      }
      Request request = parse(body);
      String owner = WalletAddress.parse(principal.subject()).value();
      // "contract:" keeps these ids apart from creator onboarding's with the same key.
      String deploymentId = DeploymentId.of(owner, "contract:" + idempotencyKey);
      // Wait for a template's compilation, and the server's request timeout must not cut it.
      Duration budget = settings.maxWait().plus(Duration.ofSeconds(30));
      return withRequestTimeout(scala.concurrent.duration.Duration.fromNanos(budget.toNanos()), () ->
          onSuccess(answer(principal, requestId, owner, deploymentId, request), response -> complete(response)));
    }));
  }

  private Request parse(JsonNode body) {
    if (!body.isObject()) throw new ApiException(ApiError.INVALID_PARAMETER, "the body must be a JSON object");
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "unknown field \"" + field + "\"; expected one of " + new java.util.TreeSet<>(FIELDS));
      }
    }
    String network = text(body, "network");
    if (network == null) throw new ApiException(ApiError.INVALID_PARAMETER, "\"network\" is required: one of " + networks.names());
    if (!networks.names().contains(network)) {
      throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "network \"" + network + "\" is not one of this node's EVM networks "
          + networks.names());
    }
    String jobId = text(body, "jobId");
    String template = text(body, "template");
    if ((jobId == null) == (template == null)) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "give either \"jobId\" (a succeeded compile job) or \"template\" (with \"name\" and \"options\")");
    }
    if (jobId != null && (body.has("name") || body.has("options"))) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "\"name\" and \"options\" go with \"template\", not with \"jobId\"");
    }
    String contract = text(body, "contract");
    if (contract != null && !CONTRACT.matcher(contract).matches()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "\"contract\" must be File.sol:Name");
    }
    JsonNode args = body.get("constructorArgs");
    if (args != null && !args.isNull() && !args.isArray()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "\"constructorArgs\" must be a JSON array");
    }
    List<String> acknowledge = new ArrayList<>();
    JsonNode ack = body.get("acknowledge");
    if (ack != null && !ack.isNull()) {
      if (!ack.isArray()) throw new ApiException(ApiError.INVALID_PARAMETER, "\"acknowledge\" must be an array of finding ids");
      for (JsonNode id : ack) {
        if (!id.isTextual() || id.asText().length() > 128) {
          throw new ApiException(ApiError.INVALID_PARAMETER, "\"acknowledge\" must be an array of finding ids (strings)");
        }
        acknowledge.add(id.asText());
      }
    }
    return new Request(network, jobId, template, text(body, "name"), body.get("options"), contract, args, acknowledge);
  }

  private CompletionStage<HttpResponse> answer(Principal principal, String requestId, String owner, String deploymentId,
      Request request) {
    CompletionStage<Compiled> compiled = request.jobId() != null
        ? compileJob(principal, request.jobId(), request.contract())
        : compileTemplate(owner, request);
    return compiled.thenCompose(job -> gate.check(principal, job.sourceHash(), request.acknowledge(), requestId).thenCompose(decision -> {
      if (!decision.allowed()) return CompletableFuture.completedFuture(DeployGate.refusal(decision, requestId));
      String initCode;
      try {
        initCode = job.bytecode() + ConstructorArguments.encode(job.abi(), request.constructorArgs());
      } catch (ConstructorArguments.InvalidArgument e) {
        throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
      }
      DeploymentEntity.EvmContract contract = new DeploymentEntity.EvmContract(job.jobId(), job.contract(), job.sourceHash(), initCode);
      String shortName = job.contract().substring(job.contract().indexOf(':') + 1);
      return ClusterSharding.get(system).entityRefFor(DeploymentEntity.ENTITY_KEY, deploymentId)
          .<DeploymentEntity.Summary>ask(replyTo -> new DeploymentEntity.RequestContract(owner, shortName, request.network(),
              contract, replyTo), askTimeout)
          .thenCompose(summary -> {
            if (summary.evm() == null || !summary.evm().initCodeHash().equals(org.web3j.crypto.Hash.sha3(initCode))) {
              throw new ApiException(ApiError.CONFLICT,
                  "this Idempotency-Key was already used for another deployment (other contract, arguments or network)");
            }
            HttpResponse accepted = Json.response(summary.created() ? StatusCodes.ACCEPTED : StatusCodes.OK,
                new DeployAccepted(deploymentId, summary.status().wire()));
            if (summary.status().terminal()) return CompletableFuture.completedFuture(accepted);
            return probe(request.network()).thenApply(problem -> problem == null ? accepted : unavailable(problem, deploymentId, requestId));
          });
    }));
  }

  /**
   * A creator's tip jar (the {@code tip-jar} template with its defaults, compiled for Shanghai) as a
   * deployment's contract. Compiled once per node through a compile job of the first creator asking;
   * later creators reuse that bytecode. The platform's own template is not put through the deploy
   * gate: its audit is part of the template's tests.
   */
  public CompletionStage<DeploymentEntity.EvmContract> tipJar(String owner) {
    CompletableFuture<Compiled> compiled = platformTemplates.computeIfAbsent("tip-jar", t -> compileTemplate(owner,
        new Request(null, null, "tip-jar", TIP_JAR_NAME, null, null, null, List.of())).toCompletableFuture());
    return compiled.whenComplete((job, failure) -> {
      if (failure != null) platformTemplates.remove("tip-jar", compiled);
    }).thenApply(job -> new DeploymentEntity.EvmContract(job.jobId(), job.contract(), job.sourceHash(),
        job.bytecode() + ConstructorArguments.encode(job.abi(), null), DeploymentEntity.EvmContract.TIP_JAR));
  }

  /**
   * The platform's sticker collection (the {@code soulbound-erc721} template, owner-minted, symbol
   * STKR, compiled for Shanghai) owned by {@code owner}, as a deployment's contract; compiled once
   * per node like {@link #tipJar}.
   */
  public CompletionStage<DeploymentEntity.EvmContract> stickerCollection(String owner) {
    CompletableFuture<Compiled> compiled = platformTemplates.computeIfAbsent("soulbound-erc721", t -> compileTemplate(owner,
        new Request(null, null, "soulbound-erc721", STICKER_COLLECTION_NAME, Json.MAPPER.createObjectNode().put("symbol", "STKR"),
            null, null, List.of())).toCompletableFuture());
    return compiled.whenComplete((job, failure) -> {
      if (failure != null) platformTemplates.remove("soulbound-erc721", compiled);
    }).thenApply(job -> new DeploymentEntity.EvmContract(job.jobId(), job.contract(), job.sourceHash(),
        job.bytecode() + ConstructorArguments.encode(job.abi(), Json.MAPPER.createArrayNode().add(owner)),
        DeploymentEntity.EvmContract.STICKER_COLLECTION));
  }

  /** Null when the network's RPC answers, else why not. */
  private CompletionStage<String> probe(String network) {
    return CompletableFuture.supplyAsync(() -> networks.network(network), blockingIo)
        .thenCompose(n -> n.gateway().blockNumber())
        .toCompletableFuture()
        .orTimeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle((block, failure) -> failure == null ? null : String.valueOf(cause(failure).getMessage()));
  }

  private static HttpResponse unavailable(String problem, String deploymentId, String requestId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", ApiError.CHAIN_UNAVAILABLE.error());
    body.put("message", "the EVM node does not answer (" + problem + "); deployment " + deploymentId
        + " is recorded and goes on when it is back: retry with the same Idempotency-Key to see it");
    body.put("code", ApiError.CHAIN_UNAVAILABLE.code());
    body.put("retry", ApiError.CHAIN_UNAVAILABLE.retry());
    body.put("requestId", requestId);
    body.put("deploymentId", deploymentId);
    return Json.response(ApiError.CHAIN_UNAVAILABLE.status(), body);
  }

  /** What a deploy takes from a succeeded compile job. */
  private record Compiled(String jobId, String sourceHash, String contract, JsonNode abi, String bytecode) {}

  private CompletionStage<Compiled> compileJob(Principal principal, String jobId, String contract) {
    if (!JobEntity.validId(jobId)) throw new ApiException(ApiError.NOT_FOUND, "no compile job " + jobId);
    return jobs.get(jobId).thenApply(job -> {
      boolean mine = job.owner() != null && (JobRoutes.admin(principal)
          || job.owner().equals(WalletAddress.parse(principal.subject()).value()));
      if (job.status() == JobEntity.Status.NEW || !ContractJobs.COMPILE.equals(job.type()) || !mine) {
        throw new ApiException(ApiError.NOT_FOUND, "no compile job " + jobId);
      }
      if (job.status() != JobEntity.Status.SUCCEEDED) {
        throw new ApiException(ApiError.CONFLICT, "compile job " + jobId + " is " + job.status().wire() + ", not succeeded");
      }
      return pick(job, contract);
    });
  }

  private CompletionStage<Compiled> compileTemplate(String owner, Request request) {
    if (!toolchain.available()) {
      throw new ApiException(ApiError.COMPILER_UNAVAILABLE, "this node has no Solidity compiler: " + toolchain.unavailableReason());
    }
    SolidityInput input;
    String main;
    try {
      ContractTemplates.Generated generated = ContractTemplates.generate(request.template(), request.name(), request.options());
      main = generated.mainContract();
      ObjectNode json = Json.MAPPER.createObjectNode();
      ObjectNode sources = json.putObject("sources");
      generated.sources().forEach((file, content) -> sources.putObject(file).put("content", content));
      json.putObject("settings").put("evmVersion", TEMPLATE_EVM_VERSION);
      input = SolidityInput.parse(json, settings.maxSourceBytes(), settings.maxFiles());
    } catch (SolidityInputException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
    }
    if (request.contract() != null && !request.contract().equals(main)) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "the template's contract is " + main + ", not " + request.contract());
    }
    return jobs.submit(JobEntity.newId(), ContractJobs.COMPILE, owner, input.sourceHash(), input.toJson())
        .thenCompose(s -> jobs.awaitEnd(s, settings.maxWait()))
        .thenApply(job -> {
          if (job.status() == JobEntity.Status.FAILED) {
            throw new ApiException(ApiError.INVALID_PARAMETER, "the template did not compile (job " + job.id() + "): " + job.error());
          }
          if (job.status() != JobEntity.Status.SUCCEEDED) {
            throw new ApiException(ApiError.TIMEOUT, "the template's compile job " + job.id() + " did not finish in "
                + settings.maxWait().toSeconds() + " s; deploy it by jobId when it has");
          }
          return pick(job, main);
        });
  }

  /** The contract to deploy: the named one, or the job's only contract with creation bytecode. */
  private static Compiled pick(JobEntity.Summary job, String contract) {
    JsonNode contracts = job.result() == null ? null : job.result().path("contracts");
    List<String> deployable = new ArrayList<>();
    Map<String, JsonNode> byName = new java.util.LinkedHashMap<>();
    if (contracts != null) {
      contracts.fields().forEachRemaining(file -> file.getValue().fields().forEachRemaining(c -> {
        String fqn = file.getKey() + ":" + c.getKey();
        byName.put(fqn, c.getValue());
        String code = c.getValue().path("bytecode").asText("");
        if (code.length() > 2) deployable.add(fqn);
      }));
    }
    String chosen = contract;
    if (chosen == null) {
      if (deployable.size() != 1) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "compile job " + job.id() + " has " + deployable.size()
            + " deployable contracts " + deployable + ": name one in \"contract\" (File.sol:Name)");
      }
      chosen = deployable.get(0);
    }
    JsonNode c = byName.get(chosen);
    if (c == null) throw new ApiException(ApiError.INVALID_PARAMETER, "compile job " + job.id() + " has no contract " + chosen);
    String bytecode = c.path("bytecode").asText("");
    if (bytecode.length() <= 2) {
      throw new ApiException(ApiError.INVALID_PARAMETER, chosen + " has no creation bytecode (an interface or abstract contract)");
    }
    if (bytecode.contains("__$")) {
      throw new ApiException(ApiError.INVALID_PARAMETER, chosen + " needs libraries linked; deploys of unlinked bytecode are not supported");
    }
    return new Compiled(job.id(), job.sourceHash(), chosen, c.path("abi"), bytecode.startsWith("0x") ? bytecode : "0x" + bytecode);
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) return null;
    if (!value.isTextual()) throw new ApiException(ApiError.INVALID_PARAMETER, "\"" + field + "\" must be a string");
    return value.asText();
  }

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) t = t.getCause();
    return t;
  }
}
