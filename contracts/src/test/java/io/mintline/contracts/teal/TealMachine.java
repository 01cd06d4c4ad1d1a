package io.mintline.contracts.teal;

import io.mintline.contracts.teal.TealOps.GlobalField;
import io.mintline.contracts.teal.TealOps.Op;
import io.mintline.contracts.teal.TealOps.TxnField;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-only AVM for the opcodes {@link TealOps} covers, run over <em>bytecode</em> (so it also
 * reads back what the assembler wrote). It follows the AVM's rules as the TEAL spec states them
 * for these opcodes — uint64 arithmetic that fails on overflow and underflow, {@code ==} only
 * between values of one type, {@code assert}/{@code err} failing the program, a program approving
 * only when it ends with exactly one non-zero value — with a toy ledger of balances for
 * {@code balance}, {@code min_balance} and inner payments. It is not go-algorand: it exists to
 * check what Mintline's programs decide, not how a node meters them.
 */
public final class TealMachine {

  /** One transaction of a group, by field name (values: Long or byte[]; ApplicationArgs: List<byte[]>). */
  public static final class Txn {
    final Map<String, Object> fields = new HashMap<>();

    public Txn set(String field, Object value) {
      fields.put(field, value);
      return this;
    }

    public Object get(String field) {
      Object v = fields.get(field);
      if (v != null) return v;
      return switch (field) {
        case "Sender", "Receiver", "CloseRemainderTo", "RekeyTo" -> new byte[32];
        case "Note", "Lease", "Type" -> new byte[0];
        default -> 0L;
      };
    }
  }

  /** What a run decided and did. */
  public record Outcome(boolean approved, String failure, List<byte[]> logs, List<Txn> inner) {}

  static final long MIN_BALANCE = 100_000;
  static final long MIN_FEE = 1_000;

  public final Map<ByteBuffer, Long> balances = new HashMap<>();
  final Map<ByteBuffer, Long> minBalances = new HashMap<>();
  public final Map<String, Object> globals = new HashMap<>();
  final long appId;

  public TealMachine(long appId) {
    this.appId = appId;
  }

  public static byte[] appAddress(long appId) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512/256");
      md.update("appID".getBytes());
      md.update(ByteBuffer.allocate(8).putLong(appId).array());
      return md.digest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public long balance(byte[] address) {
    return balances.getOrDefault(ByteBuffer.wrap(address), 0L);
  }

  /** Runs {@code program} for the app call at {@code group.get(index)}; global state changes stick only on approval. */
  public Outcome run(byte[] program, List<Txn> group, int index) {
    Map<String, Object> savedGlobals = new HashMap<>(globals);
    Map<ByteBuffer, Long> savedBalances = new HashMap<>(balances);
    List<byte[]> logs = new ArrayList<>();
    List<Txn> inner = new ArrayList<>();
    try {
      boolean ok = execute(program, group, index, logs, inner);
      if (!ok) throw new Failure("rejected");
      return new Outcome(true, null, logs, inner);
    } catch (Failure f) {
      globals.clear();
      globals.putAll(savedGlobals);
      balances.clear();
      balances.putAll(savedBalances);
      return new Outcome(false, f.getMessage(), List.of(), List.of());
    }
  }

