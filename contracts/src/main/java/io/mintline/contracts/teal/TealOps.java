package io.mintline.contracts.teal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TEAL opcodes, transaction fields and global fields the assembler knows, with their byte
 * values and the first program version that has them. Values are go-algorand's
 * ({@code data/transactions/logic/opcodes.go}, {@code fields.go}); each is checked in the tests
 * against the assembler vectors go-algorand publishes.
 */
final class TealOps {
  private TealOps() {}

  /** What follows an opcode in the bytecode. */
  enum Immediates {
    /** Nothing. */
    NONE,
    /** One byte: a scratch slot ({@code load}, {@code store}). */
    SLOT,
    /** A transaction field ({@code txn}, {@code gtxns}, {@code itxn_field}). */
    TXN_FIELD,
    /** A transaction field and an array index ({@code txna}, {@code gtxnsa}). */
    TXN_FIELD_INDEX,
    /** A group index and a transaction field ({@code gtxn}). */
    GROUP_TXN_FIELD,
    /** A group index, a transaction field and an array index ({@code gtxna}). */
    GROUP_TXN_FIELD_INDEX,
    /** A global field. */
    GLOBAL_FIELD,
    /** A 16-bit signed offset to a label ({@code b}, {@code bz}, {@code bnz}, {@code callsub}). */
    LABEL,
    /** A uvarint ({@code pushint}). */
    VARUINT,
    /** A uvarint length and that many bytes ({@code pushbytes}). */
    BYTES
  }

  record Op(String name, int code, int version, Immediates immediates) {}

  /**
   * A transaction field: its number, first version, whether it is an array (read with
   * {@code txna}) and whether {@code itxn_field} may set it.
   */
  record TxnField(String name, int code, int version, boolean array, boolean settable) {}

  record GlobalField(String name, int code, int version) {}

  static final Map<String, Op> OPS = new LinkedHashMap<>();
  static final Map<String, TxnField> TXN_FIELDS = new LinkedHashMap<>();
  static final Map<String, GlobalField> GLOBAL_FIELDS = new LinkedHashMap<>();

  private static void op(String name, int code, int version, Immediates immediates) {
    OPS.put(name, new Op(name, code, version, immediates));
  }

  private static void txn(String name, int code, int version, boolean array, boolean settable) {
    TXN_FIELDS.put(name, new TxnField(name, code, version, array, settable));
  }

  private static void global(String name, int code, int version) {
    GLOBAL_FIELDS.put(name, new GlobalField(name, code, version));
  }

  static {
    op("err", 0x00, 1, Immediates.NONE);
    op("+", 0x08, 1, Immediates.NONE);
    op("-", 0x09, 1, Immediates.NONE);
    op("/", 0x0a, 1, Immediates.NONE);
    op("*", 0x0b, 1, Immediates.NONE);
    op("<", 0x0c, 1, Immediates.NONE);
    op(">", 0x0d, 1, Immediates.NONE);
    op("<=", 0x0e, 1, Immediates.NONE);
    op(">=", 0x0f, 1, Immediates.NONE);
    op("&&", 0x10, 1, Immediates.NONE);
    op("||", 0x11, 1, Immediates.NONE);
    op("==", 0x12, 1, Immediates.NONE);
    op("!=", 0x13, 1, Immediates.NONE);
    op("!", 0x14, 1, Immediates.NONE);
    op("len", 0x15, 1, Immediates.NONE);
    op("itob", 0x16, 1, Immediates.NONE);
    op("btoi", 0x17, 1, Immediates.NONE);
    op("txn", 0x31, 1, Immediates.TXN_FIELD);
    op("global", 0x32, 1, Immediates.GLOBAL_FIELD);
    op("gtxn", 0x33, 1, Immediates.GROUP_TXN_FIELD);
    op("load", 0x34, 1, Immediates.SLOT);
    op("store", 0x35, 1, Immediates.SLOT);
    op("txna", 0x36, 2, Immediates.TXN_FIELD_INDEX);
    op("gtxna", 0x37, 2, Immediates.GROUP_TXN_FIELD_INDEX);
    op("gtxns", 0x38, 3, Immediates.TXN_FIELD);
    op("gtxnsa", 0x39, 3, Immediates.TXN_FIELD_INDEX);
    op("bnz", 0x40, 1, Immediates.LABEL);
    op("bz", 0x41, 2, Immediates.LABEL);
    op("b", 0x42, 2, Immediates.LABEL);
    op("return", 0x43, 2, Immediates.NONE);
    op("assert", 0x44, 3, Immediates.NONE);
    op("pop", 0x48, 1, Immediates.NONE);
    op("dup", 0x49, 1, Immediates.NONE);
    op("concat", 0x50, 2, Immediates.NONE);
    op("balance", 0x60, 2, Immediates.NONE);
    op("app_global_get", 0x64, 2, Immediates.NONE);
    op("app_global_put", 0x67, 2, Immediates.NONE);
    op("min_balance", 0x78, 3, Immediates.NONE);
    op("pushbytes", 0x80, 3, Immediates.BYTES);
    op("pushint", 0x81, 3, Immediates.VARUINT);
    op("callsub", 0x88, 4, Immediates.LABEL);
    op("retsub", 0x89, 4, Immediates.NONE);
    op("log", 0xb0, 5, Immediates.NONE);
    op("itxn_begin", 0xb1, 5, Immediates.NONE);
    op("itxn_field", 0xb2, 5, Immediates.TXN_FIELD);
    op("itxn_submit", 0xb3, 5, Immediates.NONE);

    // Settable = what itxn_field accepts for the payment fields TipProxy uses; the others are
    // read-only here even where go-algorand allows more.
    txn("Sender", 0, 1, false, true);
    txn("Fee", 1, 1, false, true);
    txn("FirstValid", 2, 1, false, false);
    txn("LastValid", 4, 1, false, false);
    txn("Note", 5, 1, false, true);
    txn("Lease", 6, 1, false, false);
    txn("Receiver", 7, 1, false, true);
    txn("Amount", 8, 1, false, true);
    txn("CloseRemainderTo", 9, 1, false, true);
    txn("Type", 15, 1, false, true);
    txn("TypeEnum", 16, 1, false, true);
    txn("GroupIndex", 22, 1, false, false);
    txn("TxID", 23, 1, false, false);
    txn("ApplicationID", 24, 2, false, false);
    txn("OnCompletion", 25, 2, false, false);
    txn("ApplicationArgs", 26, 2, true, false);
    txn("NumAppArgs", 27, 2, false, false);
    txn("Accounts", 28, 2, true, false);
    txn("NumAccounts", 29, 2, false, false);
    txn("RekeyTo", 32, 2, false, false);
    txn("ConfigAsset", 33, 2, false, false);

    global("MinTxnFee", 0, 1);
    global("MinBalance", 1, 1);
    global("MaxTxnLife", 2, 1);
    global("ZeroAddress", 3, 1);
    global("GroupSize", 4, 1);
    global("Round", 6, 2);
    global("LatestTimestamp", 7, 2);
    global("CurrentApplicationID", 8, 2);
    global("CreatorAddress", 9, 3);
    global("CurrentApplicationAddress", 10, 5);
  }
}
