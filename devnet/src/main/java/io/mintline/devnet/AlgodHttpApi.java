package io.mintline.devnet;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.devnet.http.KeepAliveServer;
import io.mintline.devnet.http.KeepAliveServer.Request;
import io.mintline.devnet.http.KeepAliveServer.Response;
import io.mintline.devnet.ledger.AccountSnapshot;
import io.mintline.devnet.ledger.AppState;
import io.mintline.devnet.ledger.AssetState;
import io.mintline.devnet.ledger.Block;
import io.mintline.devnet.ledger.Holding;
import io.mintline.devnet.ledger.Ledger;
import io.mintline.devnet.ledger.TxnRecord;
import io.mintline.devnet.wire.Msgpack;
import io.mintline.devnet.wire.Rejection;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * algod's v2 REST API over {@link KeepAliveServer}. Handlers only translate HTTP to {@link Devnet}
 * and {@link Ledger} calls and back. Every connection has its own thread, so a
 * {@code wait-for-block-after} long poll blocks only its own connection, never other requests.
 */
final class AlgodHttpApi {

  private static final Logger log = LoggerFactory.getLogger(AlgodHttpApi.class);

  /** Largest accepted request body: 16 transactions with the largest programs fit easily. */
  static final int MAX_BODY_BYTES = 1 << 20;
  /**
   * How long {@code wait-for-block-after} waits for a new round. algod waits a minute; the Java
   * algosdk's HTTP client gives up after 10 s, so the devnet answers well before that.
   */
  static final long WAIT_FOR_BLOCK_MILLIS = 5_000;
  /** Connections served at once; algod clients keep a handful each. */
  private static final int MAX_CONNECTIONS = 512;

  private static final String JSON = "application/json";
  private static final String MSGPACK = "application/msgpack";

  private final Devnet devnet;
  private final Ledger ledger;
  private final byte[] token;
  private final ObjectMapper json = new ObjectMapper();
  private final KeepAliveServer server;
  /** Long polls wait on this; the round maker notifies it after every round. */
  private final Object roundMonitor = new Object();
  private volatile boolean stopped;

  /** An HTTP error with algod's {@code {"message": …}} body. */
  private static final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  AlgodHttpApi(Devnet devnet, Ledger ledger, DevnetSettings settings) throws IOException {
    this.devnet = devnet;
    this.ledger = ledger;
    this.token = settings.apiToken().getBytes(StandardCharsets.UTF_8);
    this.server = new KeepAliveServer(settings.host(), settings.port(), MAX_CONNECTIONS,
        MAX_BODY_BYTES, this::handle);
  }

  void start() {
    server.start();
  }

  int port() {
    return server.port();
  }

  void stop() {
    stopped = true;
    synchronized (roundMonitor) {
      roundMonitor.notifyAll();
    }
    server.close();
  }

  /** Called by the round maker after each round: wakes the long polls. */
  void roundMade(long round) {
    synchronized (roundMonitor) {
      roundMonitor.notifyAll();
    }
  }

  // ---------------------------------------------------------------- dispatch

