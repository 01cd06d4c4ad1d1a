package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.common.Response;
import com.algorand.algosdk.v2.client.model.AccountAssetResponse;
import com.algorand.algosdk.v2.client.model.Application;
import com.algorand.algosdk.v2.client.model.Asset;
import com.algorand.algosdk.v2.client.model.BlockResponse;
import com.algorand.algosdk.v2.client.model.NodeStatusResponse;
import com.algorand.algosdk.v2.client.model.PendingTransactionResponse;
import com.algorand.algosdk.v2.client.model.TransactionParametersResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every algod endpoint the devnet serves, through the real Java algosdk where it has a call. */
class AlgodEndpointsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestChain chain;

  @BeforeAll
  static void start() {
    chain = TestChain.instant();
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  @Test
  void healthIsOpenButEverythingElseNeedsTheToken() throws Exception {
    assertEquals(200, chain.get("/health", false).statusCode());
    assertTrue(chain.algod.HealthCheck().execute().isSuccessful());

    HttpResponse<String> noToken = chain.get("/v2/status", false);
    assertEquals(401, noToken.statusCode());
    assertEquals("Invalid API Token", JSON.readTree(noToken.body()).get("message").asText());

    AlgodClient wrongToken = new AlgodClient("http://127.0.0.1", chain.devnet.port(), "b".repeat(64));
    assertEquals(401, wrongToken.GetStatus().execute().code());
    assertEquals(401, wrongToken.TransactionParams().execute().code());
    assertEquals(401, chain.get("/devnet/accounts", false).statusCode());
  }

  @Test
  void statusAndParamsDescribeThisChain() throws Exception {
    NodeStatusResponse status = chain.algod.GetStatus().execute().body();
    assertEquals(chain.devnet.currentRound(), status.lastRound);
    assertNotNull(status.lastVersion);
    assertEquals(Boolean.FALSE, status.stoppedAtUnsupportedRound);

    TransactionParametersResponse params = chain.params();
    assertEquals(chain.devnet.genesisId(), params.genesisId);
    assertEquals(chain.devnet.genesisHashBase64(), Base64.getEncoder().encodeToString(params.genesisHash));
    assertEquals(1000L, params.minFee);
    assertEquals(chain.devnet.currentRound(), params.lastRound);
  }

  @Test
  void waitForBlockAfterAnswersAsSoonAsTheNextRoundExists() throws Exception {
    long round = chain.devnet.currentRound();
    CompletableFuture<Response<NodeStatusResponse>> waiting =
        CompletableFuture.supplyAsync(() -> {
          try {
            return chain.algod.WaitForBlock(round).execute();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    Thread.sleep(200);
    assertFalse(waiting.isDone(), "must wait while no later round exists");
    long started = System.nanoTime();
    chain.funded(1_000_000);
    Response<NodeStatusResponse> answer = waiting.get(5, TimeUnit.SECONDS);
    assertTrue(answer.isSuccessful());
    assertTrue(answer.body().lastRound > round);
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3));

    // A round that already has a successor answers at once.
    long t0 = System.nanoTime();
    assertTrue(chain.algod.WaitForBlock(0L).execute().body().lastRound >= 1);
    assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void waitForBlockAfterDoesNotStarveOtherRequests() throws Exception {
    long round = chain.devnet.currentRound() + 1000;
    List<CompletableFuture<Integer>> waits = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      waits.add(CompletableFuture.supplyAsync(() -> {
        try {
          return chain.get("/v2/status/wait-for-block-after/" + round, true).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    Thread.sleep(300);
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertTrue(chain.algod.GetStatus().execute().isSuccessful());
    }
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2),
        "status calls were held up by parked long polls");
    for (CompletableFuture<Integer> w : waits) {
      assertEquals(200, w.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void submitAndPendingInformationInMsgpackAndJson() throws Exception {
    Account from = chain.genesis(0);
    Account to = new Account();
    SignedTransaction stx = from.signTransaction(chain.pay(from, to.getAddress(), 250_000)
        .noteUTF8("endpoints").build());
    PendingTransactionResponse p = chain.confirm(stx);
    assertTrue(p.confirmedRound > 0);
    assertEquals("", p.poolError);
    assertEquals(stx.transactionID, p.txn.tx.txID());
    assertEquals(250_000L, p.txn.tx.amount.longValue());

    HttpResponse<String> json = chain.get("/v2/transactions/pending/" + stx.transactionID, true);
    assertEquals(200, json.statusCode());
    JsonNode node = JSON.readTree(json.body());
    assertEquals(p.confirmedRound.longValue(), node.get("confirmed-round").asLong());
    assertEquals(250_000, node.get("txn").get("txn").get("amt").asLong());
    // As in algod's JSON: addresses base32, other bytes base64.
    assertEquals(to.getAddress().toString(), node.get("txn").get("txn").get("rcv").asText());
    assertEquals(chain.devnet.genesisHashBase64(), node.get("txn").get("txn").get("gh").asText());

    Response<PendingTransactionResponse> unknown =
        chain.algod.PendingTransactionInformation("A".repeat(52)).execute();
    assertEquals(404, unknown.code());
    assertTrue(unknown.message().contains("txn does not exist"));
  }

  @Test
  void accountAssetAndApplicationEndpoints() throws Exception {
    Account creator = chain.funded(10_000_000);
    Account holder = chain.funded(1_000_000);
    SignedTransaction create = creator.signTransaction(Transaction.AssetCreateTransactionBuilder()
        .sender(creator.getAddress()).assetTotal(1000).assetDecimals(0).assetUnitName("STKR")
        .assetName("Sticker").url("https://mintline.io/s/1").defaultFrozen(false)
        .manager(creator.getAddress()).reserve(creator.getAddress())
        .freeze(creator.getAddress()).clawback(creator.getAddress())
        .metadataHash(new byte[32]).suggestedParams(chain.params()).build());
    long assetId = chain.confirm(create).assetIndex;
    assertTrue(assetId > 0);

    Asset asset = chain.algod.GetAssetByID(assetId).execute().body();
    assertEquals(assetId, asset.index);
    assertEquals("STKR", asset.params.unitName);
    assertEquals("Sticker", asset.params.name);
    assertEquals(1000L, asset.params.total.longValue());
    assertEquals(creator.getAddress().toString(), asset.params.creator);
    assertEquals(creator.getAddress().toString(), asset.params.clawback);
    assertEquals(404, chain.algod.GetAssetByID(assetId + 100_000).execute().code());

    var account = chain.algod.AccountInformation(creator.getAddress()).execute().body();
    assertEquals(1, account.assets.size());
    assertEquals(1, account.createdAssets.size());
    assertEquals(200_000L, account.minBalance);
    assertEquals(creator.getAddress(), account.address);

    AccountAssetResponse holding =
        chain.algod.AccountAssetInformation(creator.getAddress(), assetId).execute().body();
    assertEquals(1000L, holding.assetHolding.amount.longValue());
    assertNotNull(holding.createdAsset);
    assertEquals(404, chain.algod.AccountAssetInformation(holder.getAddress(), assetId).execute().code());

    byte[] approval = {0x06, (byte) 0x81, 0x01};
    byte[] clear = {0x06, (byte) 0x81, 0x01};
    SignedTransaction app = creator.signTransaction(Transaction.ApplicationCreateTransactionBuilder()
        .sender(creator.getAddress()).approvalProgram(new com.algorand.algosdk.crypto.TEALProgram(approval))
        .clearStateProgram(new com.algorand.algosdk.crypto.TEALProgram(clear))
        .globalStateSchema(new com.algorand.algosdk.logic.StateSchema(1, 2))
        .localStateSchema(new com.algorand.algosdk.logic.StateSchema(0, 1))
        .args(List.of("hello".getBytes(StandardCharsets.UTF_8)))
        .suggestedParams(chain.params()).build());
    long appId = chain.confirm(app).applicationIndex;
    assertTrue(appId > assetId);
    Application application = chain.algod.GetApplicationByID(appId).execute().body();
    assertEquals(appId, application.id);
    assertArrayEquals(approval, application.params.approvalProgram);
    assertEquals(creator.getAddress(), application.params.creator);
    assertEquals(2L, application.params.globalStateSchema.numByteSlice);
    assertEquals(404, chain.algod.GetApplicationByID(appId + 100_000).execute().code());
    assertEquals(300_000L, chain.algod.AccountInformation(creator.getAddress()).execute().body().minBalance);

    assertEquals(400, chain.get("/v2/accounts/NOTANADDRESS", true).statusCode());
  }

  @Test
  @SuppressWarnings("unchecked")
  void blockCarriesHeaderAndTxnsInAlgodsInBlockForm() throws Exception {
    Account from = chain.genesis(1);
    Account to = new Account();
    SignedTransaction stx = from.signTransaction(chain.pay(from, to.getAddress(), 300_000).build());
    long round = chain.confirm(stx).confirmedRound;

    Response<BlockResponse> r = chain.algod.GetBlock(round).execute();
    assertTrue(r.isSuccessful(), r.message());
    Map<String, Object> block = r.body().block;
    assertEquals(round, ((Number) block.get("rnd")).longValue());
    assertEquals(chain.devnet.genesisId(), block.get("gen"));
    assertEquals(chain.devnet.genesisHashBase64(), Base64.getEncoder().encodeToString((byte[]) block.get("gh")));
    assertEquals(32, ((byte[]) block.get("seed")).length);
    assertEquals(32, ((byte[]) block.get("prev")).length);
    assertTrue(((Number) block.get("ts")).longValue() > 1_600_000_000L);

    // Recompute each txid the way a listener does: put the genesis fields back, hash the txn.
    List<String> txids = new ArrayList<>();
    for (Object o : (List<Object>) block.get("txns")) {
      Map<String, Object> stib = (Map<String, Object>) o;
      Map<String, Object> txn = (Map<String, Object>) stib.get("txn");
      assertFalse(txn.containsKey("gen"), "genesis id must be stripped in-block");
      assertFalse(txn.containsKey("gh"), "genesis hash must be stripped in-block");
      assertEquals(Boolean.TRUE, stib.get("hgi"));
      txn.put("gen", block.get("gen"));
      txn.put("gh", block.get("gh"));
      Transaction decoded = Encoder.decodeFromMsgPack(Encoder.encodeToMsgPack(txn), Transaction.class);
      txids.add(decoded.txID());
    }
    assertTrue(txids.contains(stx.transactionID), txids + " lacks " + stx.transactionID);

    // The previous block's hash chains, and JSON is available too.
    HttpResponse<String> json = chain.get("/v2/blocks/" + round + "?format=json", true);
    assertEquals(200, json.statusCode());
    JsonNode jsonBlock = JSON.readTree(json.body()).get("block");
    assertEquals(round, jsonBlock.get("rnd").asLong());
    assertEquals(from.getAddress().toString(), jsonBlock.get("txns").get(0).get("txn").get("snd").asText());
    assertEquals(404, chain.algod.GetBlock(chain.devnet.currentRound() + 50).execute().code());

    // Header only, txids and hash, as the Java algosdk asks for them.
    BlockResponse header = chain.algod.GetBlock(round).headerOnly(true).execute().body();
    assertEquals(round, ((Number) header.block.get("rnd")).longValue());
    assertFalse(header.block.containsKey("txns"));
    assertTrue(chain.algod.GetBlockTxids(round).execute().body().blockTxids.contains(stx.transactionID));
    Map<String, Object> next = chain.algod.GetBlock(round + 1).execute().isSuccessful()
        ? chain.algod.GetBlock(round + 1).execute().body().block : null;
    String hash = chain.algod.GetBlockHash(round).execute().body().blockHash;
    assertEquals(52, hash.length());
    if (next != null) {
      assertEquals(hash, Encoder.encodeToBase32StripPad((byte[]) next.get("prev")));
    }
    assertEquals(400, chain.get("/v2/blocks/1?format=xml", true).statusCode());
  }

  @Test
  void assetCreationIdIsInTheBlockAsCaid() throws Exception {
    Account creator = chain.funded(1_000_000);
    SignedTransaction create = creator.signTransaction(Transaction.AssetCreateTransactionBuilder()
        .sender(creator.getAddress()).assetTotal(1).assetDecimals(0).defaultFrozen(true)
        .clawback(creator.getAddress()).freeze(creator.getAddress()).manager(creator.getAddress())
        .suggestedParams(chain.params()).build());
    PendingTransactionResponse p = chain.confirm(create);
    BlockResponse block = chain.algod.GetBlock(p.confirmedRound).execute().body();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> txns = (List<Map<String, Object>>) block.block.get("txns");
    assertEquals(p.assetIndex.longValue(), ((Number) txns.get(0).get("caid")).longValue());
  }

  @Test
  void devnetExtrasServeAccountsFundAndPause() throws Exception {
    HttpResponse<String> accounts = chain.get("/devnet/accounts", true);
    assertEquals(200, accounts.statusCode());
    JsonNode list = JSON.readTree(accounts.body()).get("accounts");
    assertEquals(chain.devnet.accounts().size(), list.size());
    Account restored = new Account(list.get(0).get("mnemonic").asText());
    assertEquals(list.get(0).get("address").asText(), restored.getAddress().toString());

    Account fresh = new Account();
    HttpResponse<String> fund = chain.post("/devnet/fund", "application/json",
        ("{\"address\":\"" + fresh.getAddress() + "\",\"microAlgos\":2500000}").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, fund.statusCode(), fund.body());
    chain.waitConfirmed(JSON.readTree(fund.body()).get("txId").asText());
    assertEquals(2_500_000L, chain.balance(fresh.getAddress()));

    assertEquals(400, chain.post("/devnet/fund", "application/json",
        ("{\"address\":\"" + fresh.getAddress() + "\",\"microAlgos\":1,\"extra\":1}").getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(400, chain.post("/devnet/fund", "application/json",
        "{\"address\":\"nope\",\"microAlgos\":1000000}".getBytes(StandardCharsets.UTF_8)).statusCode());
    HttpResponse<String> belowMin = chain.post("/devnet/fund", "application/json",
        ("{\"address\":\"" + new Account().getAddress() + "\",\"microAlgos\":5}").getBytes(StandardCharsets.UTF_8));
    assertEquals(400, belowMin.statusCode());
    assertTrue(belowMin.body().contains("below min"), belowMin.body());

    assertEquals(200, chain.post("/devnet/pause", "application/json", new byte[0]).statusCode());
    try {
      long round = chain.devnet.currentRound();
      Account from = chain.genesis(2);
      SignedTransaction stx = from.signTransaction(chain.pay(from, fresh.getAddress(), 1).build());
      assertEquals(503, chain.send(TestChain.bytes(stx)).code());
      assertEquals(round, chain.algod.GetStatus().execute().body().lastRound);
      assertEquals(404, chain.algod.PendingTransactionInformation(stx.transactionID).execute().code());
    } finally {
      assertEquals(200, chain.post("/devnet/resume", "application/json", new byte[0]).statusCode());
    }
    Account from = chain.genesis(2);
    chain.confirm(from.signTransaction(chain.pay(from, fresh.getAddress(), 1).build()));
  }

  @Test
  void versionsNamesTheGenesis() throws Exception {
    HttpResponse<String> r = chain.get("/versions", false);
    assertEquals(200, r.statusCode());
    JsonNode v = JSON.readTree(r.body());
    assertEquals(chain.devnet.genesisId(), v.get("genesis_id").asText());
    assertEquals(chain.devnet.genesisHashBase64(), v.get("genesis_hash_b64").asText());
  }
}