  private static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private boolean execute(byte[] p, List<Txn> group, int index, List<byte[]> logs, List<Txn> inner) {
    Map<Integer, Op> ops = new HashMap<>();
    TealOps.OPS.values().forEach(o -> ops.put(o.code(), o));
    Map<Integer, TxnField> txnFields = new HashMap<>();
    TealOps.TXN_FIELDS.values().forEach(f -> txnFields.put(f.code(), f));
    Map<Integer, GlobalField> globalFields = new HashMap<>();
    TealOps.GLOBAL_FIELDS.values().forEach(f -> globalFields.put(f.code(), f));

    int[] pc = {0};
    long version = uvarint(p, pc);
    if (version < 1) throw new Failure("no version");
    Deque<Object> stack = new ArrayDeque<>();
    Object[] scratch = new Object[256];
    Arrays.fill(scratch, 0L);
    Txn building = null;
    Txn self = group.get(index);
    while (pc[0] < p.length) {
      int code = p[pc[0]++] & 0xff;
      Op op = ops.get(code);
      if (op == null) throw new Failure("unknown opcode 0x" + Integer.toHexString(code));
      switch (op.name()) {
        case "err" -> throw new Failure("err");
        case "+" -> { long b = u(stack), a = u(stack); stack.push(Math.addExact(a, b)); }
        case "-" -> { long b = u(stack), a = u(stack); if (b > a) throw new Failure("- underflow"); stack.push(a - b); }
        case "*" -> { long b = u(stack), a = u(stack); stack.push(Math.multiplyExact(a, b)); }
        case "/" -> { long b = u(stack), a = u(stack); if (b == 0) throw new Failure("/ 0"); stack.push(a / b); }
        case "<" -> { long b = u(stack), a = u(stack); stack.push(a < b ? 1L : 0L); }
        case ">" -> { long b = u(stack), a = u(stack); stack.push(a > b ? 1L : 0L); }
        case "<=" -> { long b = u(stack), a = u(stack); stack.push(a <= b ? 1L : 0L); }
        case ">=" -> { long b = u(stack), a = u(stack); stack.push(a >= b ? 1L : 0L); }
        case "&&" -> { long b = u(stack), a = u(stack); stack.push(a != 0 && b != 0 ? 1L : 0L); }
        case "||" -> { long b = u(stack), a = u(stack); stack.push(a != 0 || b != 0 ? 1L : 0L); }
        case "!" -> stack.push(u(stack) == 0 ? 1L : 0L);
        case "==", "!=" -> {
          Object b = pop(stack), a = pop(stack);
          if (a.getClass() != b.getClass()) throw new Failure(op.name() + " on mixed types");
          boolean eq = a instanceof byte[] x ? Arrays.equals(x, (byte[]) b) : a.equals(b);
          stack.push(eq == op.name().equals("==") ? 1L : 0L);
        }
        case "len" -> stack.push((long) bytes(stack).length);
        case "itob" -> stack.push(ByteBuffer.allocate(8).putLong(u(stack)).array());
        case "btoi" -> {
          byte[] b = bytes(stack);
          if (b.length > 8) throw new Failure("btoi > 8 bytes");
          long v = 0;
          for (byte x : b) v = (v << 8) | (x & 0xff);
          stack.push(v);
        }
        case "txn" -> stack.push(field(self, txnFields.get(p[pc[0]++] & 0xff), -1));
        case "txna" -> { TxnField f = txnFields.get(p[pc[0]++] & 0xff); stack.push(field(self, f, p[pc[0]++] & 0xff)); }
        case "gtxn" -> { int g = p[pc[0]++] & 0xff; stack.push(field(txnAt(group, g), txnFields.get(p[pc[0]++] & 0xff), -1)); }
        case "gtxna" -> {
          int g = p[pc[0]++] & 0xff;
          TxnField f = txnFields.get(p[pc[0]++] & 0xff);
          stack.push(field(txnAt(group, g), f, p[pc[0]++] & 0xff));
        }
        case "gtxns" -> { TxnField f = txnFields.get(p[pc[0]++] & 0xff); stack.push(field(txnAt(group, (int) u(stack)), f, -1)); }
        case "gtxnsa" -> {
          TxnField f = txnFields.get(p[pc[0]++] & 0xff);
          int i = p[pc[0]++] & 0xff;
          stack.push(field(txnAt(group, (int) u(stack)), f, i));
        }
        case "global" -> stack.push(global(globalFields.get(p[pc[0]++] & 0xff).name(), group));
        case "load" -> stack.push(scratch[p[pc[0]++] & 0xff]);
        case "store" -> scratch[p[pc[0]++] & 0xff] = pop(stack);
        case "bnz", "bz", "b" -> {
          int offset = (short) (((p[pc[0]] & 0xff) << 8) | (p[pc[0] + 1] & 0xff));
          pc[0] += 2;
          boolean jump = op.name().equals("b") || (u(stack) != 0) == op.name().equals("bnz");
          if (jump) {
            pc[0] += offset;
            if (pc[0] < 0 || pc[0] > p.length) throw new Failure("branch out of program");
          }
        }
        case "return" -> {
          long v = u(stack);
          return v != 0;
        }
        case "assert" -> { if (u(stack) == 0) throw new Failure("assert failed at pc " + (pc[0] - 1)); }
        case "pop" -> pop(stack);
        case "dup" -> { Object v = pop(stack); stack.push(v); stack.push(v); }
        case "concat" -> {
          byte[] b = bytes(stack), a = bytes(stack);
          if (a.length + b.length > 4096) throw new Failure("concat too long");
          ByteArrayOutputStream o = new ByteArrayOutputStream();
          o.writeBytes(a);
          o.writeBytes(b);
          stack.push(o.toByteArray());
        }
        case "balance" -> stack.push(balance(bytes(stack)));
        case "min_balance" -> { byte[] a = bytes(stack); stack.push(minBalances.getOrDefault(ByteBuffer.wrap(a), MIN_BALANCE)); }
        case "app_global_get" -> stack.push(globals.getOrDefault(new String(bytes(stack), java.nio.charset.StandardCharsets.ISO_8859_1), 0L));
        case "app_global_put" -> {
          Object v = pop(stack);
          globals.put(new String(bytes(stack), java.nio.charset.StandardCharsets.ISO_8859_1), v);
        }
        case "pushint" -> stack.push(uvarint(p, pc));
        case "pushbytes" -> {
          int n = (int) uvarint(p, pc);
          stack.push(Arrays.copyOfRange(p, pc[0], pc[0] + n));
          pc[0] += n;
        }
        case "log" -> logs.add(bytes(stack));
        case "itxn_begin" -> {
          building = new Txn().set("Sender", appAddress(appId)).set("Fee", MIN_FEE);
        }
        case "itxn_field" -> {
          if (building == null) throw new Failure("itxn_field without itxn_begin");
          TxnField f = txnFields.get(p[pc[0]++] & 0xff);
          building.set(f.name(), pop(stack));
        }
        case "itxn_submit" -> {
          if (building == null) throw new Failure("itxn_submit without itxn_begin");
          submitInner(building);
          inner.add(building);
          building = null;
        }
        default -> throw new Failure("TealMachine does not run " + op.name());
      }
    }
    if (stack.size() != 1) throw new Failure("stack has " + stack.size() + " values at the end");
    return u(stack) != 0;
  }