  private Response handle(Request request) {
    try {
      return route(request);
    } catch (HttpError e) {
      return error(e.status, e.getMessage());
    } catch (Rejection e) {
      return error(400, e.getMessage());
    } catch (Devnet.PausedException e) {
      return error(503, e.getMessage());
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      log.warn("devnet request {} {} failed", request.method(), request.rawPath(), e);
      return error(500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private Response route(Request request) {
    String method = request.method();
    String path = request.rawPath();
    Map<String, String> query = query(request.rawQuery());
    // Like algod: liveness, readiness and versions need no token.
    switch (path) {
      case "/health", "/ready" -> {
        get(method);
        return new Response(200, JSON, "null".getBytes(StandardCharsets.UTF_8));
      }
      case "/versions" -> {
        get(method);
        return json(200, versions());
      }
      default -> { }
    }
    checkToken(request);
    String[] p = segments(path);
    if (p.length >= 1 && p[0].equals("devnet")) {
      return devnetRoute(request, method, p);
    }
    if (p.length < 2 || !p[0].equals("v2")) {
      throw new HttpError(404, "unknown path " + path);
    }
    switch (p[1]) {
      case "status" -> {
        get(method);
        if (p.length == 2) {
          return json(200, status());
        }
        if (p.length == 4 && p[2].equals("wait-for-block-after")) {
          return waitForBlockAfter(parseUint(p[3], "round"));
        }
        throw new HttpError(404, "unknown path " + path);
      }
      case "transactions" -> {
        return transactionsRoute(request, method, p, query);
      }
      case "accounts" -> {
        get(method);
        if (p.length == 3) {
          boolean excludeAll = "all".equals(query.get("exclude"));
          return tree(Views.account(ledger.account(address(p[2])), excludeAll), query);
        }
        if (p.length == 5 && p[3].equals("assets")) {
          return accountAsset(address(p[2]), parseUint(p[4], "asset-id"), query);
        }
        throw new HttpError(404, "unknown path " + path);
      }
      case "assets" -> {
        get(method);
        requireLength(p, 3, path);
        AssetState asset = ledger.asset(parseUint(p[2], "asset-id"));
        if (asset == null) {
          throw new HttpError(404, "asset does not exist");
        }
        return tree(Views.asset(asset), query);
      }
      case "applications" -> {
        get(method);
        requireLength(p, 3, path);
        AppState app = ledger.app(parseUint(p[2], "application-id"));
        if (app == null) {
          throw new HttpError(404, "application does not exist");
        }
        return tree(Views.app(app), query);
      }
      case "blocks" -> {
        get(method);
        if (p.length == 3) {
          return block(parseUint(p[2], "round"), query);
        }
        if (p.length == 4 && p[3].equals("txids")) {
          List<Object> txids = new ArrayList<>();
          existingBlock(parseUint(p[2], "round")).txns().forEach(t -> txids.add(t.txid()));
          return tree(Map.of("blockTxids", txids), query);
        }
        if (p.length == 4 && p[3].equals("hash")) {
          Block b = existingBlock(parseUint(p[2], "round"));
          return json(200, Map.of("blockHash", Encoder.encodeToBase32StripPad(b.hash())));
        }
        throw new HttpError(404, "unknown path " + path);
      }
      default -> throw new HttpError(404, "unknown path " + path);
    }
  }

  private Response transactionsRoute(Request request, String method, String[] p,
      Map<String, String> query) {
    if (p.length == 2) {
      if (!method.equals("POST")) {
        throw new HttpError(405, "method " + method + " not allowed");
      }
      List<TxnRecord> records = devnet.submit(request.body());
      return json(200, Map.of("txId", records.get(0).txid()));
    }
    if (p.length == 3 && p[2].equals("params")) {
      get(method);
      return json(200, params());
    }
    if (p.length == 4 && p[2].equals("pending")) {
      get(method);
      boolean msgpack = msgpack(query);
      TxnRecord r = ledger.pending(p[3]);
      if (r == null) {
        throw new HttpError(404, "txn does not exist");
      }
      Map<String, Object> tree = Views.pending(r, msgpack);
      return msgpack ? new Response(200, MSGPACK, Msgpack.encode(tree)) : json(200, tree);
    }
    throw new HttpError(404, "unknown path /" + String.join("/", p));
  }

  private Response devnetRoute(Request request, String method, String[] p) {
    String what = p.length == 2 ? p[1] : "";
    switch (what) {
      case "accounts" -> {
        get(method);
        List<Object> list = new ArrayList<>();
        for (GenesisAccount a : devnet.accounts()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("address", a.address());
          m.put("mnemonic", a.mnemonic());
          m.put("amount", ledger.balance(a.address()));
          list.add(m);
        }
        return json(200, Map.of("accounts", list));
      }
      case "fund" -> {
        post(method);
        Map<String, Object> req = fundRequest(request.body());
        String txid = devnet.fund((String) req.get("address"), (Long) req.get("microAlgos"));
        return json(200, Map.of("txId", txid));
      }
      case "pause" -> {
        post(method);
        devnet.pause();
        return json(200, Map.of("paused", true, "last-round", ledger.lastRound()));
      }
      case "resume" -> {
        post(method);
        devnet.resume();
        return json(200, Map.of("paused", false, "last-round", ledger.lastRound()));
      }
      default -> throw new HttpError(404, "unknown path /" + String.join("/", p));
    }
  }

  // ---------------------------------------------------------------- endpoints

  private Map<String, Object> status() {
    long last = ledger.lastRound();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("catchup-time", 0L);
    m.put("last-round", last);
    m.put("last-version", Block.PROTOCOL);
    m.put("next-version", Block.PROTOCOL);
    m.put("next-version-round", last + 1);
    m.put("next-version-supported", true);
    m.put("stopped-at-unsupported-round", false);
    m.put("time-since-last-round", ledger.nanosSinceLastRound());
    return m;
  }

  private Map<String, Object> params() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("consensus-version", Block.PROTOCOL);
    m.put("fee", 0L);
    m.put("genesis-hash", ledger.genesisHash());
    m.put("genesis-id", ledger.genesisId());
    m.put("last-round", ledger.lastRound());
    m.put("min-fee", Ledger.MIN_FEE);
    return m;
  }

  private Map<String, Object> versions() {
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("major", 0L);
    build.put("minor", 1L);
    build.put("build_number", 0L);
    build.put("branch", "mintline-devnet");
    build.put("channel", "devnet");
    build.put("commit_hash", "");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("build", build);
    m.put("genesis_hash_b64", ledger.genesisHash());
    m.put("genesis_id", ledger.genesisId());
    m.put("versions", List.of("v2"));
    return m;
  }

  /** Blocks this connection's thread until a round after {@code round} exists, or times out. */
  private Response waitForBlockAfter(long round) {
    long deadline = System.nanoTime() + WAIT_FOR_BLOCK_MILLIS * 1_000_000;
    synchronized (roundMonitor) {
      long left;
      while (!stopped && ledger.lastRound() <= round
          && (left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
        try {
          roundMonitor.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return json(200, status());
  }

  private Response accountAsset(String address, long assetId, Map<String, String> query) {
    AccountSnapshot a = ledger.account(address);
    Holding holding = null;
    for (Holding h : a.holdings()) {
      if (h.assetId() == assetId) {
        holding = h;
      }
    }
    AssetState created = null;
    for (AssetState s : a.createdAssets()) {
      if (s.id() == assetId) {
        created = s;
      }
    }
    if (holding == null && created == null) {
      throw new HttpError(404, "account asset info not found");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", a.round());
    if (holding != null) {
      m.put("asset-holding", Views.holding(holding));
    }
    if (created != null) {
      m.put("created-asset", Views.assetParams(created));
    }
    return tree(m, query);
  }

  private Block existingBlock(long round) {
    Block b = ledger.block(round);
    if (b == null) {
      throw new HttpError(404, "failed to retrieve information from the ledger: round " + round
          + " is not available (last round " + ledger.lastRound() + ")");
    }
    return b;
  }

  private Response block(long round, Map<String, String> query) {
    boolean msgpack = msgpack(query);
    Block b = existingBlock(round);
    if ("true".equals(query.get("header-only"))) {
      return tree(Map.of("block", b.headerTree()), query);
    }
    if (msgpack) {
      return new Response(200, MSGPACK, b.msgpackResponse());
    }
    return json(200, Map.of("block", Views.jsonAddresses(b.tree())));
  }

  private Map<String, Object> fundRequest(byte[] body) {
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw new HttpError(400, "request body is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new HttpError(400, "expected {\"address\": …, \"microAlgos\": …}");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("address") && !f.equals("microAlgos")) {
        throw new HttpError(400, "unknown field " + f);
      }
    }
    JsonNode address = node.get("address");
    JsonNode amount = node.get("microAlgos");
    if (address == null || !address.isTextual()) {
      throw new HttpError(400, "address is required and must be a string");
    }
    if (amount == null || !amount.isIntegralNumber() || !amount.canConvertToLong()
        || amount.asLong() < 0) {
      throw new HttpError(400, "microAlgos is required and must be a non-negative integer");
    }
    Map<String, Object> m = new HashMap<>();
    m.put("address", address(address.asText()));
    m.put("microAlgos", amount.asLong());
    return m;
  }

  // ---------------------------------------------------------------- helpers

  private void checkToken(Request request) {
    String given = request.header("X-Algo-API-Token");
    if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      throw new HttpError(401, "Invalid API Token");
    }
  }

  private static void get(String method) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      throw new HttpError(405, "method " + method + " not allowed");
    }
  }

  private static void post(String method) {
    if (!method.equals("POST")) {
      throw new HttpError(405, "method " + method + " not allowed");
    }
  }

  private static void requireLength(String[] p, int n, String path) {
    if (p.length != n) {
      throw new HttpError(404, "unknown path " + path);
    }
  }

  private static String address(String s) {
    try {
      return new Address(s).toString();
    } catch (Exception e) {
      throw new HttpError(400, "failed to parse the address: " + s);
    }
  }

  private static long parseUint(String s, String what) {
    try {
      long v = Long.parseLong(s);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new HttpError(400, "invalid " + what + ": " + s);
    }
  }

  private static boolean msgpack(Map<String, String> query) {
    String format = query.get("format");
    if (format == null || format.equals("json")) {
      return false;
    }
    if (format.equals("msgpack")) {
      return true;
    }
    throw new HttpError(400, "unknown format " + format + ": use json or msgpack");
  }

  private static String[] segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out.toArray(new String[0]);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "malformed query string");
      }
    }
    return m;
  }

  private Response tree(Map<String, Object> tree, Map<String, String> query) {
    return msgpack(query) ? new Response(200, MSGPACK, Msgpack.encode(tree)) : json(200, tree);
  }

  private Response json(int status, Object body) {
    try {
      return new Response(status, JSON, json.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
  }

  private Response error(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message == null ? "error" : message);
    return json(status, body);
  }
}
