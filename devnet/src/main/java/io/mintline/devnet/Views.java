package io.mintline.devnet;

import com.algorand.algosdk.crypto.Address;
import io.mintline.devnet.ledger.AccountSnapshot;
import io.mintline.devnet.ledger.AppState;
import io.mintline.devnet.ledger.AssetState;
import io.mintline.devnet.ledger.Holding;
import io.mintline.devnet.ledger.TxnRecord;
import io.mintline.devnet.wire.Msgpack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * algod v2 response bodies as trees under algod's field names. The same tree is written as JSON
 * ({@code byte[]} as base64) or as msgpack, which is how algod's own models behave.
 */
final class Views {

  private Views() {}

  static Map<String, Object> account(AccountSnapshot a, boolean excludeAll) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", a.address());
    m.put("amount", a.amount());
    m.put("amount-without-pending-rewards", a.amount());
    m.put("min-balance", a.minBalance());
    m.put("pending-rewards", 0L);
    m.put("rewards", 0L);
    m.put("round", a.round());
    m.put("status", "Offline");
    m.put("sig-type", "sig");
    m.put("total-apps-opted-in", (long) a.optedInApps().size());
    m.put("total-assets-opted-in", (long) a.holdings().size());
    m.put("total-created-apps", (long) a.createdApps().size());
    m.put("total-created-assets", (long) a.createdAssets().size());
    m.put("total-box-bytes", 0L);
    m.put("total-boxes", 0L);
    m.put("apps-total-schema", schema(0, 0));
    if (a.authAddr() != null) {
      m.put("auth-addr", a.authAddr());
    }
    if (!excludeAll) {
      List<Object> holdings = new ArrayList<>();
      for (Holding h : a.holdings()) {
        holdings.add(holding(h));
      }
      m.put("assets", holdings);
      List<Object> created = new ArrayList<>();
      for (AssetState s : a.createdAssets()) {
        created.add(asset(s));
      }
      m.put("created-assets", created);
      List<Object> apps = new ArrayList<>();
      for (AppState s : a.createdApps()) {
        apps.add(app(s));
      }
      m.put("created-apps", apps);
      List<Object> local = new ArrayList<>();
      for (Long id : a.optedInApps()) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("id", id);
        l.put("schema", schema(0, 0));
        local.add(l);
      }
      m.put("apps-local-state", local);
    }
    return m;
  }

  static Map<String, Object> holding(Holding h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("amount", h.amount());
    m.put("asset-id", h.assetId());
    m.put("is-frozen", h.frozen());
    return m;
  }

  static Map<String, Object> asset(AssetState s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", s.id());
    m.put("params", assetParams(s));
    return m;
  }

  static Map<String, Object> assetParams(AssetState s) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("creator", s.creator());
    p.put("decimals", (long) s.decimals());
    p.put("total", s.total());
    p.put("default-frozen", s.defaultFrozen());
    putText(p, "unit-name", s.unitName());
    putText(p, "name", s.name());
    putText(p, "url", s.url());
    if (s.metadataHash() != null) {
      p.put("metadata-hash", s.metadataHash());
    }
    putIfSet(p, "manager", s.manager());
    putIfSet(p, "reserve", s.reserve());
    putIfSet(p, "freeze", s.freeze());
    putIfSet(p, "clawback", s.clawback());
    return p;
  }

  static Map<String, Object> app(AppState s) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("creator", s.creator());
    p.put("approval-program", s.approvalProgram());
    p.put("clear-state-program", s.clearStateProgram());
    if (s.extraPages() != 0) {
      p.put("extra-program-pages", s.extraPages());
    }
    p.put("global-state-schema", schema(s.globalUints(), s.globalByteSlices()));
    p.put("local-state-schema", schema(s.localUints(), s.localByteSlices()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("params", p);
    return m;
  }

  /**
   * The pending-transaction answer. For msgpack the signed transaction is embedded byte for byte
   * as submitted; for JSON it is the decoded tree.
   */
  static Map<String, Object> pending(TxnRecord r, boolean msgpack) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pool-error", "");
    if (r.confirmedRound() > 0) {
      m.put("confirmed-round", r.confirmedRound());
    }
    if (r.createdAssetId() != 0) {
      m.put("asset-index", r.createdAssetId());
    }
    if (r.createdAppId() != 0) {
      m.put("application-index", r.createdAppId());
    }
    if (r.closingAmount() != 0) {
      m.put("closing-amount", r.closingAmount());
    }
    if (r.assetClosingAmount() != 0) {
      m.put("asset-closing-amount", r.assetClosingAmount());
    }
    if (msgpack) {
      m.put("txn", new Msgpack.Raw(r.signedBytes()));
    } else {
      try {
        m.put("txn", jsonAddresses(Msgpack.decode(r.signedBytes())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return m;
  }

  private static final Set<String> ADDRESS_KEYS =
      Set.of("snd", "rcv", "close", "arcv", "asnd", "aclose", "fadd", "rekey", "sgnr", "apat");
  private static final Set<String> ASSET_PARAM_ADDRESS_KEYS = Set.of("m", "r", "f", "c");

  /**
   * algod's JSON writes addresses inside transactions as base32 strings (its Address is a
   * TextMarshaler) and other bytes as base64; msgpack keeps raw bytes. Converts a msgpack tree of
   * signed transactions or a block to the JSON form.
   */
  @SuppressWarnings("unchecked")
  static Object jsonAddresses(Object tree) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<String, Object>) map).forEach((k, v) -> {
        if (ADDRESS_KEYS.contains(k)) {
          out.put(k, toAddress(v));
        } else if (k.equals("apar") && v instanceof Map<?, ?> params) {
          Map<String, Object> p = new LinkedHashMap<>();
          ((Map<String, Object>) params).forEach((pk, pv) ->
              p.put(pk, ASSET_PARAM_ADDRESS_KEYS.contains(pk) ? toAddress(pv) : pv));
          out.put(k, p);
        } else {
          out.put(k, jsonAddresses(v));
        }
      });
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(jsonAddresses(o));
      }
      return out;
    }
    return tree;
  }

  private static Object toAddress(Object v) {
    if (v instanceof byte[] b && b.length == 32) {
      return new Address(b).toString();
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toAddress(o));
      }
      return out;
    }
    return v;
  }

  static Map<String, Object> schema(long uints, long byteSlices) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("num-byte-slice", byteSlices);
    m.put("num-uint", uints);
    return m;
  }

  private static void putText(Map<String, Object> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
      m.put(key + "-b64", value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void putIfSet(Map<String, Object> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