  private void submitInner(Txn t) {
    if ((long) t.get("TypeEnum") != 1) throw new Failure("only inner payments here");
    byte[] from = (byte[]) t.get("Sender");
    byte[] to = (byte[]) t.get("Receiver");
    long amount = (long) t.get("Amount");
    long fee = (long) t.get("Fee");
    long left = balance(from) - amount - fee;
    if (left < minBalances.getOrDefault(ByteBuffer.wrap(from), MIN_BALANCE)) throw new Failure("inner payment would leave " + left);
    balances.put(ByteBuffer.wrap(from), left);
    balances.merge(ByteBuffer.wrap(to), amount, Long::sum);
  }

  private Object global(String name, List<Txn> group) {
    return switch (name) {
      case "MinTxnFee" -> MIN_FEE;
      case "MinBalance" -> MIN_BALANCE;
      case "MaxTxnLife" -> 1000L;
      case "ZeroAddress" -> new byte[32];
      case "GroupSize" -> (long) group.size();
      case "CurrentApplicationID" -> appId;
      case "CurrentApplicationAddress" -> appAddress(appId);
      default -> throw new Failure("global " + name + " not modelled");
    };
  }

  private static Txn txnAt(List<Txn> group, int i) {
    if (i < 0 || i >= group.size()) throw new Failure("group index " + i + " out of range");
    return group.get(i);
  }

  @SuppressWarnings("unchecked")
  private static Object field(Txn t, TxnField f, int index) {
    if (f.name().equals("NumAppArgs")) return (long) ((List<byte[]>) t.fields.getOrDefault("ApplicationArgs", List.of())).size();
    if (f.array()) {
      List<byte[]> list = (List<byte[]>) t.fields.getOrDefault(f.name(), List.of());
      if (index >= list.size()) throw new Failure(f.name() + "[" + index + "] out of range");
      return list.get(index);
    }
    return t.get(f.name());
  }

  private static Object pop(Deque<Object> stack) {
    if (stack.isEmpty()) throw new Failure("stack underflow");
    return stack.pop();
  }

  private static long u(Deque<Object> stack) {
    Object v = pop(stack);
    if (!(v instanceof Long l)) throw new Failure("expected uint64, got bytes");
    return l;
  }

  private static byte[] bytes(Deque<Object> stack) {
    Object v = pop(stack);
    if (!(v instanceof byte[] b)) throw new Failure("expected bytes, got uint64");
    return b;
  }

  private static long uvarint(byte[] p, int[] pc) {
    long v = 0;
    int shift = 0;
    while (true) {
      int b = p[pc[0]++] & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  }
}
