package io.mintline.contracts.teal;

import io.mintline.contracts.teal.TealOps.GlobalField;
import io.mintline.contracts.teal.TealOps.Op;
import io.mintline.contracts.teal.TealOps.TxnField;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Assembles TEAL source into the bytecode an Algorand node runs, for the subset of the language
 * Mintline's programs use (see {@link TealOps}): {@code #pragma version}, labels and branches,
 * {@code pushint}/{@code pushbytes} constants, transaction, group and global fields, scratch
 * space, global state, inner transactions and {@code log}.
 *
 * <p>The output is what go-algorand's assembler ({@code goal clerk compile}) produces for the same
 * source: version as a uvarint, then each instruction as its opcode and immediates; a branch
 * holds a signed 16-bit big-endian offset from the end of the branch instruction. Constants are
 * written only through {@code pushint}/{@code pushbytes}; the {@code int}/{@code byte}
 * pseudo-ops (which make go-algorand build {@code intcblock}/{@code bytecblock} tables) are refused
 * so that the bytes never depend on a constant-table heuristic.
 */
public final class TealAssembler {

  /** Highest program version this assembler writes (AVM v10). */
  public static final int MAX_VERSION = 10;

  private TealAssembler() {}

  /** The bytecode of {@code source}; fails with the line of the first problem. */
  public static byte[] assemble(String source) {
    List<Instruction> instructions = new ArrayList<>();
    Map<String, Integer> labels = new HashMap<>();
    int version = 0;
    int pc = 0;
    String[] lines = source.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      for (List<String> tokens : statements(lines[i], lineNo)) {
        if (tokens.isEmpty()) continue;
        String first = tokens.get(0);
        if (first.equals("#pragma")) {
          if (!instructions.isEmpty() || !labels.isEmpty()) {
            throw new TealAssemblyException(lineNo, "#pragma version must come before any instruction");
          }
          if (tokens.size() != 3 || !tokens.get(1).equals("version")) {
            throw new TealAssemblyException(lineNo, "expected '#pragma version N'");
          }
          if (version != 0) throw new TealAssemblyException(lineNo, "version already set");
          version = (int) parseUint(tokens.get(2), lineNo, 1, MAX_VERSION);
          continue;
        }
        if (first.endsWith(":") && tokens.size() == 1) {
          String label = first.substring(0, first.length() - 1);
          if (label.isEmpty()) throw new TealAssemblyException(lineNo, "empty label");
          if (labels.putIfAbsent(label, pc) != null) {
            throw new TealAssemblyException(lineNo, "duplicate label " + label);
          }
          continue;
        }
        if (version == 0) {
          throw new TealAssemblyException(lineNo, "a program starts with '#pragma version N'");
        }
        Instruction ins = instruction(tokens, lineNo, version);
        instructions.add(ins);
        pc += ins.size;
      }
    }
    if (version == 0) throw new TealAssemblyException(1, "a program starts with '#pragma version N'");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeUvarint(out, version);
    int offset = 0;
    for (Instruction ins : instructions) {
      ins.write(out, offset, labels);
      offset += ins.size;
    }
    return out.toByteArray();
  }

  /** The bytecode of a source, as lower-case hex (handy in tests and logs). */
  public static String assembleHex(String source) {
    return HexFormat.of().formatHex(assemble(source));
  }

  /** One instruction: its op and the already-encoded immediates, or a label to resolve. */
  private record Instruction(Op op, byte[] immediates, String label, int line, int size) {
    void write(ByteArrayOutputStream out, int pc, Map<String, Integer> labels) {
      out.write(op.code());
      if (label != null) {
        Integer target = labels.get(label);
        if (target == null) throw new TealAssemblyException(line, "reference to undefined label " + label);
        int jump = target - (pc + 3);
        if (jump < Short.MIN_VALUE || jump > Short.MAX_VALUE) {
          throw new TealAssemblyException(line, "branch to " + label + " is too far");
        }
        out.write((jump >> 8) & 0xff);
        out.write(jump & 0xff);
      } else {
        out.writeBytes(immediates);
      }
    }
  }

  private static Instruction instruction(List<String> tokens, int line, int version) {
    String name = tokens.get(0);
    List<String> args = tokens.subList(1, tokens.size());
    if (name.equals("int") || name.equals("byte") || name.equals("addr") || name.equals("method")) {
      throw new TealAssemblyException(line, "'" + name + "' builds constant blocks; write pushint or pushbytes");
    }
    // go-algorand accepts "txn F i" / "gtxn g F i" as aliases of txna / gtxna.
    if (name.equals("txn") && args.size() == 2) name = "txna";
    if (name.equals("gtxn") && args.size() == 3) name = "gtxna";
    Op op = TealOps.OPS.get(name);
    if (op == null) throw new TealAssemblyException(line, "unknown opcode: " + name);
    if (op.version() > version) {
      throw new TealAssemblyException(line, name + " was introduced in v" + op.version() + " (program is v" + version + ")");
    }
    ByteArrayOutputStream imm = new ByteArrayOutputStream();
    String label = null;
    switch (op.immediates()) {
      case NONE -> arity(args, 0, name, line);
      case SLOT -> {
        arity(args, 1, name, line);
        imm.write((int) parseUint(args.get(0), line, 0, 255));
      }
      case TXN_FIELD -> {
        arity(args, 1, name, line);
        TxnField f = txnField(args.get(0), line, version, false);
        if (name.equals("itxn_field") && !f.settable()) {
          throw new TealAssemblyException(line, "itxn_field cannot set " + f.name());
        }
        imm.write(f.code());
      }
      case TXN_FIELD_INDEX -> {
        arity(args, 2, name, line);
        imm.write(txnField(args.get(0), line, version, true).code());
        imm.write((int) parseUint(args.get(1), line, 0, 255));
      }
      case GROUP_TXN_FIELD -> {
        arity(args, 2, name, line);
        imm.write((int) parseUint(args.get(0), line, 0, 255));
        imm.write(txnField(args.get(1), line, version, false).code());
      }
      case GROUP_TXN_FIELD_INDEX -> {
        arity(args, 3, name, line);
        imm.write((int) parseUint(args.get(0), line, 0, 255));
        imm.write(txnField(args.get(1), line, version, true).code());
        imm.write((int) parseUint(args.get(2), line, 0, 255));
      }
      case GLOBAL_FIELD -> {
        arity(args, 1, name, line);
        GlobalField g = TealOps.GLOBAL_FIELDS.get(args.get(0));
        if (g == null) throw new TealAssemblyException(line, "unknown global field: " + args.get(0));
        if (g.version() > version) {
          throw new TealAssemblyException(line, "global " + g.name() + " was introduced in v" + g.version());
        }
        imm.write(g.code());
      }
      case LABEL -> {
        arity(args, 1, name, line);
        label = args.get(0);
      }
      case VARUINT -> {
        arity(args, 1, name, line);
        writeUvarint(imm, parseUint(args.get(0), line, 0, -1));
      }
      case BYTES -> {
        byte[] value = bytesArgument(args, line);
        writeUvarint(imm, value.length);
        imm.writeBytes(value);
      }
    }
    int size = 1 + (label != null ? 2 : imm.size());
    return new Instruction(op, imm.toByteArray(), label, line, size);
  }

  private static TxnField txnField(String name, int line, int version, boolean array) {
    TxnField f = TealOps.TXN_FIELDS.get(name);
    if (f == null) throw new TealAssemblyException(line, "unknown transaction field: " + name);
    if (f.version() > version) {
      throw new TealAssemblyException(line, "field " + name + " was introduced in v" + f.version());
    }
    if (f.array() != array) {
      throw new TealAssemblyException(line, name + (array ? " is not an array field" : " is an array field: use txna/gtxnsa with an index"));
    }
    return f;
  }

  private static void arity(List<String> args, int n, String name, int line) {
    if (args.size() != n) {
      throw new TealAssemblyException(line, name + " expects " + n + " immediate argument" + (n == 1 ? "" : "s") + ", got " + args.size());
    }
  }

  /** Decimal, 0x hex, 0o/leading-0 octal or 0b binary, as go's strconv.ParseUint(s, 0, 64). */
  static long parseUint(String s, int line, long min, long max) {
    BigInteger value;
    try {
      String digits = s.replace("_", "");
      if (digits.startsWith("0x") || digits.startsWith("0X")) value = new BigInteger(digits.substring(2), 16);
      else if (digits.startsWith("0b") || digits.startsWith("0B")) value = new BigInteger(digits.substring(2), 2);
      else if (digits.startsWith("0o") || digits.startsWith("0O")) value = new BigInteger(digits.substring(2), 8);
      else if (digits.length() > 1 && digits.startsWith("0")) value = new BigInteger(digits.substring(1), 8);
      else value = new BigInteger(digits, 10);
    } catch (NumberFormatException e) {
      throw new TealAssemblyException(line, "unable to parse " + s + " as an unsigned integer");
    }
    if (value.signum() < 0 || value.bitLength() > 64) {
      throw new TealAssemblyException(line, s + " is not a 64-bit unsigned integer");
    }
    long v = value.longValue();
    if (Long.compareUnsigned(v, min) < 0 || (max >= 0 && Long.compareUnsigned(v, max) > 0)) {
      throw new TealAssemblyException(line, s + " is out of range " + min + ".." + max);
    }
    return v;
  }

  /** {@code 0x…} hex or a double-quoted string with go escapes. */
  private static byte[] bytesArgument(List<String> args, int line) {
    if (args.size() != 1) throw new TealAssemblyException(line, "pushbytes expects one value (0x… or \"…\")");
    String a = args.get(0);
    if (a.startsWith("0x")) {
      String hex = a.substring(2);
      if (hex.length() % 2 != 0) throw new TealAssemblyException(line, "odd number of hex digits in " + a);
      try {
        return HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        throw new TealAssemblyException(line, "bad hex in " + a);
      }
    }
    if (a.length() >= 2 && a.startsWith("\"") && a.endsWith("\"")) {
      return unescape(a.substring(1, a.length() - 1), line);
    }
    throw new TealAssemblyException(line, "pushbytes value must be 0x… hex or a \"string\": " + a);
  }

  private static byte[] unescape(String s, int line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      byte c = raw[i];
      if (c != '\\') {
        out.write(c);
        continue;
      }
      if (++i >= raw.length) throw new TealAssemblyException(line, "string ends in a backslash");
      switch (raw[i]) {
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case '0' -> out.write(0);
        case '\\' -> out.write('\\');
        case '"' -> out.write('"');
        case 'x' -> {
          if (i + 2 >= raw.length) throw new TealAssemblyException(line, "short \\x escape");
          String hex = new String(raw, i + 1, 2, StandardCharsets.US_ASCII);
          try {
            out.write(Integer.parseInt(hex, 16));
          } catch (NumberFormatException e) {
            throw new TealAssemblyException(line, "bad \\x escape: " + hex);
          }
          i += 2;
        }
        default -> throw new TealAssemblyException(line, "unknown escape \\" + (char) raw[i]);
      }
    }
    return out.toByteArray();
  }

  /**
   * Splits a line into statements (separated by {@code ;}) of whitespace-separated tokens,
   * dropping a {@code //} comment; quoted strings stay one token.
   */
  private static List<List<String>> statements(String line, int lineNo) {
    List<List<String>> statements = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        token.append(c);
        if (c == '\\' && i + 1 < line.length()) {
          token.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        }
        continue;
      }
      if (c == '"') {
        quoted = true;
        token.append(c);
      } else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
        break;
      } else if (c == ';') {
        flush(token, tokens);
        statements.add(tokens);
        tokens = new ArrayList<>();
      } else if (Character.isWhitespace(c)) {
        flush(token, tokens);
      } else {
        token.append(c);
      }
    }
    if (quoted) throw new TealAssemblyException(lineNo, "unterminated string");
    flush(token, tokens);
    statements.add(tokens);
    return statements;
  }

  private static void flush(StringBuilder token, List<String> tokens) {
    if (token.length() > 0) {
      tokens.add(token.toString());
      token.setLength(0);
    }
  }

  static void writeUvarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while (Long.compareUnsigned(v, 0x80) >= 0) {
      out.write((int) (v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }
}
