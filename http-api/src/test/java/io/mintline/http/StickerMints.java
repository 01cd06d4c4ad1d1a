package io.mintline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stickers as the chain has them: asset creations ({@code acfg}) sent by the minting account
 * with the note {@code mintline:mint:<tip txid>}, read block by block from algod, so a test counts
 * what was minted without trusting the node's own records.
 */
final class StickerMints {
  private static final String PREFIX = "mintline:mint:";

  private StickerMints() {}

  /**
   * Tip txid → number of sticker creations for it in rounds {@code from} … {@code to}; {@code detail}
   * (if not null) gets where each creation landed, so a failure shows how a second one came about.
   */
  static Map<String, Integer> perTip(HttpClient http, String algodUrl, String token, String mintAddress, long from, long to,
      Map<String, List<String>> detail) throws Exception {
    Map<String, Integer> perTip = new HashMap<>();
    for (long round = Math.max(1, from); round <= to; round++) {
      HttpResponse<String> block = http.send(
          HttpRequest.newBuilder(URI.create(algodUrl + "/v2/blocks/" + round + "?format=json"))
              .header("X-Algo-API-Token", token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, block.statusCode(), block.body());
      for (JsonNode txn : Json.MAPPER.readTree(block.body()).path("block").path("txns")) {
        JsonNode body = txn.path("txn");
        if (!"acfg".equals(body.path("type").asText()) || !mintAddress.equals(body.path("snd").asText())) continue;
        String note = new String(Base64.getDecoder().decode(body.path("note").asText("")), StandardCharsets.UTF_8);
        if (!note.startsWith(PREFIX)) continue;
        String tip = note.substring(PREFIX.length());
        perTip.merge(tip, 1, Integer::sum);
        if (detail != null) {
          detail.computeIfAbsent(tip, k -> new ArrayList<>()).add("round " + round + " fv " + body.path("fv").asLong()
              + " lv " + body.path("lv").asLong() + " grp " + body.path("grp").asText(""));
        }
      }
    }
    return perTip;
  }
}
