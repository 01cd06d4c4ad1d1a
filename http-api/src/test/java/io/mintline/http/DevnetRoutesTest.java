package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;
import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.http.devnet.DevnetRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The devnet routes the web console's browser wallet uses, on a real devnet: the faucet pays and
 * answers with the confirmed round; bad input is a 400 naming the problem; on testnet (and so on
 * mainnet) every devnet route is a 403 that says why, and no request reaches the chain.
 */
class DevnetRoutesTest {
  static ActorSystem<Void> system;
  static Devnet devnet;
  static AlgodGateway gateway;
  static String onDevnet;
  static String onTestnet;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "devnet-routes-test", ConfigFactory.parseString(
        "akka.http.server.parsing.error-handler = \"io.mintline.http.errors.JsonParsingErrorHandler\"")
        .withFallback(ConfigFactory.defaultReference()));
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0));
    gateway = AlgodGateway.create(MintlineSettings.load(ConfigFactory.load()).algod(), devnet.url(), devnet.apiToken());
    onDevnet = bind(new DevnetRoutes(MintlineSettings.Network.DEVNET, gateway, devnet.url(), devnet.apiToken()));
    onTestnet = bind(new DevnetRoutes(MintlineSettings.Network.TESTNET, gateway, devnet.url(), devnet.apiToken()));
  }

  private static String bind(DevnetRoutes routes) throws Exception {
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(ApiRoutes.wrap(64 * 1024, java.time.Duration.ofSeconds(20), requestId -> pathPrefix("api", () -> pathPrefix("v1", routes::route))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    devnet.close();
    system.terminate();
  }

  static HttpResponse<String> call(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> answer = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    ApiSchemas.check(method, path, answer); // every answer, errors included, as the OpenAPI document describes it
    return answer;
  }

  static JsonNode error(HttpResponse<String> r, int status, String error) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals(error, body.path("error").asText(), r.body());
    return body;
  }

  @Test
  void theFaucetPaysAnAddressAndAnswersOnceThePaymentIsConfirmed() throws Exception {
    String address = new Account().getAddress().toString();
    HttpResponse<String> r = call(onDevnet, "POST", "/api/v1/devnet/fund", "{\"address\": \"" + address + "\", \"microAlgos\": 2000000}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode funded = Json.MAPPER.readTree(r.body());
    assertEquals(address, funded.path("address").asText());
    assertEquals(2_000_000, funded.path("microAlgos").asLong());
    assertTrue(funded.path("round").asLong() > 0, r.body());
    HttpResponse<String> account = http.send(HttpRequest.newBuilder(URI.create(devnet.url() + "/v2/accounts/" + address))
        .header("X-Algo-API-Token", devnet.apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(2_000_000, Json.MAPPER.readTree(account.body()).path("amount").asLong(), "confirmed before the answer");

    HttpResponse<String> holding = call(onDevnet, "GET", "/api/v1/devnet/accounts/" + address + "/assets/999999", null);
    assertEquals(200, holding.statusCode(), holding.body());
    assertFalse(Json.MAPPER.readTree(holding.body()).path("optedIn").asBoolean(), holding.body());

    HttpResponse<String> params = call(onDevnet, "GET", "/api/v1/devnet/params", null);
    assertEquals(200, params.statusCode(), params.body());
    assertEquals(devnet.genesisHashBase64(), Json.MAPPER.readTree(params.body()).path("genesisHash").asText());
  }

  @Test
  void badInputIsA400ThatNamesTheProblem() throws Exception {
    error(call(onDevnet, "POST", "/api/v1/devnet/fund", "{}"), 400, "invalid_address");
    error(call(onDevnet, "POST", "/api/v1/devnet/fund", "{\"address\": \"0x52908400098527886E0F7030069857D2E4169EE7\"}"), 400, "invalid_address");
    String address = new Account().getAddress().toString();
    assertTrue(error(call(onDevnet, "POST", "/api/v1/devnet/fund", "{\"address\": \"" + address + "\", \"microAlgos\": 10000001}"),
        400, "invalid_parameter").path("message").asText().contains("10000000"));
    error(call(onDevnet, "POST", "/api/v1/devnet/fund", "{\"address\": \"" + address + "\", \"gift\": 1}"), 400, "invalid_json");
    error(call(onDevnet, "POST", "/api/v1/devnet/transactions", "{\"signedTransaction\": \"not base64!\"}"), 400, "invalid_parameter");
    assertTrue(error(call(onDevnet, "POST", "/api/v1/devnet/transactions", "{\"signedTransaction\": \"AAAA\"}"), 400, "invalid_parameter")
        .path("message").asText().startsWith("the devnet refused the transaction"));
  }

  @Test
  void onTestnetEveryDevnetRouteIsRefusedWithA403ThatSaysWhy() throws Exception {
    String address = new Account().getAddress().toString();
    for (String[] call : new String[][] {
        {"POST", "/api/v1/devnet/fund", "{\"address\": \"" + address + "\"}"},
        {"GET", "/api/v1/devnet/params", null},
        {"POST", "/api/v1/devnet/transactions", "{\"signedTransaction\": \"AAAA\"}"},
        {"GET", "/api/v1/devnet/accounts/" + address + "/assets/1", null}}) {
      JsonNode body = error(call(onTestnet, call[0], call[1], call[2]), 403, "forbidden");
      assertTrue(body.path("message").asText().contains("only on devnet; this node runs on testnet"), body.toString());
    }
    HttpResponse<String> account = http.send(HttpRequest.newBuilder(URI.create(devnet.url() + "/v2/accounts/" + address))
        .header("X-Algo-API-Token", devnet.apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(0, Json.MAPPER.readTree(account.body()).path("amount").asLong(), "the faucet paid nothing");
  }
}
