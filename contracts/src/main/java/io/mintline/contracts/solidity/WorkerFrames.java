package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The solc-js worker's framing (a length line, then the JSON payload) on the Java side. */
final class WorkerFrames {
  /** Compiler output can hold long strings (bytecode, metadata) and deep ASTs. */
  static final ObjectMapper JSON = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxStringLength(256 * 1024 * 1024).maxNestingDepth(10_000).build())
          .build())
      .build();
  /** An answer larger than this is taken for a broken worker rather than buffered. */
  private static final long MAX_FRAME = 1L << 30;

  private WorkerFrames() {}

  static byte[] request(long id, String pkg, ObjectNode input) throws IOException {
    ObjectNode request = JSON.createObjectNode();
    request.put("id", id);
    request.put("package", pkg);
    request.set("input", input);
    return JSON.writeValueAsBytes(request);
  }

  static void write(OutputStream out, byte[] payload) throws IOException {
    out.write((payload.length + "\n").getBytes(StandardCharsets.US_ASCII));
    out.write(payload);
    out.flush();
  }

  static JsonNode read(InputStream in) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) throw new EOFException("the solc-js worker closed its output");
      if (header.size() > 20) throw new IOException("bad frame header from the solc-js worker");
      header.write(b);
    }
    long length;
    try {
      length = Long.parseLong(header.toString(StandardCharsets.US_ASCII).trim());
    } catch (NumberFormatException e) {
      throw new IOException("bad frame header from the solc-js worker: " + header.toString(StandardCharsets.US_ASCII));
    }
    if (length < 0 || length > MAX_FRAME) throw new IOException("frame of " + length + " bytes from the solc-js worker");
    byte[] payload = in.readNBytes((int) length);
    if (payload.length != length) throw new EOFException("the solc-js worker closed its output mid-frame");
    return JSON.readTree(payload);
  }

  /** The answer of a worker to request {@code id}. */
  static SolcBackend.Answer answer(JsonNode frame, long id) {
    if (frame.path("id").asLong(-2) != id) {
      throw new CompilerCrashedException("the solc-js worker answered request " + frame.path("id") + ", expected " + id, null);
    }
    if (frame.has("failure")) throw new CompilerCrashedException("solc-js failed: " + frame.path("failure").asText(), null);
    return new SolcBackend.Answer(frame.path("version").asText(), frame.path("output"));
  }
}
