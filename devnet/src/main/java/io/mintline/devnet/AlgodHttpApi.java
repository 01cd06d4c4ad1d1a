package io.mintline.devnet;

import com.algorand.algosdk.crypto.Address;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * algod's v2 REST API over the JDK HTTP server. Handlers only translate HTTP to {@link Devnet} and
 * {@link Ledger} calls and back. {@code wait-for-block-after} never holds a worker thread: the
 * exchange is parked and answered by the round maker or by a timer.
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
  /** Worker threads: request handling is CPU work (decode, Ed25519), a few per core suffice. */
  private static final int WORKERS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
  /** Requests waiting for a worker; beyond this the acceptor thread runs them itself. */
  private static final int QUEUE = 4_096;

  static {
    // The JDK server writes headers and body separately; with Nagle on, every answer waits for the
    // client's delayed ACK (40 ms). Read once, when the first HttpServer is created in this JVM.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final String JSON = "application/json";
  private static final String MSGPACK = "application/msgpack";

  private final Devnet devnet;
  private final Ledger ledger;
  private final DevnetSettings settings;
  private final byte[] token;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService timers;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /** A parked {@code wait-for-block-after} request; answered exactly once. */
  private static final class Waiter {
    final long round;
    final HttpExchange exchange;
    final AtomicBoolean answered = new AtomicBoolean();

    Waiter(long round, HttpExchange exchange) {
      this.round = round;
      this.exchange = exchange;
    }
  }

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
    this.settings = settings;
    this.token = settings.apiToken().getBytes(StandardCharsets.UTF_8);
    this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 1024);
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "devnet-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "devnet-wait-timer");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(workers);
    server.createContext("/", this::handle);
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  void stop() {
    server.stop(0);
    for (Waiter w : waiters) {
      answer(w);
    }
    timers.shutdownNow();
    workers.shutdownNow();
  }

  /** Called by the round maker after each round: answers every waiter the round satisfies. */
  void roundMade(long round) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (round > w.round) {
        it.remove();
        answer(w);
      }
    }
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(HttpExchange ex) {
    try {
      route(ex);
    } catch (HttpError e) {
      sendError(ex, e.status, e.getMessage());
    } catch (Rejection e) {
      sendError(ex, 400, e.getMessage());
    } catch (Devnet.PausedException e) {
      sendError(ex, 503, e.getMessage());
    } catch (RuntimeException | IOException | LinkageError | StackOverflowError e) {
      log.warn("devnet request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
      sendError(ex, 500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    // Like algod: liveness, readiness and versions need no token.
    switch (path) {
      case "/health" -> {
        get(method);
        send(ex, 200, JSON, "null".getBytes(StandardCharsets.UTF_8));
        return;
      }
      case "/ready" -> {
        get(method);
        send(ex, 200, JSON, "null".getBytes(StandardCharsets.UTF_8));
        return;
      }
      case "/versions" -> {
        get(method);
        sendJson(ex, 200, versions());
        return;
      }
      default -> { }
    }
    checkToken(ex);
    String[] p = segments(path);
    if (p.length >= 1 && p[0].equals("devnet")) {
      devnetRoute(ex, method, p);
      return;
    }
    if (p.length < 2 || !p[0].equals("v2")) {
      throw new HttpError(404, "unknown path " + path);
    }
    switch (p[1]) {
      case "status" -> {
        get(method);
        if (p.length == 2) {
          sendJson(ex, 200, status());
        } else if (p.length == 4 && p[2].equals("wait-for-block-after")) {
          waitForBlockAfter(ex, parseUint(p[3], "round"));
        } else {
          throw new HttpError(404, "unknown path " + path);
        }
      }
      case "transactions" -> transactionsRoute(ex, method, p, query);
      case "accounts" -> {
        get(method);
        if (p.length == 3) {
          boolean excludeAll = "all".equals(query.get("exclude"));
          sendTree(ex, Views.account(ledger.account(address(p[2])), excludeAll), query);
        } else if (p.length == 5 && p[3].equals("assets")) {
          accountAsset(ex, address(p[2]), parseUint(p[4], "asset-id"), query);
        } else {
          throw new HttpError(404, "unknown path " + path);
        }
      }
      case "assets" -> {
        get(method);
        requireLength(p, 3, path);
        AssetState asset = ledger.asset(parseUint(p[2], "asset-id"));
        if (asset == null) {
          throw new HttpError(404, "asset does not exist");
        }
        sendTree(ex, Views.asset(asset), query);
      }
      case "applications" -> {
        get(method);
        requireLength(p, 3, path);
        AppState app = ledger.app(parseUint(p[2], "application-id"));
        if (app == null) {
          throw new HttpError(404, "application does not exist");
        }
        sendTree(ex, Views.app(app), query);
      }
      case "blocks" -> {
        get(method);
        requireLength(p, 3, path);
        block(ex, parseUint(p[2], "round"), query);
      }
      default -> throw new HttpError(404, "unknown path " + path);
    }
  }

  private void transactionsRoute(HttpExchange ex, String method, String[] p, Map<String, String> query)
      throws IOException {
    if (p.length == 2) {
      if (!method.equals("POST")) {
        throw new HttpError(405, "method " + method + " not allowed");
      }
      List<TxnRecord> records = devnet.submit(body(ex));
      sendJson(ex, 200, Map.of("txId", records.get(0).txid()));
    } else if (p.length == 3 && p[2].equals("params")) {
      get(method);
      sendJson(ex, 200, params());
    } else if (p.length == 4 && p[2].equals("pending")) {
      get(method);
      boolean msgpack = msgpack(query);
      TxnRecord r = ledger.txn(p[3]);
      if (r == null) {
        throw new HttpError(404, "txn does not exist");
      }
      Map<String, Object> tree = Views.pending(r, msgpack);
      if (msgpack) {
        send(ex, 200, MSGPACK, Msgpack.encode(tree));
      } else {
        sendJson(ex, 200, tree);
      }
    } else {
      throw new HttpError(404, "unknown path " + String.join("/", p));
    }
  }

  private void devnetRoute(HttpExchange ex, String method, String[] p) throws IOException {
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
        sendJson(ex, 200, Map.of("accounts", list));
      }
      case "fund" -> {
        post(method);
        Map<String, Object> req = fundRequest(body(ex));
        String txid = devnet.fund((String) req.get("address"), (Long) req.get("microAlgos"));
        sendJson(ex, 200, Map.of("txId", txid));
      }
      case "pause" -> {
        post(method);
        devnet.pause();
        sendJson(ex, 200, Map.of("paused", true, "last-round", ledger.lastRound()));
      }
      case "resume" -> {
        post(method);
        devnet.resume();
        sendJson(ex, 200, Map.of("paused", false, "last-round", ledger.lastRound()));
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

  private void waitForBlockAfter(HttpExchange ex, long round) {
    if (ledger.lastRound() > round) {
      sendJson(ex, 200, status());
      return;
    }
    Waiter w = new Waiter(round, ex);
    waiters.add(w);
    // A round made between the check above and add() would otherwise be missed.
    if (ledger.lastRound() > round && waiters.remove(w)) {
      answer(w);
      return;
    }
    timers.schedule(() -> {
      if (waiters.remove(w)) {
        answer(w);
      }
    }, WAIT_FOR_BLOCK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void answer(Waiter w) {
    if (w.answered.compareAndSet(false, true)) {
      sendJson(w.exchange, 200, status());
    }
  }

  private void accountAsset(HttpExchange ex, String address, long assetId, Map<String, String> query) {
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
    sendTree(ex, m, query);
  }

  private void block(HttpExchange ex, long round, Map<String, String> query) {
    boolean msgpack = msgpack(query);
    Block b = ledger.block(round);
    if (b == null) {
      throw new HttpError(404, "failed to retrieve information from the ledger: round " + round
          + " is not available (last round " + ledger.lastRound() + ")");
    }
    if (msgpack) {
      send(ex, 200, MSGPACK, b.msgpackResponse());
    } else {
      sendJson(ex, 200, Map.of("block", Views.jsonAddresses(b.tree())));
    }
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

  private void checkToken(HttpExchange ex) {
    String given = ex.getRequestHeaders().getFirst("X-Algo-API-Token");
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

  private static byte[] body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] data = in.readNBytes(MAX_BODY_BYTES + 1);
      if (data.length > MAX_BODY_BYTES) {
        throw new HttpError(400, "request body too large: more than " + MAX_BODY_BYTES + " bytes");
      }
      return data;
    }
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

  private void sendTree(HttpExchange ex, Map<String, Object> tree, Map<String, String> query) {
    if (msgpack(query)) {
      send(ex, 200, MSGPACK, Msgpack.encode(tree));
    } else {
      sendJson(ex, 200, tree);
    }
  }

  private void sendJson(HttpExchange ex, int status, Object body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
    send(ex, status, JSON, bytes);
  }

  private void sendError(HttpExchange ex, int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", message == null ? "error" : message);
    sendJson(ex, status, body);
  }

  private static void send(HttpExchange ex, int status, String contentType, byte[] body) {
    try {
      ex.getResponseHeaders().set("Content-Type", contentType);
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
      if (!head && body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      log.debug("client went away before the answer", e);
    } finally {
      ex.close();
    }
  }
}
